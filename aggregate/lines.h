/* lines.h - the lines of an indicator table (spec/indicators.md 7.2, and 8
 * for `followup`): groups of rows that agree on every key column but one,
 * together with their total row (the one whose varying key is 0). Step 7.2
 * checks lines for a lone suppressed value; step 7.3 states that a line's
 * cells sum to its total. kohort-aggregate and `kohort audit` share it. */
#ifndef KH_LINES_H
#define KH_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "proto/schema.h"

/* Key columns of an indicator row, in print order: kommnr, key2 (cohort or
 * year), key3 (followup's horizon), key4 (followup's kjonn). */
#define KH_LINES_MAX_DIMS 4
#define KH_LINES_MAX_KINDS 3

/* The key column `dim` (0..3) of `row` (inline: step 7.3's box search
 * asks it in its innermost loops). */
static inline int32_t kh_lines_key(const kh_indrow_t *row, int dim)
{
    switch (dim) {
    case 0: return row->kommnr;
    case 1: return row->key2;
    case 2: return row->key3;
    default: return row->key4;
    }
}

/* Which lines a table has: `ndims` key columns (2 for exit and status, 4
 * for followup) and, in the order step 7.2 visits them, the key column that
 * varies along each kind of line (exit/status: kommnr lines vary key2 (1),
 * cohort lines vary kommnr (0)). */
typedef struct {
    int ndims;
    int nkinds;
    int vary[KH_LINES_MAX_KINDS];
} kh_lines_spec_t;

/* One line: members idx[0..len) in ascending key order (the total, whose
 * varying key is 0, first); total is the member index of the total row, or
 * SIZE_MAX when the line has none (never for tables built by the
 * aggregator, since every counted person is also in the total). */
typedef struct {
    const size_t *idx;
    size_t len;
    size_t total;
} kh_line_t;

typedef struct kh_lines kh_lines_t;

/* Builds the lines of `rows` (n of them, sorted strictly ascending by the
 * spec's ndims key columns). Caller owns result; free with
 * kh_lines_destroy(). NULL when the spec is unusable or the rows are not
 * sorted. The rows are borrowed for the life of the result. */
kh_lines_t *kh_lines_new(const kh_indrow_t *rows, size_t n, const kh_lines_spec_t *spec);

/* Frees and sets *lines to NULL; accepts NULL. */
void kh_lines_destroy(kh_lines_t **lines);

/* Number of lines of kind `kind` (index into spec->vary). */
size_t kh_lines_count(const kh_lines_t *lines, int kind);

/* Line `i` of kind `kind`, in the order step 7.2 visits them (by the fixed
 * key columns in print order). Borrowed: valid until kh_lines_destroy(). */
kh_line_t kh_lines_get(const kh_lines_t *lines, int kind, size_t i);

#endif
