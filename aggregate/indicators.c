/* indicators.c - grouping, counting and exact arithmetic of kohort-aggregate:
 * the persons, their (municipality, cohort) cells, predicted attainment,
 * tables exit and status, disclosure control and kh_agg_finish(); table
 * cost is cost.c's, followup followup.c's. See indicators.h. Persons are
 * kept until kh_agg_finish(), because the reference tables that predicted
 * attainment needs may arrive after them; all arithmetic is on integers or
 * GMP rationals, rounded once at the end. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <gmp.h>

#include "aggregate/across.h"
#include "aggregate/decimal.h"
#include "aggregate/followup.h"
#include "aggregate/indicators_impl.h"
#include "proto/codes.h"
#include "proto/date.h"
#include "proto/err.h"
#include "proto/util.h"

struct monitor {
    int32_t landbakgrunn, kjonn;
    mpq_t andel;
};

struct national {
    int32_t year;
    mpq_t andel;
};

/* The exact tallies of one (municipality, cohort) cell, totals included. */
struct cell {
    int32_t kommnr, cohort;
    int64_t exits, attained, to_work, to_education, parental_leave, extended;
    int64_t duration_days;       /* sum of avgangsdato - startdato */
    int prediction_unavailable;  /* a national figure this row needs is missing */
    int64_t persons, work, education, work_or_education, sa_recipients, sa_total;
};

/* ---- Life cycle and input ------------------------------------------------ */

kh_agg_t *kh_agg_new(const kh_agg_params_t *params)
{
    if (!params || params->cohort_from < 1 || params->cohort_to > 9999 ||
        params->cohort_from > params->cohort_to || params->min_cell < 0)
        return NULL;
    kh_agg_t *agg = kh_xcalloc(1, sizeof *agg);
    agg->params = *params;
    return agg;
}

static void free_reference(kh_agg_t *agg)
{
    for (size_t i = 0; i < agg->nmonitor; i++) {
        mpq_clear(agg->monitor[i]->andel);
        free(agg->monitor[i]);
    }
    if (agg->star) {
        mpq_clear(agg->star->andel);
        free(agg->star);
    }
    for (size_t i = 0; i < agg->nnational; i++) {
        mpq_clear(agg->national[i]->andel);
        free(agg->national[i]);
    }
    free(agg->monitor);
    free(agg->national);
    kh_agg_cost_free(agg);
}

void kh_agg_destroy(kh_agg_t **pagg)
{
    if (!pagg || !*pagg)
        return;
    kh_agg_t *agg = *pagg;
    free_reference(agg);
    free(agg->persons);
    free(agg->cells);
    free(agg->index.slots);
    for (int t = 0; t < KH_IND_COUNT; t++)
        free(agg->rows[t]);
    for (int t = 0; t < KH_IND_COUNT; t++)
        free(agg->primary[t]);
    free(agg);
    *pagg = NULL;
}

void *kh_agg_grow(void *array, size_t count, size_t *cap, size_t size)
{
    if (count < *cap)
        return array;
    *cap = *cap ? *cap * 2 : 16;
    return kh_xrealloc(array, *cap * size);
}

int kh_agg_add_person(kh_agg_t *agg, const kh_person_t *person)
{
    if (agg->finished || person->cohort < agg->params.cohort_from ||
        person->cohort > agg->params.cohort_to || person->home < 1 || person->home > 9999)
        return KH_E_PROTOCOL;
    agg->persons =
        kh_agg_grow(agg->persons, agg->npersons, &agg->cap_persons, sizeof *agg->persons);
    agg->persons[agg->npersons++] = *person;
    return 0;
}

