/* followup.c - counting table `followup`; see followup.h. Cells are a dense
 * array over the municipalities and cohorts that occur (index 0 = the
 * total), the three horizons and the four kjonn values, so that walking it
 * in index order gives the rows in print order. */
#include "aggregate/followup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/decimal.h"
#include "proto/util.h"

/* kjonn values in print order; index 0 is the total. */
static const int32_t kjonn_codes[4] = {0, 1, 2, 9};

typedef struct {
    int64_t persons, work, education, work_or_education, sa_recipients, moved;
} tally_t;

int kh_followup_kjonn(const kh_person_t *person)
{
    return person->kjonn == 1 || person->kjonn == 2 ? person->kjonn : 9;
}

static int by_int(const void *pa, const void *pb)
{
    int32_t a = *(const int32_t *)pa, b = *(const int32_t *)pb;
    return (a > b) - (a < b);
}

/* Sorted distinct values with a leading 0 (the total); returns their number. */
static size_t distinct(int32_t *values, size_t n)
{
    qsort(values, n, sizeof *values, by_int);
    size_t kept = 1;
    for (size_t i = 1; i < n; i++)
        if (values[i] != values[kept - 1])
            values[kept++] = values[i];
    return kept;
}

static size_t index_of(const int32_t *values, size_t n, int32_t v)
{
    const int32_t *at = bsearch(&v, values, n, sizeof *values, by_int);
    return (size_t)(at - values);
}

static void tally(tally_t *t, unsigned bits)
{
    t->persons++;
    t->work += (bits & KH_FU_WORK) != 0;
    t->education += (bits & KH_FU_EDUCATION) != 0;
    t->work_or_education += (bits & (KH_FU_WORK | KH_FU_EDUCATION)) != 0;
    t->sa_recipients += (bits & KH_FU_SA) != 0;
    t->moved += (bits & KH_FU_MOVED) != 0;
}

static void set_count(kh_indrow_t *row, int col, int64_t v)
{
    row->value[col] = v;
    row->present[col] = 1;
}

static int set_share(kh_indrow_t *row, int col, int64_t num, int64_t den)
{
    int scale = kh_schema_indtable(KH_IND_FOLLOWUP)->cols[col].scale;
    int rc = kh_decimal_round_ratio(num, den, scale, &row->value[col]);
    row->present[col] = rc == 0;
    return rc;
}

static int fill_row(kh_indrow_t *row, const tally_t *t)
{
    set_count(row, KH_FOLLOWUP_PERSONS, t->persons);
    set_count(row, KH_FOLLOWUP_WORK, t->work);
    set_count(row, KH_FOLLOWUP_EDUCATION, t->education);
    set_count(row, KH_FOLLOWUP_WORK_OR_EDUCATION, t->work_or_education);
    set_count(row, KH_FOLLOWUP_SA_RECIPIENTS, t->sa_recipients);
    set_count(row, KH_FOLLOWUP_MOVED, t->moved);
    int rc = set_share(row, KH_FOLLOWUP_WORK_OR_EDUCATION_SHARE, t->work_or_education, t->persons);
    if (rc == 0)
        rc = set_share(row, KH_FOLLOWUP_SA_SHARE, t->sa_recipients, t->persons);
    if (rc == 0)
        rc = set_share(row, KH_FOLLOWUP_MOVED_SHARE, t->moved, t->persons);
    return rc == 0 ? 0 : -ERANGE;
}

int kh_followup_build(const kh_person_t *persons, size_t n, kh_indrow_t **rows, size_t *nrows)
{
    int32_t *munis = kh_xmalloc((n + 1) * sizeof *munis);
    int32_t *cohorts = kh_xmalloc((n + 1) * sizeof *cohorts);
    munis[0] = cohorts[0] = 0;
    for (size_t i = 0; i < n; i++) {
        munis[i + 1] = persons[i].home;
        cohorts[i + 1] = persons[i].cohort;
    }
    size_t nm = distinct(munis, n + 1), nc = distinct(cohorts, n + 1);
    const size_t nh = KH_FOLLOWUP_NHORIZONS, nk = 4;
    size_t ncells = nm * nc * nh * nk;
    tally_t *cells = kh_xcalloc(ncells, sizeof *cells);
    for (size_t i = 0; i < n; i++) {
        const kh_person_t *p = &persons[i];
        size_t m = index_of(munis, nm, p->home), c = index_of(cohorts, nc, p->cohort);
        size_t k = kh_followup_kjonn(p) == 9 ? 3 : (size_t)kh_followup_kjonn(p);
        for (size_t h = 0; h < nh; h++) {
            unsigned bits = p->followup[h];
            if (!(bits & KH_FU_IN_NORWAY))
                continue;
            /* the person's cell and its totals along every combination */
            for (int mask = 0; mask < 8; mask++) {
                size_t mi = mask & 1 ? 0 : m, ci = mask & 2 ? 0 : c, ki = mask & 4 ? 0 : k;
                tally(&cells[((mi * nc + ci) * nh + h) * nk + ki], bits);
            }
        }
    }
    size_t count = 0;
    for (size_t i = 0; i < ncells; i++)
        count += cells[i].persons > 0;
    kh_indrow_t *out = kh_xcalloc(count + 1, sizeof *out);
    size_t r = 0;
    int rc = 0;
    for (size_t i = 0; i < ncells && rc == 0; i++) {
        if (cells[i].persons == 0)
            continue;
        size_t ki = i % nk, h = i / nk % nh, ci = i / (nk * nh) % nc, mi = i / (nk * nh * nc);
        kh_indrow_t *row = &out[r++];
        row->kommnr = munis[mi];
        row->key2 = cohorts[ci];
        row->key3 = kh_followup_horizons[h];
        row->key4 = kjonn_codes[ki];
        rc = fill_row(row, &cells[i]);
    }
    free(cells);
    free(munis);
    free(cohorts);
    if (rc != 0) {
        free(out);
        return rc;
    }
    *rows = out;
    *nrows = r;
    return 0;
}
