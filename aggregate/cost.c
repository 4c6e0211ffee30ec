/* cost.c - table `cost` of kohort-aggregate (spec/indicators.md section 5):
 * the ref_kostnader rows kept until kh_agg_finish(), summed per (kommnr,
 * year), cost and admin per person, their index against the year's mean,
 * and cost per attained exit, which follows the exit table's disclosure.
 * Exact GMP arithmetic, rounded once. See indicators.h and
 * indicators_impl.h. */
#include <stdlib.h>
#include <string.h>
#include <gmp.h>

#include "aggregate/decimal.h"
#include "aggregate/indicators_impl.h"
#include "aggregate/relations.h"
#include "proto/err.h"
#include "proto/util.h"

/* One ref_kostnader row (amounts and persons exact). */
struct cost {
    int32_t kommnr, year;
    mpq_t total, admin, persons;
};

int kh_agg_add_cost(kh_agg_t *agg, int kommnr, int year, const char *total, const char *admin,
                    const char *persons)
{
    if (agg->finished || kommnr < 1 || kommnr > 9999)
        return KH_E_PROTOCOL;
    cost_t *row = kh_xmalloc(sizeof *row);
    mpq_inits(row->total, row->admin, row->persons, NULL);
    if (kh_decimal_parse(row->total, total) != 0 || kh_decimal_parse(row->admin, admin) != 0 ||
        kh_decimal_parse(row->persons, persons) != 0) {
        mpq_clears(row->total, row->admin, row->persons, NULL);
        free(row);
        return KH_E_DECODE;
    }
    if (year < agg->params.cohort_from || year > agg->params.cohort_to) {
        mpq_clears(row->total, row->admin, row->persons, NULL);
        free(row);
        return 0;
    }
    row->kommnr = kommnr;
    row->year = year;
    agg->cost = kh_agg_grow(agg->cost, agg->ncost, &agg->cap_cost, sizeof *agg->cost);
    agg->cost[agg->ncost++] = row;
    return 0;
}

void kh_agg_cost_free(kh_agg_t *agg)
{
    for (size_t i = 0; i < agg->ncost; i++) {
        mpq_clears(agg->cost[i]->total, agg->cost[i]->admin, agg->cost[i]->persons, NULL);
        free(agg->cost[i]);
    }
    free(agg->cost);
    agg->cost = NULL;
    agg->ncost = agg->cap_cost = 0;
}

static int by_cost_key(const void *pa, const void *pb)
{
    const cost_t *a = *(cost_t *const *)pa, *b = *(cost_t *const *)pb;
    if (a->kommnr != b->kommnr)
        return a->kommnr < b->kommnr ? -1 : 1;
    return a->year < b->year ? -1 : a->year > b->year;
}

/* Sums the rows that landed on one (kommnr, year), keeping the first. */
static void merge_cost_rows(kh_agg_t *agg)
{
    if (agg->ncost > 1)
        qsort(agg->cost, agg->ncost, sizeof *agg->cost, by_cost_key);
    size_t kept = 0;
    for (size_t i = 0; i < agg->ncost; i++) {
        cost_t *row = agg->cost[i];
        if (kept > 0 && by_cost_key(&agg->cost[kept - 1], &row) == 0) {
            cost_t *into = agg->cost[kept - 1];
            mpq_add(into->total, into->total, row->total);
            mpq_add(into->admin, into->admin, row->admin);
            mpq_add(into->persons, into->persons, row->persons);
            mpq_clears(row->total, row->admin, row->persons, NULL);
            free(row);
        } else {
            agg->cost[kept++] = row;
        }
    }
    agg->ncost = kept;
}

/* amount / persons, or 0 with *ok = 0 when persons is 0. */
static void per_person(mpq_t out, const mpq_t amount, const mpq_t persons, int *ok)
{
    *ok = mpq_sgn(persons) != 0;
    if (*ok)
        mpq_div(out, amount, persons);
    else
        mpq_set_ui(out, 0, 1);
}

/* 100 * value / (sum / count): the index against the year's unweighted mean. */
static int set_index(kh_indrow_t *row, int col, const mpq_t value, const mpq_t sum, size_t count)
{
    if (mpq_sgn(sum) == 0 || count == 0)
        return 0;
    mpq_t index;
    mpq_init(index);
    mpq_set_ui(index, (unsigned long)count, 1);
    mpq_mul(index, index, value);
    mpq_div(index, index, sum);
    mpz_mul_ui(mpq_numref(index), mpq_numref(index), 100);
    mpq_canonicalize(index);
    int rc = kh_agg_set_rational(row, KH_IND_COST, col, index);
    mpq_clear(index);
    return rc;
}

