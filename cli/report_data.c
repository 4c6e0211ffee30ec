/* report_data.c - what the report draws, read from the store; see
 * report_data.h. */
#define _POSIX_C_SOURCE 200809L
#include "cli/report_data.h"

#include <stdlib.h>
#include <string.h>

#include "cli/common.h"
#include "cli/muninames.h"
#include "proto/err.h"
#include "proto/util.h"

static int add_row(void *ctx, int ref_year, const kh_indrow_t *row)
{
    (void)ref_year;
    kh_rowset_t *rs = ctx;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 256;
        rs->rows = kh_xrealloc(rs->rows, rs->cap * sizeof *rs->rows);
    }
    rs->rows[rs->n++] = *row;
    return 0;
}

static void add_year(kh_rep_t *r, int year)
{
    size_t i = 0;
    while (i < r->nyears && r->years[i] < year)
        i++;
    if (i < r->nyears && r->years[i] == year)
        return;
    if (r->nyears == r->yearcap) {
        r->yearcap = r->yearcap ? r->yearcap * 2 : 16;
        r->years = kh_xrealloc(r->years, r->yearcap * sizeof *r->years);
    }
    memmove(r->years + i + 1, r->years + i, (r->nyears - i) * sizeof *r->years);
    r->years[i] = year;
    r->nyears++;
}

/* Collects reference years; rows of one year come together, so only a
 * change of year costs a look-up. */
static int year_of_row(void *ctx, int ref_year, const kh_indrow_t *row)
{
    (void)row;
    kh_rep_t *r = ctx;
    if (r->nyears == 0 || r->years[r->nyears - 1] != ref_year)
        add_year(r, ref_year);
    return 0;
}

static int national_point(void *ctx, int year, const char *andel)
{
    kh_rep_t *r = ctx;
    char buf[sizeof r->nat[0].text];
    snprintf(buf, sizeof buf, "%s", andel);
    for (char *p = buf; *p; p++)
        if (*p == ',')
            *p = '.';
    char *end = NULL;
    double v = strtod(buf, &end);
    if (end == buf || *end || !(v >= 0))
        return 0; /* not a figure: leave it out */
    if (r->nnat == r->natcap) {
        r->natcap = r->natcap ? r->natcap * 2 : 32;
        r->nat = kh_xrealloc(r->nat, r->natcap * sizeof *r->nat);
    }
    kh_natpt_t *n = &r->nat[r->nnat++];
    n->year = year;
    n->share = v;
    snprintf(n->text, sizeof n->text, "%s", buf);
    return 0;
}

static int run_of_year(void *ctx, const kh_runrec_t *rec)
{
    kh_rep_t *r = ctx;
    if (!rec->ok || rec->ledger.ref_year != r->ref_year)
        return 0;
    r->run = *rec;
    r->have_run = 1;
    return KH_STOP; /* newest first: the first one is the run whose rows are stored */
}

static int row_cmp(const void *key, const void *elem)
{
    const kh_indrow_t *a = key, *b = elem;
    if (a->kommnr != b->kommnr)
        return a->kommnr < b->kommnr ? -1 : 1;
    if (a->key2 != b->key2)
        return a->key2 < b->key2 ? -1 : 1;
    if (a->key3 != b->key3) /* followup's horizon and kjonn; 0 elsewhere */
        return a->key3 < b->key3 ? -1 : 1;
    return a->key4 < b->key4 ? -1 : a->key4 > b->key4;
}

const kh_indrow_t *kh_rep_row(const kh_rep_t *r, int t, int kommnr, int key2)
{
    kh_indrow_t key;
    memset(&key, 0, sizeof key);
    key.kommnr = kommnr;
    key.key2 = key2;
    const kh_rowset_t *rs = &r->tab[t];
    return rs->n ? bsearch(&key, rs->rows, rs->n, sizeof *rs->rows, row_cmp) : NULL;
}

static double scale_of(int t, int col)
{
    double d = 1;
    for (int i = 0; i < kh_schema_indtable((kh_indtable_t)t)->cols[col].scale; i++)
        d *= 10;
    return d;
}

/* 1 and *v when the cell (t, kommnr, key2, col) holds a value; 0 when the
 * row is absent or the cell empty (suppressed or unavailable). */
