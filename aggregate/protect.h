/* protect.h - step 7.3 of spec/indicators.md: protection against
 * arithmetic. Given one reference year's tables after steps 7.1 and 7.2,
 * suppresses further base and count cells (with their dependants) until no
 * suppressed cell's interval under the outsider's constraints is narrower
 * than 1. Used by kohort-aggregate for the run's year and, in step 7.4, for
 * every other stored year it changes. */
#ifndef KH_PROTECT_H
#define KH_PROTECT_H

#include <stddef.h>
#include <stdint.h>

#include "proto/schema.h"
#include "aggregate/certify.h"
#include "aggregate/outsider.h"


/* What kh_protect_year() did, per table. */
typedef struct {
    size_t protection[KH_IND_COUNT]; /* base and count cells it suppressed */
    /* primary cells not shown to span k: every one whose interval is
     * narrower than k, and maybe more (an upper bound) */
    size_t narrow[KH_IND_COUNT];
} kh_protect_stats_t;

/* Applies step 7.3 with threshold k in place: marks cells suppressed as
 * kh_disclosure_suppress() does (dependants included, cost_per_attained
 * following exit's attained), deterministically. k <= 0 does nothing.
 * stats may be NULL. Returns 0 or a negative code (kh_strerror()). */
int kh_protect_year(kh_year_tables_t *year, int k, kh_protect_stats_t *stats);

/* The hook called after every linear program of kh_protect_year() (a
 * stored year's point), for heartbeats; NULL: none. */
void kh_protect_set_progress(kh_outsider_progress_fn fn, void *ctx);

#endif
