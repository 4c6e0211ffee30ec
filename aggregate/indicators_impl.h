/* indicators_impl.h - internal to the aggregator's indicator files: the
 * state behind kh_agg_t and the helpers that indicators.c (persons, cells,
 * tables exit and status, disclosure, finish) and cost.c (table `cost`,
 * spec/indicators.md section 5) share. Nothing outside aggregate/ includes
 * it; the public interface is indicators.h. */
#ifndef KH_INDICATORS_IMPL_H
#define KH_INDICATORS_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

#include "aggregate/indicators.h"

/* Reference rows, held by pointer so that GMP values never move: monitor
 * and national in indicators.c, cost in cost.c. */
typedef struct monitor monitor_t;
typedef struct national national_t;
typedef struct cost cost_t;
/* The exact tallies of one (municipality, cohort) cell (indicators.c). */
typedef struct cell cell_t;

/* Open addressing from a (kommnr, cohort) key to 1 + a cell index. */
typedef struct {
    uint32_t *slots;
    size_t cap;                  /* a power of two */
} cell_index_t;

struct kh_agg {
    kh_agg_params_t params;
    int finished;
    int failed;                  /* kh_agg_finish() did not complete */

    kh_person_t *persons;
    size_t npersons, cap_persons;

    monitor_t **monitor;         /* rows with both columns coded */
    size_t nmonitor, cap_monitor;
    monitor_t *star;             /* the (*, *) row, or NULL */
    national_t **national;
    size_t nnational, cap_national;
    cost_t **cost;
    size_t ncost, cap_cost;

    cell_t *cells;
    size_t ncells, cap_cells;
    cell_index_t index;

    kh_indrow_t *rows[KH_IND_COUNT];
    size_t nrows[KH_IND_COUNT];
    uint32_t *primary[KH_IND_COUNT]; /* step 7.1's masks per row */
    kh_disclosure_stats_t stats[KH_IND_COUNT];
    size_t after_lines[KH_IND_COUNT]; /* base/count cells suppressed after 7.1 and 7.2 */
    kh_protect_stats_t protect;
};

/* Makes room for one more element of `size` bytes in a growing array of
 * `count` elements and capacity *cap. Returns the array, perhaps moved. */
void *kh_agg_grow(void *array, size_t count, size_t *cap, size_t size);

/* Sets column `col` of `row` to v rounded once at the schema's scale of
 * (t, col). Returns 0 or kh_decimal_round()'s code (then the column
 * stays empty). */
int kh_agg_set_rational(kh_indrow_t *row, kh_indtable_t t, int col, const mpq_t v);

/* cost.c: builds table `cost` from agg->cost after the exit table's
 * disclosure control (cost_per_attained follows exit's `attained`).
 * Returns 0 or -ERANGE. */
int kh_agg_cost_build(kh_agg_t *agg);

/* cost.c: frees the cost rows and their array. */
void kh_agg_cost_free(kh_agg_t *agg);

#endif