int kh_rep_cell(const kh_rep_t *r, int t, int kommnr, int key2, int col, double *v)
{
    const kh_indrow_t *row = kh_rep_row(r, t, kommnr, key2);
    if (!row || !row->present[col])
        return 0;
    *v = (double)row->value[col] / scale_of(t, col);
    return 1;
}


/* The printed text of a cell: its value, ":" when suppressed, "" when
 * unavailable. */
void kh_rep_cell_text(char *buf, size_t cap, int t, const kh_indrow_t *row, int col)
{
    if (row && row->present[col])
        kh_cli_format_value(buf, cap, row->value[col], kh_schema_indtable((kh_indtable_t)t)->cols[col].scale);
    else
        snprintf(buf, cap, "%s", row && (row->suppressed_mask >> col & 1) ? ":" : "");
}

int kh_rep_wanted(const kh_rep_t *r, int kommnr)
{
    if (!r->opts->kommuner)
        return 1;
    for (int i = 0; i < r->opts->nkommuner; i++)
        if (r->opts->kommuner[i] == kommnr)
            return 1;
    return 0;
}

int kh_rep_has_rows(const kh_rep_t *r, int kommnr)
{
    for (int t = 0; t < KH_IND_COUNT; t++)
        for (size_t i = 0; i < r->tab[t].n; i++)
            if (r->tab[t].rows[i].kommnr == kommnr)
                return 1;
    return 0;
}

/* ---- choosing what to draw ------------------------------------------------- */

typedef struct {
    int kommnr;
    double exits;
} cand_t;

static int by_size(const void *a, const void *b)
{
    const cand_t *x = a, *y = b;
    if (x->exits != y->exits)
        return x->exits > y->exits ? -1 : 1;
    return x->kommnr < y->kommnr ? -1 : x->kommnr > y->kommnr;
}

/* A municipality's size: its exits over all cohorts, or (when that cell is
 * suppressed) the sum of its cohorts' unsuppressed exits. */
static double muni_size(const kh_rep_t *r, int kommnr)
{
    double v;
    if (kh_rep_cell(r, KH_IND_EXIT, kommnr, 0, KH_EXIT_EXITS, &v))
        return v;
    double sum = 0;
    for (size_t i = 0; i < r->tab[KH_IND_EXIT].n; i++) {
        const kh_indrow_t *row = &r->tab[KH_IND_EXIT].rows[i];
        if (row->kommnr == kommnr && row->key2 && row->present[KH_EXIT_EXITS])
            sum += (double)row->value[KH_EXIT_EXITS];
    }
    return sum;
}

static void choose_chart(kh_rep_t *r)
{
    cand_t *c = NULL;
    size_t n = 0, cap = 0;
    if (r->opts->kommuner) {
        for (int i = 0; i < r->opts->nkommuner; i++) {
            int k = r->opts->kommuner[i], dup = 0;
            for (size_t j = 0; j < n; j++)
                dup |= c[j].kommnr == k;
            if (dup || !kh_rep_has_rows(r, k))
                continue;
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                c = kh_xrealloc(c, cap * sizeof *c);
            }
            c[n].kommnr = k;
            c[n++].exits = 0; /* in the order given */
        }
    } else {
        for (int t = KH_IND_EXIT; t <= KH_IND_STATUS; t++)
            for (size_t i = 0; i < r->tab[t].n; i++) {
                int k = r->tab[t].rows[i].kommnr, dup = 0;
                if (!k)
                    continue;
                for (size_t j = 0; j < n && !dup; j++)
                    dup = c[j].kommnr == k;
                if (dup)
                    continue;
                if (n == cap) {
                    cap = cap ? cap * 2 : 64;
                    c = kh_xrealloc(c, cap * sizeof *c);
                }
                c[n].kommnr = k;
                c[n++].exits = muni_size(r, k);
            }
        if (n)
            qsort(c, n, sizeof *c, by_size);
    }
    r->ncandidates = (int)n;
    r->ranked = 0;
    for (size_t i = 0; i < n; i++)
        r->ranked |= c[i].exits > 0;
    r->nchart = 0;
    for (size_t i = 0; i < n && r->nchart < KH_REPORT_MAX_CHART; i++)
        r->chart[r->nchart++] = c[i].kommnr;
    free(c);
}