int kh_agg_add_monitor(kh_agg_t *agg, int landbakgrunn, int kjonn, const char *andel)
{
    if (agg->finished)
        return KH_E_PROTOCOL;
    monitor_t *row = kh_xmalloc(sizeof *row);
    mpq_init(row->andel);
    if (kh_decimal_parse(row->andel, andel) != 0) {
        mpq_clear(row->andel);
        free(row);
        return KH_E_DECODE;
    }
    row->landbakgrunn = landbakgrunn;
    row->kjonn = kjonn;
    int stars = (landbakgrunn == KH_STAR) + (kjonn == KH_STAR);
    if (stars == 2 && !agg->star) {
        agg->star = row;
        return 0;
    }
    if (stars == 0) {
        agg->monitor =
            kh_agg_grow(agg->monitor, agg->nmonitor, &agg->cap_monitor, sizeof *agg->monitor);
        agg->monitor[agg->nmonitor++] = row;
        return 0;
    }
    /* A row with one `*` is not used (spec 4); a second (*, *) is an error. */
    mpq_clear(row->andel);
    free(row);
    return stars == 2 ? KH_E_PROTOCOL : 0;
}

int kh_agg_add_national(kh_agg_t *agg, int year, const char *andel)
{
    if (agg->finished)
        return KH_E_PROTOCOL;
    national_t *row = kh_xmalloc(sizeof *row);
    mpq_init(row->andel);
    if (kh_decimal_parse(row->andel, andel) != 0) {
        mpq_clear(row->andel);
        free(row);
        return KH_E_DECODE;
    }
    row->year = year;
    agg->national =
        kh_agg_grow(agg->national, agg->nnational, &agg->cap_national, sizeof *agg->national);
    agg->national[agg->nnational++] = row;
    return 0;
}

int kh_agg_add_refdata(kh_agg_t *agg, const kh_refdata_t *ref)
{
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < ref->nmonitor; i++)
        rc = kh_agg_add_monitor(agg, ref->monitor[i].landbakgrunn, ref->monitor[i].kjonn,
                                ref->monitor[i].andel);
    for (uint32_t i = 0; rc == 0 && i < ref->nnational; i++)
        rc = kh_agg_add_national(agg, ref->national[i].year, ref->national[i].andel);
    for (uint32_t i = 0; rc == 0 && i < ref->ncost; i++)
        rc = kh_agg_add_cost(agg, ref->cost[i].kommnr, ref->cost[i].year, ref->cost[i].total,
                             ref->cost[i].admin, ref->cost[i].persons);
    return rc;
}

/* ---- Cells ------------------------------------------------------------------ */

static uint64_t cell_key(int32_t kommnr, int32_t cohort)
{
    return (uint64_t)(uint32_t)kommnr << 32 | (uint32_t)cohort;
}

static size_t key_hash(uint64_t key, size_t cap)
{
    key ^= key >> 31;
    key *= UINT64_C(0x9e3779b97f4a7c15);
    key ^= key >> 29;
    return (size_t)key & (cap - 1);
}

static void index_put(cell_index_t *index, const cell_t *cells, size_t cell)
{
    size_t i = key_hash(cell_key(cells[cell].kommnr, cells[cell].cohort), index->cap);
    while (index->slots[i])
        i = (i + 1) & (index->cap - 1);
    index->slots[i] = (uint32_t)(cell + 1);
}

/* Keeps the load factor at most one half. */
static void index_reserve(kh_agg_t *agg)
{
    if ((agg->ncells + 1) * 2 <= agg->index.cap)
        return;
    free(agg->index.slots);
    agg->index.cap = agg->index.cap ? agg->index.cap * 2 : 1024;
    agg->index.slots = kh_xcalloc(agg->index.cap, sizeof *agg->index.slots);
    for (size_t c = 0; c < agg->ncells; c++)
        index_put(&agg->index, agg->cells, c);
}

/* The cell of (kommnr, cohort), created empty on first use. */
static cell_t *cell_get(kh_agg_t *agg, int32_t kommnr, int32_t cohort)
{
    index_reserve(agg);
    uint64_t key = cell_key(kommnr, cohort);
    size_t i = key_hash(key, agg->index.cap);
    while (agg->index.slots[i]) {
        cell_t *cell = &agg->cells[agg->index.slots[i] - 1];
        if (cell_key(cell->kommnr, cell->cohort) == key)
            return cell;
        i = (i + 1) & (agg->index.cap - 1);
    }
    agg->cells = kh_agg_grow(agg->cells, agg->ncells, &agg->cap_cells, sizeof *agg->cells);
    cell_t *cell = &agg->cells[agg->ncells];
    memset(cell, 0, sizeof *cell);
    cell->kommnr = kommnr;
    cell->cohort = cohort;
    agg->index.slots[i] = (uint32_t)(agg->ncells + 1);
    agg->ncells++;
    return cell;
}

