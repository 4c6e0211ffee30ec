/* disclosure.h - statistical disclosure control of the `exit` and `status`
 * tables (spec/indicators.md section 7): primary suppression of small
 * cells, then secondary suppression along municipality and cohort lines
 * until no value can be read off a line by subtraction. Used by
 * kohort-aggregate before anything is stored; works in place on rows the
 * caller owns. */
#ifndef KH_DISCLOSURE_H
#define KH_DISCLOSURE_H

#include <stddef.h>
#include <stdint.h>

#include "../proto/schema.h"

#define KH_DISCLOSURE_MAX_COUNTS 8

/* What disclosure control protects in one table. */
typedef struct {
    int ncols;                                  /* value columns of the table */
    int base;                                   /* column of the base */
    int ncounts;
    int counts[KH_DISCLOSURE_MAX_COUNTS];       /* count columns, print order */
    uint32_t dependants[KH_IND_MAX_COLS];       /* bit j of [i]: j goes with i */
} kh_disclosure_spec_t;

/* What a run of kh_disclosure_apply() did, for the ledger and for tests. */
typedef struct {
    size_t primary_rows;     /* rows suppressed whole by the primary rule */
    size_t primary_cells;    /* count cells suppressed by the primary rule */
    size_t secondary_cells;  /* cells (bases included) suppressed by lines */
    size_t passes;           /* secondary passes run, the last changing nothing */
} kh_disclosure_stats_t;

/* The spec of KH_IND_EXIT or KH_IND_STATUS; NULL for any other table (cost
 * has no bases of its own). Borrowed: static. */
const kh_disclosure_spec_t *kh_disclosure_spec(kh_indtable_t table);

/* Applies control with threshold k to `rows` (n of them, sorted strictly
 * by kommnr then key2, with every base and count cell present). On return
 * masks[i] (caller's array of n) has bit c set for each suppressed column c
 * of row i (all ncols bits for a row suppressed whole); those cells are
 * cleared from `present` and the row's `suppressed` is 1. k <= 0 turns
 * control off: masks become 0 and rows stay as they are. `stats` may be
 * NULL. Returns 0, or -EINVAL when the rows are not sorted or the spec is
 * unusable. */
int kh_disclosure_apply(kh_indrow_t *rows, size_t n, const kh_disclosure_spec_t *spec,
                        int k, uint32_t *masks, kh_disclosure_stats_t *stats);

#endif
