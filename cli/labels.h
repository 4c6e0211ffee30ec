/* labels.h - what people read instead of column names: a label, a unit and
 * the number of decimals of every indicator column, and the labels of the
 * key columns and their totals. Shared by `kohort query --format jsonstat`
 * and `kohort report`; static data only. */
#ifndef KH_CLI_LABELS_H
#define KH_CLI_LABELS_H

#include "proto/schema.h"

typedef struct {
    const char *label;     /* "goal attainment at exit" */
    const char *unit;      /* "persons", "share", "days", "NOK", "index" */
} kh_label_t;

/* The label of column `col` of `table`; never NULL for a column of the
 * schema. Borrowed: static. */
const kh_label_t *kh_label_column(kh_indtable_t table, int col);

/* The label of a key column ("ref_year", "kommnr", "cohort", "year",
 * "horizon", "kjonn"). Borrowed: static; the name itself when unknown. */
const char *kh_label_key(const char *key);

/* The label of value `v` of key column `key` when it is a total or a code
 * people do not read as such ("all municipalities" for kommnr 0, "women"
 * for kjonn 2, "1 year after exit" for horizon 1); NULL for an ordinary
 * value. Borrowed: static. */
const char *kh_label_key_value(const char *key, int v);

#endif