/* The four cells a person counts in: (H, C), (0000, C), (H, 0000) and the
 * grand total. */
static void person_cells(kh_agg_t *agg, const kh_person_t *p, size_t out[4])
{
    out[0] = (size_t)(cell_get(agg, p->home, p->cohort) - agg->cells);
    out[1] = (size_t)(cell_get(agg, 0, p->cohort) - agg->cells);
    out[2] = (size_t)(cell_get(agg, p->home, 0) - agg->cells);
    out[3] = (size_t)(cell_get(agg, 0, 0) - agg->cells);
}


/* Exit later than startdato + 2 calendar years (29 Feb + 2 = 28 Feb). */
static int person_extended(const kh_person_t *p)
{
    return p->exit_date > kh_date_add_years(p->start_date, 2);
}

static int add_i64(int64_t *sum, int64_t v)
{
    return __builtin_add_overflow(*sum, v, sum) ? -ERANGE : 0;
}

static int tally_person(cell_t *cell, const kh_person_t *p)
{
    cell->exits++;
    cell->attained += kh_slutt_attained(p->status);
    cell->to_work += kh_slutt_work(p->status);
    cell->to_education += kh_slutt_education(p->status);
    cell->parental_leave += p->status == KH_SLUTT_PARENTAL_LEAVE;
    cell->extended += person_extended(p);
    int rc = add_i64(&cell->duration_days, (int64_t)p->exit_date - p->start_date);
    if (!p->resident || rc != 0)
        return rc;
    cell->persons++;
    cell->work += p->work != 0;
    cell->education += p->education != 0;
    cell->work_or_education += p->work != 0 || p->education != 0;
    /* An unknown (KH_NULL) or non-positive amount adds nothing. */
    if (p->sa_amount > 0) {
        cell->sa_recipients++;
        rc = add_i64(&cell->sa_total, p->sa_amount);
    }
    return rc;
}

