/* outsider.h - the outsider's constraints of spec/indicators.md 7.3 over one
 * reference year's `exit`, `status` and `followup` tables as linear
 * programs over the reals (GLPK): a point that satisfies them all, and the
 * exact interval of a suppressed base or count cell. Step 7.3 of
 * kohort-aggregate (protect.c: a stored year's point, and the cells that
 * no box proves) and `kohort audit` share it. It borrows the rows and reads only shown values
 * and suppression marks, so stored years of older versions will do. */
#ifndef KH_OUTSIDER_H
#define KH_OUTSIDER_H

#include <stddef.h>
#include <stdint.h>

#include "proto/schema.h"
#include "aggregate/certify.h"
#include "aggregate/lines.h"


/* An unknown is a kh_cell_t (certify.h). */

/* Upper bound put on every unknown so that every program is bounded; an
 * interval reaching it is, for an outsider, unbounded. */
#define KH_OUTSIDER_CAP 1e6

typedef struct kh_outsider kh_outsider_t;

/* Called after every solved linear program (for heartbeats during long
 * computations). */
typedef void (*kh_outsider_progress_fn)(void *ctx);

/* Builds the constraints of `year`: the unknowns (every base and count
 * cell that is suppressed or absent, ordered by table, row, column), the
 * lines' sums, the relations within a row and between the tables
 * (relations.h), and their split into independent components (unknowns
 * linked by a constraint). Nothing is solved yet. The rows are borrowed for
 * the life of the result and must not change. Caller owns *out; free with
 * kh_outsider_destroy(). Returns 0, -EINVAL for unsorted rows, or
 * KH_E_SOLVER when the shown values contradict the constraints. */
int kh_outsider_new(const kh_year_tables_t *year, kh_outsider_t **out);

/* Frees and sets *o to NULL; accepts NULL. */
void kh_outsider_destroy(kh_outsider_t **o);

/* The hook called after every linear program (NULL: none). */
void kh_outsider_set_progress(kh_outsider_t *o, kh_outsider_progress_fn fn, void *ctx);

size_t kh_outsider_nunknowns(const kh_outsider_t *o);
kh_cell_t kh_outsider_cell(const kh_outsider_t *o, size_t i);

/* Index of unknown (table, row, col), or SIZE_MAX when that cell is shown. */
size_t kh_outsider_find(const kh_outsider_t *o, int table, size_t row, int col);

/* Components are numbered 0.. in the order of their first unknown. */
size_t kh_outsider_ncomponents(const kh_outsider_t *o);
size_t kh_outsider_component(const kh_outsider_t *o, size_t i);

/* Finds a point that satisfies every constraint (the true values when the
 * tables hold them; else one linear program per component) and writes it
 * into point[t] (year->n[t] * KH_IND_MAX_COLS values per table with a
 * disclosure spec, row-major; caller's arrays): shown values as they are,
 * unknowns at the point. Returns 0 or KH_E_SOLVER. */
int kh_outsider_point(kh_outsider_t *o, double *const point[KH_IND_COUNT]);

/* The exact interval of unknown i: the minimum and the maximum of two
 * linear programs over its whole component (built once per component and
 * warm-started from the last basis). Returns 0 or KH_E_SOLVER. */
int kh_outsider_bounds(kh_outsider_t *o, size_t i, double *lo, double *hi);

/* The smallest and largest values unknown i took in the solutions of the
 * linear programs so far (each one a point of the constraints, so the
 * interval holds both): lo > hi before any. */
void kh_outsider_seen(const kh_outsider_t *o, size_t i, double *lo, double *hi);

/* Outer bounds of every unknown by propagating the constraints' bounds
 * (each constraint bounds each of its unknowns by the others' bounds;
 * `rounds` passes): lo[i] <= the interval's minimum, hi[i] >= its maximum.
 * No linear program; caller's arrays of kh_outsider_nunknowns(). */
void kh_outsider_outer(const kh_outsider_t *o, int rounds, double *lo, double *hi);

/* Linear programs solved so far, for the logs. */
size_t kh_outsider_lps(const kh_outsider_t *o);

#endif
