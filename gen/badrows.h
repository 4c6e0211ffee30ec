/* badrows.h - how `kohort gen` writes a row of a register table: now and
 * then with one field quoted, now and then followed by a broken copy that
 * the validator must reject, made by one of the table's bad-row recipes
 * (one for every rule; each written at least once per generation). Counts
 * what it writes in the generation's stats. */
#ifndef KH_GEN_BADROWS_H
#define KH_GEN_BADROWS_H

#include <stdint.h>

#include "gen/model.h"
#include "proto/util.h"

/* Writes the good row `row` of table t, and now and then a broken copy. */
void kh_gen_emit(kh_gen_t *g, kh_table_t t, kh_gen_row_t *row);

/* Writes a broken copy for every recipe not yet used (from each table's
 * first good row), so that a small generation has every kind too. */
void kh_gen_write_missing_kinds(kh_gen_t *g);

/* Appends a date field, now and then in the compact form YYYYMMDD. */
void kh_gen_add_date(kh_gen_t *g, kh_gen_row_t *row, int64_t days);

/* Appends an 11-digit id field. */
void kh_gen_add_id(kh_gen_row_t *row, const char *id);

/* One of the n texts of `list`, drawn at random. Borrowed: list's. */
const char *kh_gen_pick(kh_gen_t *g, const char *const *list, int n);
#define KH_GEN_PICK(g, list) kh_gen_pick(g, list, (int)KH_ARRAY_LEN(list))

#endif
