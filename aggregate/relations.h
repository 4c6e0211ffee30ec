/* relations.h - what an outsider knows of a row's cells without seeing
 * them (spec/indicators.md 7.3): the relations between the base and count
 * columns of one row, each count's and base's lower bound, and which rows'
 * bases lie below `exits` of the `exit` row of the same (H, C). Stated
 * once here; step 7.3 (certify.c) and `kohort audit`'s linear programs
 * read them. */
#ifndef KH_RELATIONS_H
#define KH_RELATIONS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/schema.h"

#define KH_RELATION_MAX_TERMS 3

/* sum over i < nterms of coef[i] * cell(col[i]) <= 0, within one row. */
typedef struct {
    int nterms;
    int col[KH_RELATION_MAX_TERMS];
    int coef[KH_RELATION_MAX_TERMS];
} kh_relation_t;

/* The relations of a row of `table` (every count <= base first): *out is
 * static. Returns their number; 0 for a table without disclosure control. */
size_t kh_relations(kh_indtable_t table, const kh_relation_t **out);

/* The smallest value cell `col` can hold: 1 for the base (a row exists only
 * where someone is counted), 0 for a count. */
double kh_relations_lower(kh_indtable_t table, int col);

/* 1 when the base of `row` of `table` is at most `exits` of the `exit` row
 * with the same kommnr and key2 (both count a subset of the same people):
 * every `status` row, and `followup` rows of kjonn 0. */
int kh_relations_below_exits(kh_indtable_t table, const kh_indrow_t *row);

/* The row of (kommnr, key2) among `exit` rows sorted by key (the exit row
 * of the same (H, C), that bounds a base below it, and that cost's
 * cost_per_attained follows), or SIZE_MAX. */
size_t kh_relations_exit_row(const kh_indrow_t *exit, size_t n, int32_t kommnr, int32_t key2);

#endif