/* The x axes: the run's cohort window when the ledger has it, else the
 * cohorts and years the rows hold. */
static void choose_axes(kh_rep_t *r)
{
    r->cfrom = r->cto = 0;
    if (r->have_run && r->run.ledger.cohort_from && r->run.ledger.cohort_to >= r->run.ledger.cohort_from) {
        r->cfrom = r->run.ledger.cohort_from;
        r->cto = r->run.ledger.cohort_to;
    }
    for (int t = KH_IND_EXIT; t <= KH_IND_STATUS; t++)
        for (size_t i = 0; i < r->tab[t].n; i++) {
            int c = r->tab[t].rows[i].key2;
            if (!c)
                continue;
            if (!r->cfrom || c < r->cfrom)
                r->cfrom = c;
            if (!r->cto || c > r->cto)
                r->cto = c;
        }
    if (!r->cfrom)
        r->cfrom = r->cto = r->ref_year;
    r->yfrom = r->yto = 0;
    for (size_t i = 0; i < r->tab[KH_IND_COST].n; i++) {
        int y = r->tab[KH_IND_COST].rows[i].key2;
        if (!r->yfrom || y < r->yfrom)
            r->yfrom = y;
        if (!r->yto || y > r->yto)
            r->yto = y;
    }
}


const char *kh_rep_name(int kommnr, char *buf, size_t cap)
{
    if (kommnr == 0)
        return "All municipalities";
    const char *name = kh_muninames_name(kommnr);
    if (name)
        return name;
    snprintf(buf, cap, "%04d", kommnr);
    return buf;
}

void kh_rep_free(kh_rep_t *r)
{
    for (int t = 0; t < KH_IND_COUNT; t++)
        free(r->tab[t].rows);
    free(r->nat);
    free(r->years);
    kh_muninames_unload();
    memset(r, 0, sizeof *r);
}

int kh_rep_load(kh_rep_t *r, kh_store_t *store, const kh_report_opts_t *opts, FILE *out, char *why,
                size_t cap)
{
    memset(r, 0, sizeof *r);
    r->opts = opts;
    r->f = out;
    int rc = 0;
    for (int t = 0; t < KH_IND_COUNT && !rc; t++)
        rc = kh_store_each_row(store, (kh_indtable_t)t, 0, year_of_row, r);
    if (rc) {
        snprintf(why, cap, "cannot read the store: %s", kh_strerror(rc));
        return rc;
    }
    if (!r->nyears) {
        snprintf(why, cap, "the store holds no indicators yet (no successful run)");
        return KH_E_NOTFOUND;
    }
    r->ref_year = opts->ref_year ? opts->ref_year : r->years[r->nyears - 1];
    int found = 0;
    for (size_t i = 0; i < r->nyears; i++)
        found |= r->years[i] == r->ref_year;
    if (!found) {
        size_t len = (size_t)snprintf(why, cap, "the store holds no indicators for reference year %d "
                                      "(it holds", r->ref_year);
        for (size_t i = 0; i < r->nyears && len < cap; i++)
            len += (size_t)snprintf(why + len, cap - len, " %d", r->years[i]);
        if (len < cap)
            snprintf(why + len, cap - len, ")");
        return KH_E_NOTFOUND;
    }
    for (int t = 0; t < KH_IND_COUNT && !rc; t++)
        rc = kh_store_each_row(store, (kh_indtable_t)t, r->ref_year, add_row, &r->tab[t]);
    if (!rc)
        rc = kh_store_each_national(store, r->ref_year, national_point, r);
    if (!rc) /* the names the run of R stored; the built-in ones for the rest */
        rc = kh_muninames_load(store, r->ref_year);
    if (!rc) {
        rc = kh_store_each_run(store, run_of_year, r);
        rc = rc == KH_STOP ? 0 : rc;
    }
    if (rc) {
        snprintf(why, cap, "cannot read the store: %s", kh_strerror(rc));
        return rc;
    }
    r->focus = opts->focus && opts->kommuner ? opts->kommuner[0] : 0;
    choose_chart(r);
    choose_axes(r);
    return 0;
}
