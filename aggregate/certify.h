/* certify.h - proofs that suppressed cells are not disclosed by arithmetic
 * (spec/indicators.md 7.3), found without solving a linear program. From a
 * point that satisfies every outsider's constraint (the true values in the
 * run's year), a *box* of suppressed cells - two rows in each kind of line
 * through a cell, and every row at their combinations, moved together in
 * one or more columns with alternating signs - keeps every line's sum and
 * moves along a segment as long as the row relations and bounds allow. Both
 * ends of that segment satisfy the constraints, so every moved cell's
 * interval is at least as wide as the segment's reach in each direction;
 * reaches of several boxes combine. A cell shown to span its need is
 * safe; one that is not is widened by suppressing the cheapest box that
 * proves it. Used by step 7.3 (protect.c) in kohort-aggregate. */
#ifndef KH_CERTIFY_H
#define KH_CERTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "proto/schema.h"

/* One reference year's tables, rows sorted by key as the store gives them.
 * Tables that are not there have n 0. primary[t] (may be NULL) marks, per
 * row, the cells suppressed by step 7.1 (for counting `narrow`; stored
 * years have none). values_known: suppressed cells still hold their true
 * values (the run's year); otherwise they hold nothing. */
typedef struct {
    kh_indrow_t *rows[KH_IND_COUNT];
    size_t n[KH_IND_COUNT];
    const uint32_t *primary[KH_IND_COUNT];
    int values_known;
} kh_year_tables_t;

typedef struct kh_cert kh_cert_t;

/* One cell of a year's tables: column `col` of row `row` of table `table`
 * (also the outsider's unknowns, outsider.h). */
typedef struct {
    int table;
    size_t row;
    int col;
} kh_cell_t;

/* Widths are compared with this much tolerance (the point of a stored year
 * is a solver's, exact only to its own tolerance). */
#define KH_CERT_EPS 1e-9

/* Prepares proofs over `year` at a point: the rows' values where
 * year->values_known, else point[t] (n[t] * KH_IND_MAX_COLS values per
 * table, row-major, every base and count cell filled; copied). The rows
 * are borrowed for the life of the result; kh_cert_widen() changes their
 * suppression marks. Caller owns *out; free with kh_cert_destroy().
 * Returns 0 or -EINVAL (unsorted rows, or no point). */
int kh_cert_new(kh_year_tables_t *year, double *const point[KH_IND_COUNT], kh_cert_t **out);

/* Frees and sets *c to NULL; accepts NULL. */
void kh_cert_destroy(kh_cert_t **c);

/* Seeks proofs for every suppressed base and count cell not yet shown to
 * span its need: 1, or `k` for the cells marked primary. Returns the
 * number of cells left short of 1. */
size_t kh_cert_run(kh_cert_t *c, int k);

/* As kh_cert_run(), for the cells short of `k` now, split between this
 * thread and one more: each half proves on its own copy of the widths,
 * merged at the end. What it shows holds (every width comes from moves of
 * the same point), but it may show less than kh_cert_run() would, since
 * neither half sees the other's moves; deterministic all the same. For
 * counting `narrow`, where the year's other work is done and a second
 * core is free. */
void kh_cert_run_halves(kh_cert_t *c, int k);

/* The width shown so far for cell (table, row, col): a lower bound on its
 * interval's width (0 for a shown cell). */
double kh_cert_width(const kh_cert_t *c, int table, size_t row, int col);

/* Records that cell (table, row, col) spans at least `width` (an exact
 * interval found otherwise: by a linear program). */
void kh_cert_grant(kh_cert_t *c, int table, size_t row, int col, double width);

/* The suppressed base and count cells shown short of `w`, in (table, row,
 * column) order: their number, and *cells (caller frees; NULL if none). */
size_t kh_cert_list_short(const kh_cert_t *c, double w, kh_cell_t **cells);

/* Calls fn for every suppressed base and count cell shown short of `w`, in
 * (table, row, column) order. */
void kh_cert_each_short(const kh_cert_t *c, double w,
                        void (*fn)(void *ctx, int table, size_t row, int col), void *ctx);

/* For suppressed cell (table, row, col) shown short of 1: suppresses, with
 * their dependants (kh_disclosure_suppress), the cells of the cheapest box
 * through it that spans at least 1 (fewest newly suppressed base and count
 * cells, then the smallest sum of their values, then the first found in a
 * fixed order), and records what the box proves. Returns the base and
 * count cells it newly suppressed (*added) and 1, or 0 when no box spans 1
 * (nothing changed). */
int kh_cert_widen(kh_cert_t *c, int table, size_t row, int col, size_t *added);

/* For a cell that no box proves and that a linear program shows narrower
 * than 1: suppresses, with its dependants, the shown cell of its column
 * in a line through it with the smallest value of at least 1 (else of 0),
 * else the smallest shown base or count of its own row; ties go to the
 * first in (kind of line, place in line) order. Returns 1 and the cells
 * added (*added), or 0 when nothing is left to suppress. */
int kh_cert_hide_beside(kh_cert_t *c, int table, size_t row, int col, size_t *added);

#endif
