/* disclosure.h - statistical disclosure control of the `exit`, `status`
 * and `followup` tables (spec/indicators.md sections 7 and 8): primary
 * suppression of small cells, then secondary suppression along the lines
 * (municipality, cohort and, in followup, gender) until no value can be read off a line by subtraction. Used by
 * kohort-aggregate before anything is stored; works in place on rows the
 * caller owns. */
#ifndef KH_DISCLOSURE_H
#define KH_DISCLOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "aggregate/lines.h"
#include "proto/schema.h"

#define KH_DISCLOSURE_MAX_COUNTS 8

/* What disclosure control protects in one table. */
typedef struct {
    int ncols;                                  /* value columns of the table */
    int base;                                   /* column of the base */
    int ncounts;
    int counts[KH_DISCLOSURE_MAX_COUNTS];       /* count columns, print order */
    uint32_t dependants[KH_IND_MAX_COLS];       /* bit j of [i]: j goes with i */
    kh_lines_spec_t lines;                      /* key columns and kinds of line */
} kh_disclosure_spec_t;

/* What a run of kh_disclosure_apply() did, for the ledger and for tests. */
typedef struct {
    size_t primary_rows;     /* rows suppressed whole by the primary rule */
    size_t primary_cells;    /* count cells suppressed by the primary rule */
    size_t secondary_cells;  /* cells (bases included) suppressed by lines */
    size_t passes;           /* secondary passes run, the last changing nothing */
} kh_disclosure_stats_t;

/* The spec of KH_IND_EXIT, KH_IND_STATUS or KH_IND_FOLLOWUP; NULL for
 * cost (it has no bases of its own). Borrowed: static. */
const kh_disclosure_spec_t *kh_disclosure_spec(kh_indtable_t table);

/* Applies control with threshold k to `rows` (n of them, sorted strictly
 * by the spec's key columns, with every base and count cell present). On return
 * masks[i] (caller's array of n) has bit c set for each suppressed column c
 * of row i (all ncols bits for a row suppressed whole); those cells are
 * cleared from `present` and the row's `suppressed` is 1. k <= 0 turns
 * control off: masks become 0 and rows stay as they are. `stats` may be
 * NULL. Returns 0, or -EINVAL when the rows are not sorted or the spec is
 * unusable. */
int kh_disclosure_apply(kh_indrow_t *rows, size_t n, const kh_disclosure_spec_t *spec,
                        int k, uint32_t *masks, kh_disclosure_stats_t *stats);

/* Step 7.1 alone, for reporting: sets masks[i] (caller's array of n) to
 * the cells of row i that the primary rule suppresses (all ncols bits for
 * a row suppressed whole); the rows are not changed. k <= 0 gives zeros.
 * Returns 0 or -EINVAL. */
int kh_disclosure_primary(const kh_indrow_t *rows, size_t n, const kh_disclosure_spec_t *spec,
                          int k, uint32_t *masks);

/* Step 7.2 alone, starting from the suppressions already marked in the
 * rows (suppressed_mask; a suppressed cell's value is never read, so stored
 * rows of another year will do): suppresses further cells with their
 * dependants until no line holds exactly one suppressed value, clearing
 * `present` and setting `suppressed`. For re-closing a year after cells
 * were added (steps 7.3 and 7.4). Rows as for kh_disclosure_apply(); stats
 * gets the cells and passes it added (secondary_cells, passes). Returns 0
 * or -EINVAL. */
int kh_disclosure_close(kh_indrow_t *rows, size_t n, const kh_disclosure_spec_t *spec,
                        kh_disclosure_stats_t *stats);

/* 1 when column c is the spec's base or one of its counts: the cells that
 * steps 7.2 and 7.3 protect and an outsider solves for. */
int kh_disclosure_is_cell(const kh_disclosure_spec_t *spec, int c);

/* Marks cell `col` of `row` suppressed with its dependants (a base takes
 * the whole row): sets the bits in suppressed_mask, clears present, sets
 * suppressed. Returns the number of base and count cells newly suppressed
 * (0 when it already was). */
size_t kh_disclosure_suppress(kh_indrow_t *row, const kh_disclosure_spec_t *spec, int col);

/* The one dependant across tables (indicators.md 5, 7): a `cost` row
 * (H, Y) loses cost_per_attained whenever the `exit` row (H, C = Y) has
 * `attained` suppressed. Both arrays sorted by (kommnr, key2). Returns the
 * number of cost cells newly suppressed. */
size_t kh_disclosure_follow_cost(const kh_indrow_t *exit, size_t nexit, kh_indrow_t *cost,
                                 size_t ncost);

#endif