/* cost_per_attained: suppressed with the exit row's `attained`. */
static int cost_per_attained(kh_agg_t *agg, kh_indrow_t *row, const cost_t *cost)
{
    size_t at = kh_relations_exit_row(agg->rows[KH_IND_EXIT], agg->nrows[KH_IND_EXIT],
                                      cost->kommnr, cost->year);
    if (at == SIZE_MAX)
        return 0;
    const kh_indrow_t *exit = &agg->rows[KH_IND_EXIT][at];
    if (exit->suppressed_mask & (UINT32_C(1) << KH_EXIT_ATTAINED)) {
        row->suppressed = 1;
        row->suppressed_mask |= UINT32_C(1) << KH_COST_COST_PER_ATTAINED;
        return 0;
    }
    int64_t attained = exit->value[KH_EXIT_ATTAINED];
    if (attained == 0)
        return 0;
    mpq_t v;
    mpq_init(v);
    mpq_set(v, cost->total);
    mpz_t a;
    mpz_init(a);
    kh_decimal_set_i64(a, attained);
    mpz_mul(mpq_denref(v), mpq_denref(v), a);
    mpq_canonicalize(v);
    int rc = kh_agg_set_rational(row, KH_IND_COST, KH_COST_COST_PER_ATTAINED, v);
    mpz_clear(a);
    mpq_clear(v);
    return rc;
}

/* Per year: the sums of cost and admin per person over its cost rows. */
typedef struct {
    mpq_t cost_sum, admin_sum;
    size_t count;
} year_mean_t;

static void year_means(const kh_agg_t *agg, year_mean_t *means, size_t nyears)
{
    mpq_t v;
    mpq_init(v);
    for (size_t y = 0; y < nyears; y++) {
        mpq_inits(means[y].cost_sum, means[y].admin_sum, NULL);
        means[y].count = 0;
    }
    for (size_t i = 0; i < agg->ncost; i++) {
        const cost_t *cost = agg->cost[i];
        year_mean_t *m = &means[cost->year - agg->params.cohort_from];
        int ok;
        per_person(v, cost->total, cost->persons, &ok);
        if (!ok)
            continue;
        mpq_add(m->cost_sum, m->cost_sum, v);
        per_person(v, cost->admin, cost->persons, &ok);
        mpq_add(m->admin_sum, m->admin_sum, v);
        m->count++;
    }
    mpq_clear(v);
}

static int cost_row(kh_agg_t *agg, kh_indrow_t *row, const cost_t *cost, const year_mean_t *mean)
{
    memset(row, 0, sizeof *row);
    row->kommnr = cost->kommnr;
    row->key2 = cost->year;
    mpq_t cpp, app;
    mpq_inits(cpp, app, NULL);
    int ok, rc = 0;
    per_person(cpp, cost->total, cost->persons, &ok);
    per_person(app, cost->admin, cost->persons, &ok);
    if (ok) {
        rc = kh_agg_set_rational(row, KH_IND_COST, KH_COST_COST_PER_PERSON, cpp);
        if (rc == 0)
            rc = set_index(row, KH_COST_COST_INDEX, cpp, mean->cost_sum, mean->count);
        if (rc == 0)
            rc = set_index(row, KH_COST_ADMIN_INDEX, app, mean->admin_sum, mean->count);
    }
    if (rc == 0)
        rc = cost_per_attained(agg, row, cost);
    mpq_clears(cpp, app, NULL);
    return rc;
}

int kh_agg_cost_build(kh_agg_t *agg)
{
    merge_cost_rows(agg);
    size_t nyears = (size_t)(agg->params.cohort_to - agg->params.cohort_from) + 1;
    year_mean_t *means = kh_xmalloc(nyears * sizeof *means);
    year_means(agg, means, nyears);
    agg->rows[KH_IND_COST] = kh_xcalloc(agg->ncost + 1, sizeof(kh_indrow_t));
    int rc = 0;
    for (size_t i = 0; i < agg->ncost && rc == 0; i++) {
        const cost_t *cost = agg->cost[i];
        rc = cost_row(agg, &agg->rows[KH_IND_COST][agg->nrows[KH_IND_COST]++], cost,
                      &means[cost->year - agg->params.cohort_from]);
    }
    for (size_t y = 0; y < nyears; y++)
        mpq_clears(means[y].cost_sum, means[y].admin_sum, NULL);
    free(means);
    return rc;
}
