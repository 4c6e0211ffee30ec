/* indicators.h - the computation of kohort-aggregate: from the linker's
 * person facts and the reference tables, the indicator tables `exit`,
 * `status`, `cost` and `followup` (followup.c) of spec/indicators.md
 * sections 2-8, with totals rows,
 * predicted attainment, exact once-only rounding and disclosure control.
 * Pure: no sockets; the aggregator's main feeds it and ships its rows. */
#ifndef KH_INDICATORS_H
#define KH_INDICATORS_H

#include <stddef.h>

#include "aggregate/disclosure.h"
#include "aggregate/protect.h"
#include "proto/msg.h"
#include "proto/schema.h"

/* Run parameters: reference year R, cohort window cohort_from..cohort_to
 * (inclusive), disclosure threshold min_cell (k; 0 turns control off). */
typedef struct {
    int ref_year, cohort_from, cohort_to, min_cell;
} kh_agg_params_t;

typedef struct kh_agg kh_agg_t;

/* Caller owns result; free with kh_agg_destroy(). NULL when the parameters
 * are unusable (window reversed or outside years 1..9999, min_cell
 * negative). */
kh_agg_t *kh_agg_new(const kh_agg_params_t *params);

/* Frees everything and sets *agg to NULL; accepts NULL and *agg == NULL. */
void kh_agg_destroy(kh_agg_t **agg);

/* Adds one placed person (copied). Returns 0, or KH_E_PROTOCOL when the
 * person cannot be placed in the tables (cohort outside the window, home
 * not a municipality code 1..9999) or kh_agg_finish() has run. */
int kh_agg_add_person(kh_agg_t *agg, const kh_person_t *person);

/* Adds a ref_monitor row: landbakgrunn and kjonn as codes or KH_STAR, andel
 * a normalised decimal text (copied). A row with KH_STAR in only one column
 * is accepted and not used (spec 4). Returns 0, KH_E_DECODE for a bad
 * andel, KH_E_PROTOCOL for a second (*, *) row or after finish. Duplicates
 * of other keys are reported by kh_agg_finish(). */
int kh_agg_add_monitor(kh_agg_t *agg, int landbakgrunn, int kjonn, const char *andel);

/* Adds a ref_nasjonal row (national attainment `andel` of exit year
 * `year`). Returns 0, KH_E_DECODE or KH_E_PROTOCOL as above. */
int kh_agg_add_national(kh_agg_t *agg, int year, const char *andel);

/* Adds a ref_kostnader row whose kommnr the linker already carried forward;
 * rows landing on one (kommnr, year) are summed (amounts and persons). Rows
 * whose year is outside the cohort window are accepted and not used.
 * Returns 0, KH_E_DECODE for a bad decimal, KH_E_PROTOCOL for a kommnr
 * outside 1..9999 or after finish. */
int kh_agg_add_cost(kh_agg_t *agg, int kommnr, int year, const char *total, const char *admin,
                    const char *persons);

/* Adds the reference rows of a REFDATA message as they come from the
 * linker (msg.h's types, which the aggregator reads directly): every
 * monitor row, then every national row, then every cost row, as the three
 * calls above; `ref`'s names are not used. Returns 0 or the first error of
 * those calls (rows after it are not added). */
int kh_agg_add_refdata(kh_agg_t *agg, const kh_refdata_t *ref);

/* Computes the four tables and applies disclosure control. Call once,
 * after every add. Returns 0, KH_E_PROTOCOL for a duplicate reference key
 * (landbakgrunn, kjonn) or year, -ERANGE when a value overflows int64. */
int kh_agg_finish(kh_agg_t *agg);

/* The rows of `table` after kh_agg_finish(), sorted by kommnr then key2
 * (0 = all municipalities / all cohorts first), in followup then key3, key4; *n gets their number (0 and
 * NULL before finish). Borrowed: valid until kh_agg_destroy(). */
const kh_indrow_t *kh_agg_rows(const kh_agg_t *agg, kh_indtable_t table, size_t *n);

/* The same rows, for changing them after finish (step 7.4 re-closes the
 * run's year). Borrowed: valid until kh_agg_destroy(). */
kh_indrow_t *kh_agg_rows_mut(kh_agg_t *agg, kh_indtable_t table, size_t *n);

/* Per table, the cells step 7.1 suppressed (bit c of [i]: column c of row
 * i; a row suppressed whole has every bit); NULL for cost or before
 * finish. Borrowed: valid until kh_agg_destroy(). */
const uint32_t *kh_agg_primary_masks(const kh_agg_t *agg, kh_indtable_t table);

/* What step 7.3 did to the run's year (kh_protect_year() inside
 * kh_agg_finish()). Borrowed: valid until kh_agg_destroy(). */
const kh_protect_stats_t *kh_agg_protect_stats(const kh_agg_t *agg);

/* Base and count cells of `table` suppressed after steps 7.1 and 7.2, before
 * 7.3 (a row suppressed whole counting as its base and every count), for
 * the ledger's per-step counts. 0 before finish. */
size_t kh_agg_lines_cells(const kh_agg_t *agg, kh_indtable_t table);

/* What disclosure control did to KH_IND_EXIT, KH_IND_STATUS or
 * KH_IND_FOLLOWUP (zeroes
 * before finish or for cost). Borrowed: valid until kh_agg_destroy(). */
const kh_disclosure_stats_t *kh_agg_disclosure_stats(const kh_agg_t *agg, kh_indtable_t table);

#endif