static int tally_persons(kh_agg_t *agg)
{
    for (size_t i = 0; i < agg->npersons; i++) {
        size_t cells[4];
        person_cells(agg, &agg->persons[i], cells);
        for (int c = 0; c < 4; c++) {
            int rc = tally_person(&agg->cells[cells[c]], &agg->persons[i]);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

/* A cell's key and position, for sorting cells into print order. */
typedef struct {
    int32_t kommnr, cohort;
    size_t cell;
} cell_order_t;

static int by_cell_key(const void *pa, const void *pb)
{
    const cell_order_t *a = pa, *b = pb;
    if (a->kommnr != b->kommnr)
        return a->kommnr < b->kommnr ? -1 : 1;
    if (a->cohort != b->cohort)
        return a->cohort < b->cohort ? -1 : 1;
    return 0;
}

/* ---- Predicted attainment ----------------------------------------------------
 * With r = andel_p / andel_star and every andel a decimal, the sum over a
 * row's exits of r * national(C) is S / (M_star * L_n) where M = andel * L_m
 * and N = national * L_n are integers (L_m, L_n the lcm of the
 * denominators) and S = sum of M_p * N_C. S is summed exactly per cell, so
 * the predicted share is exact, not a double. */

typedef struct {
    int available;       /* (*, *) present with andel > 0 */
    mpz_t *monitor_m;    /* M of agg->monitor[i], sorted like it */
    mpz_t star_m;
    mpz_t *national_n;   /* N of agg->national[i], sorted by year */
    mpz_t l_n;
    mpz_t *cell_sum;     /* S per cell */
} prediction_t;

static int by_monitor_key(const void *pa, const void *pb)
{
    const monitor_t *a = *(monitor_t *const *)pa, *b = *(monitor_t *const *)pb;
    if (a->landbakgrunn != b->landbakgrunn)
        return a->landbakgrunn < b->landbakgrunn ? -1 : 1;
    if (a->kjonn != b->kjonn)
        return a->kjonn < b->kjonn ? -1 : 1;
    return 0;
}

static int by_national_year(const void *pa, const void *pb)
{
    const national_t *a = *(national_t *const *)pa, *b = *(national_t *const *)pb;
    return a->year < b->year ? -1 : a->year > b->year;
}

/* Sorts the reference tables and refuses duplicate keys. */
static int sort_reference(kh_agg_t *agg)
{
    if (agg->nmonitor > 1)
        qsort(agg->monitor, agg->nmonitor, sizeof *agg->monitor, by_monitor_key);
    for (size_t i = 1; i < agg->nmonitor; i++)
        if (by_monitor_key(&agg->monitor[i - 1], &agg->monitor[i]) == 0)
            return KH_E_PROTOCOL;
    if (agg->nnational > 1)
        qsort(agg->national, agg->nnational, sizeof *agg->national, by_national_year);
    for (size_t i = 1; i < agg->nnational; i++)
        if (agg->national[i - 1]->year == agg->national[i]->year)
            return KH_E_PROTOCOL;
    return 0;
}

static void scale_to_integer(mpz_t out, const mpq_t value, const mpz_t lcm)
{
    mpz_divexact(out, lcm, mpq_denref(value));
    mpz_mul(out, out, mpq_numref(value));
}

static void prediction_init(prediction_t *pred, const kh_agg_t *agg)
{
    memset(pred, 0, sizeof *pred);
    mpz_inits(pred->star_m, pred->l_n, NULL);
    pred->available = agg->star && mpq_sgn(agg->star->andel) > 0;
    if (!pred->available)
        return;
    mpz_t l_m;
    mpz_init_set(l_m, mpq_denref(agg->star->andel));
    for (size_t i = 0; i < agg->nmonitor; i++)
        mpz_lcm(l_m, l_m, mpq_denref(agg->monitor[i]->andel));
    mpz_set_ui(pred->l_n, 1);
    for (size_t i = 0; i < agg->nnational; i++)
        mpz_lcm(pred->l_n, pred->l_n, mpq_denref(agg->national[i]->andel));

    scale_to_integer(pred->star_m, agg->star->andel, l_m);
    pred->monitor_m = kh_xmalloc((agg->nmonitor + 1) * sizeof(mpz_t));
    for (size_t i = 0; i < agg->nmonitor; i++) {
        mpz_init(pred->monitor_m[i]);
        scale_to_integer(pred->monitor_m[i], agg->monitor[i]->andel, l_m);
    }
    pred->national_n = kh_xmalloc((agg->nnational + 1) * sizeof(mpz_t));
    for (size_t i = 0; i < agg->nnational; i++) {
        mpz_init(pred->national_n[i]);
        scale_to_integer(pred->national_n[i], agg->national[i]->andel, pred->l_n);
    }
    pred->cell_sum = kh_xmalloc((agg->ncells + 1) * sizeof(mpz_t));
    for (size_t c = 0; c < agg->ncells; c++)
        mpz_init(pred->cell_sum[c]);
    mpz_clear(l_m);
}

static void prediction_clear(prediction_t *pred, const kh_agg_t *agg)
{
    if (pred->available) {
        for (size_t i = 0; i < agg->nmonitor; i++)
            mpz_clear(pred->monitor_m[i]);
        for (size_t i = 0; i < agg->nnational; i++)
            mpz_clear(pred->national_n[i]);
        for (size_t c = 0; c < agg->ncells; c++)
            mpz_clear(pred->cell_sum[c]);
    }
    free(pred->monitor_m);
    free(pred->national_n);
    free(pred->cell_sum);
    mpz_clears(pred->star_m, pred->l_n, NULL);
}

/* M of a person: the exact (landbakgrunn, kjonn) row, else the (*, *) row's
 * (r = 1), which is also what a person without befolkning row gets. */
static const mpz_t *person_m(const prediction_t *pred, const kh_agg_t *agg, const kh_person_t *p)
{
    if (p->landbakgrunn < 0 || p->kjonn < 0 || agg->nmonitor == 0)
        return (const mpz_t *)&pred->star_m;
    monitor_t probe = {.landbakgrunn = p->landbakgrunn, .kjonn = p->kjonn};
    const monitor_t *key = &probe;
    monitor_t **hit = bsearch(&key, agg->monitor, agg->nmonitor, sizeof *agg->monitor,
                              by_monitor_key);
    if (!hit)
        return (const mpz_t *)&pred->star_m;
    return (const mpz_t *)&pred->monitor_m[hit - agg->monitor];
}

/* Index of the national figure of `year`, or -1. */
static ptrdiff_t national_index(const kh_agg_t *agg, int32_t year)
{
    size_t lo = 0, hi = agg->nnational;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (agg->national[mid]->year < year)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < agg->nnational && agg->national[lo]->year == year ? (ptrdiff_t)lo : -1;
}

static void sum_predictions(kh_agg_t *agg, prediction_t *pred)
{
    if (!pred->available)
        return;
    mpz_t weight;
    mpz_init(weight);
    for (size_t i = 0; i < agg->npersons; i++) {
        const kh_person_t *p = &agg->persons[i];
        size_t cells[4];
        person_cells(agg, p, cells);
        ptrdiff_t year = national_index(agg, p->cohort);
        if (year >= 0)
            mpz_mul(weight, *person_m(pred, agg, p), pred->national_n[year]);
        for (int c = 0; c < 4; c++) {
            if (year < 0)
                agg->cells[cells[c]].prediction_unavailable = 1;
            else
                mpz_add(pred->cell_sum[cells[c]], pred->cell_sum[cells[c]], weight);
        }
    }
    mpz_clear(weight);
}

/* predicted = min(1, S / (M_star * L_n * exits)), exactly. */
static void predicted_share(mpq_t out, const prediction_t *pred, size_t cell, int64_t exits)
{
    mpz_set(mpq_numref(out), pred->cell_sum[cell]);
    kh_decimal_set_i64(mpq_denref(out), exits);
    mpz_mul(mpq_denref(out), mpq_denref(out), pred->star_m);
    mpz_mul(mpq_denref(out), mpq_denref(out), pred->l_n);
    mpq_canonicalize(out);
    if (mpq_cmp_ui(out, 1, 1) > 0)
        mpq_set_ui(out, 1, 1);
}

/* ---- Rows ------------------------------------------------------------------- */

static void set_count(kh_indrow_t *row, int col, int64_t v)
{
    row->value[col] = v;
    row->present[col] = 1;
}

/* A rounded num/den at the schema's scale of (t, col); empty when den is 0. */
static int set_ratio(kh_indrow_t *row, kh_indtable_t t, int col, int64_t num, int64_t den)
{
    if (den == 0)
        return 0;
    int scale = kh_schema_indtable(t)->cols[col].scale;
    int rc = kh_decimal_round_ratio(num, den, scale, &row->value[col]);
    row->present[col] = rc == 0;
    return rc;
}

int kh_agg_set_rational(kh_indrow_t *row, kh_indtable_t t, int col, const mpq_t v)
{
    int rc = kh_decimal_round(v, kh_schema_indtable(t)->cols[col].scale, &row->value[col]);
    row->present[col] = rc == 0;
    return rc;
}

static int predicted_cells(kh_indrow_t *row, const cell_t *cell, const prediction_t *pred,
                           size_t c)
{
    if (!pred->available || cell->prediction_unavailable)
        return 0;
    mpq_t predicted, residual;
    mpq_inits(predicted, residual, NULL);
    predicted_share(predicted, pred, c, cell->exits);
    int rc = kh_agg_set_rational(row, KH_IND_EXIT, KH_EXIT_PREDICTED_SHARE, predicted);
    if (rc == 0) {
        kh_decimal_set_i64(mpq_numref(residual), cell->attained);
        kh_decimal_set_i64(mpq_denref(residual), cell->exits);
        mpq_canonicalize(residual);
        mpq_sub(residual, residual, predicted);
        rc = kh_agg_set_rational(row, KH_IND_EXIT, KH_EXIT_RESIDUAL, residual);
    }
    mpq_clears(predicted, residual, NULL);
    return rc;
}

static int exit_row(kh_indrow_t *row, const cell_t *cell, const prediction_t *pred, size_t c)
{
    memset(row, 0, sizeof *row);
    row->kommnr = cell->kommnr;
    row->key2 = cell->cohort;
    set_count(row, KH_EXIT_EXITS, cell->exits);
    set_count(row, KH_EXIT_ATTAINED, cell->attained);
    set_count(row, KH_EXIT_TO_WORK, cell->to_work);
    set_count(row, KH_EXIT_TO_EDUCATION, cell->to_education);
    set_count(row, KH_EXIT_PARENTAL_LEAVE, cell->parental_leave);
    set_count(row, KH_EXIT_EXTENDED, cell->extended);
    int rc = set_ratio(row, KH_IND_EXIT, KH_EXIT_ATTAINED_SHARE, cell->attained, cell->exits);
    if (rc == 0)
        rc = set_ratio(row, KH_IND_EXIT, KH_EXIT_ATTAINED_SHARE_ADJUSTED, cell->attained,
                       cell->exits - cell->parental_leave);
    if (rc == 0)
        rc = set_ratio(row, KH_IND_EXIT, KH_EXIT_MEAN_DURATION_DAYS, cell->duration_days,
                       cell->exits);
    if (rc == 0)
        rc = set_ratio(row, KH_IND_EXIT, KH_EXIT_EXTENDED_SHARE, cell->extended, cell->exits);
    if (rc == 0)
        rc = predicted_cells(row, cell, pred, c);
    return rc;
}

static int status_row(kh_indrow_t *row, const cell_t *cell)
{
    memset(row, 0, sizeof *row);
    row->kommnr = cell->kommnr;
    row->key2 = cell->cohort;
    set_count(row, KH_STATUS_PERSONS, cell->persons);
    set_count(row, KH_STATUS_WORK, cell->work);
    set_count(row, KH_STATUS_EDUCATION, cell->education);
    set_count(row, KH_STATUS_WORK_OR_EDUCATION, cell->work_or_education);
    set_count(row, KH_STATUS_SA_RECIPIENTS, cell->sa_recipients);
    set_count(row, KH_STATUS_SA_TOTAL, cell->sa_total);
    int rc = set_ratio(row, KH_IND_STATUS, KH_STATUS_WORK_OR_EDUCATION_SHARE,
                       cell->work_or_education, cell->persons);
    if (rc == 0)
        rc = set_ratio(row, KH_IND_STATUS, KH_STATUS_SA_SHARE, cell->sa_recipients, cell->persons);
    if (rc == 0)
        rc = set_ratio(row, KH_IND_STATUS, KH_STATUS_SA_MEAN_PER_RECIPIENT, cell->sa_total,
                       cell->sa_recipients);
    return rc;
}

/* Cells are sorted by key here, so the rows come out in print order. */
static int build_person_tables(kh_agg_t *agg, const prediction_t *pred, const size_t *order)
{
    agg->rows[KH_IND_EXIT] = kh_xcalloc(agg->ncells + 1, sizeof(kh_indrow_t));
    agg->rows[KH_IND_STATUS] = kh_xcalloc(agg->ncells + 1, sizeof(kh_indrow_t));
    for (size_t i = 0; i < agg->ncells; i++) {
        const cell_t *cell = &agg->cells[order[i]];
        int rc = exit_row(&agg->rows[KH_IND_EXIT][agg->nrows[KH_IND_EXIT]++], cell, pred, order[i]);
        if (rc == 0 && cell->persons > 0)
            rc = status_row(&agg->rows[KH_IND_STATUS][agg->nrows[KH_IND_STATUS]++], cell);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- Finish ----------------------------------------------------------------- */

/* Steps 7.1 and 7.2 per table, then 7.3 over the year's tables together
 * (the cost table is built afterwards and follows exit's `attained`). */
static int apply_disclosure(kh_agg_t *agg)
{
    int k = agg->params.min_cell;
    kh_year_tables_t year;
    memset(&year, 0, sizeof year);
    year.values_known = 1;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        const kh_disclosure_spec_t *spec = kh_disclosure_spec((kh_indtable_t)t);
        if (!spec)
            continue;
        size_t n = agg->nrows[t];
        agg->primary[t] = kh_xcalloc(n + 1, sizeof(uint32_t));
        int rc = kh_disclosure_primary(agg->rows[t], n, spec, k, agg->primary[t]);
        uint32_t *masks = kh_xcalloc(n + 1, sizeof *masks);
        if (rc == 0)
            rc = kh_disclosure_apply(agg->rows[t], n, spec, k, masks, &agg->stats[t]);
        free(masks);
        if (rc != 0)
            return rc;
        year.rows[t] = agg->rows[t];
        year.n[t] = n;
        year.primary[t] = agg->primary[t];
        agg->after_lines[t] = kh_across_count((kh_indtable_t)t, agg->rows[t], n, NULL);
    }
    return kh_protect_year(&year, k, &agg->protect);
}

/* Positions of the cells in (kommnr, cohort) order. */
static size_t *sorted_cell_order(const kh_agg_t *agg)
{
    cell_order_t *keys = kh_xmalloc((agg->ncells + 1) * sizeof *keys);
    for (size_t i = 0; i < agg->ncells; i++)
        keys[i] = (cell_order_t){agg->cells[i].kommnr, agg->cells[i].cohort, i};
    if (agg->ncells > 1)
        qsort(keys, agg->ncells, sizeof *keys, by_cell_key);
    size_t *order = kh_xmalloc((agg->ncells + 1) * sizeof *order);
    for (size_t i = 0; i < agg->ncells; i++)
        order[i] = keys[i].cell;
    free(keys);
    return order;
}

int kh_agg_finish(kh_agg_t *agg)
{
    if (agg->finished)
        return KH_E_PROTOCOL;
    agg->finished = 1;
    agg->failed = 1; /* until every table is complete */
    int rc = sort_reference(agg);
    if (rc == 0)
        rc = tally_persons(agg);
    if (rc != 0)
        return rc;
    prediction_t pred;
    prediction_init(&pred, agg);
    sum_predictions(agg, &pred);
    size_t *order = sorted_cell_order(agg);
    rc = build_person_tables(agg, &pred, order);
    free(order);
    prediction_clear(&pred, agg);
    if (rc == 0)
        rc = kh_followup_build(agg->persons, agg->npersons, &agg->rows[KH_IND_FOLLOWUP],
                               &agg->nrows[KH_IND_FOLLOWUP]);
    if (rc == 0)
        rc = apply_disclosure(agg);
    if (rc == 0)
        rc = kh_agg_cost_build(agg);
    agg->failed = rc != 0;
    return rc;
}

const kh_indrow_t *kh_agg_rows(const kh_agg_t *agg, kh_indtable_t table, size_t *n)
{
    *n = 0;
    if (!agg || !agg->finished || agg->failed || (int)table < 0 || table >= KH_IND_COUNT)
        return NULL;
    *n = agg->nrows[table];
    return agg->rows[table];
}

const kh_disclosure_stats_t *kh_agg_disclosure_stats(const kh_agg_t *agg, kh_indtable_t table)
{
    static const kh_disclosure_stats_t none;
    if (!agg || (int)table < 0 || table >= KH_IND_COUNT)
        return &none;
    return &agg->stats[table];
}

kh_indrow_t *kh_agg_rows_mut(kh_agg_t *agg, kh_indtable_t table, size_t *n)
{
    return (kh_indrow_t *)kh_agg_rows(agg, table, n);
}

const uint32_t *kh_agg_primary_masks(const kh_agg_t *agg, kh_indtable_t table)
{
    return table >= 0 && table < KH_IND_COUNT ? agg->primary[table] : NULL;
}

const kh_protect_stats_t *kh_agg_protect_stats(const kh_agg_t *agg)
{
    return &agg->protect;
}

size_t kh_agg_lines_cells(const kh_agg_t *agg, kh_indtable_t table)
{
    return agg && (int)table >= 0 && table < KH_IND_COUNT ? agg->after_lines[table] : 0;
}
