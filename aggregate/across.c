/* across.c - step 7.4, suppression across reference years; see across.h.
 * U is kept per table as a sorted array of (row key, mask of suppressed
 * columns), rebuilt at the start of every round; each year's rows look
 * their key up in it. The years are small (thousands of rows), so nothing
 * cleverer is needed. */
#include "aggregate/across.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/disclosure.h"
#include "aggregate/lines.h"
#include "aggregate/protect.h"
#include "proto/util.h"

#define BIT(c) (UINT32_C(1) << (c))

typedef struct {
    int year;
    int is_run;
    kh_indrow_t *rows[KH_IND_COUNT];      /* borrowed for R, owned otherwise */
    size_t n[KH_IND_COUNT], cap[KH_IND_COUNT];
    const uint32_t *primary[KH_IND_COUNT];
    uint32_t *before[KH_IND_COUNT];       /* masks before 7.4, for counting */
    int changed[KH_IND_COUNT];
} year_t;

/* One cell set of U: a row key and the columns suppressed under it. */
typedef struct {
    int32_t key[KH_LINES_MAX_DIMS];
    uint32_t mask;
} ucell_t;

struct kh_across {
    int k;
    int have_run;
    int applied;
    year_t run;
    year_t *others;
    size_t nothers, cap_others;
    ucell_t *u[KH_IND_COUNT];
    size_t nu[KH_IND_COUNT];
};

kh_across_t *kh_across_new(int k)
{
    kh_across_t *a = kh_xcalloc(1, sizeof *a);
    a->k = k;
    a->run.is_run = 1;
    return a;
}

static void year_free(year_t *y)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!y->is_run)
            free(y->rows[t]);
        free(y->before[t]);
    }
}

void kh_across_destroy(kh_across_t **pa)
{
    if (!pa || !*pa)
        return;
    kh_across_t *a = *pa;
    year_free(&a->run);
    for (size_t i = 0; i < a->nothers; i++)
        year_free(&a->others[i]);
    free(a->others);
    for (int t = 0; t < KH_IND_COUNT; t++)
        free(a->u[t]);
    free(a);
    *pa = NULL;
}

int kh_across_set_run(kh_across_t *a, int ref_year, kh_indrow_t *const rows[KH_IND_COUNT],
                      const size_t n[KH_IND_COUNT], const uint32_t *const primary[KH_IND_COUNT])
{
    if (!a || a->have_run || a->applied || ref_year < 1 || ref_year > 9999)
        return -EINVAL;
    for (size_t i = 0; i < a->nothers; i++)
        if (a->others[i].year == ref_year)
            return -EINVAL;
    a->run.year = ref_year;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        a->run.rows[t] = n[t] ? rows[t] : NULL;
        a->run.n[t] = n[t];
        a->run.primary[t] = primary ? primary[t] : NULL;
    }
    a->have_run = 1;
    return 0;
}

static year_t *other_year(kh_across_t *a, int ref_year)
{
    /* rows come year by year, so the last year is nearly always the one */
    for (size_t i = a->nothers; i-- > 0;)
        if (a->others[i].year == ref_year)
            return &a->others[i];
    if (a->nothers == a->cap_others) {
        a->cap_others = a->cap_others ? a->cap_others * 2 : 8;
        a->others = kh_xrealloc(a->others, a->cap_others * sizeof *a->others);
    }
    year_t *y = &a->others[a->nothers++];
    memset(y, 0, sizeof *y);
    y->year = ref_year;
    return y;
}

int kh_across_add_row(kh_across_t *a, int ref_year, kh_indtable_t table, const kh_indrow_t *row)
{
    if (!a || a->applied || (int)table < 0 || table >= KH_IND_COUNT || ref_year < 1 ||
        ref_year > 9999 || (a->have_run && ref_year == a->run.year))
        return -EINVAL;
    year_t *y = other_year(a, ref_year);
    if (y->n[table] == y->cap[table]) {
        y->cap[table] = y->cap[table] ? y->cap[table] * 2 : 256;
        y->rows[table] = kh_xrealloc(y->rows[table], y->cap[table] * sizeof *y->rows[table]);
    }
    y->rows[table][y->n[table]++] = *row;
    return 0;
}

/* ---- keys and U ----------------------------------------------------------------- */

static int cmp_keys(const int32_t *a, const int32_t *b)
{
    for (int d = 0; d < KH_LINES_MAX_DIMS; d++)
        if (a[d] != b[d])
            return a[d] < b[d] ? -1 : 1;
    return 0;
}

static void row_key(const kh_indrow_t *row, int32_t key[KH_LINES_MAX_DIMS])
{
    for (int d = 0; d < KH_LINES_MAX_DIMS; d++)
        key[d] = kh_lines_key(row, d);
}

static int by_row_key(const void *pa, const void *pb)
{
    int32_t ka[KH_LINES_MAX_DIMS], kb[KH_LINES_MAX_DIMS];
    row_key(pa, ka);
    row_key(pb, kb);
    return cmp_keys(ka, kb);
}

static int by_ucell(const void *pa, const void *pb)
{
    return cmp_keys(((const ucell_t *)pa)->key, ((const ucell_t *)pb)->key);
}

static int by_year(const void *pa, const void *pb)
{
    const year_t *a = pa, *b = pb;
    return a->year < b->year ? -1 : a->year > b->year;
}

/* Puts a stored year's rows in key order (the store gives them so; this
 * makes the module independent of it) and refuses a key seen twice. */
static int sort_rows(year_t *y)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (y->n[t] > 1)
            qsort(y->rows[t], y->n[t], sizeof *y->rows[t], by_row_key);
        for (size_t i = 1; i < y->n[t]; i++)
            if (by_row_key(&y->rows[t][i - 1], &y->rows[t][i]) == 0)
                return -EINVAL;
    }
    return 0;
}

/* The columns a table's rows may carry. */
static int table_ncols(int t)
{
    return kh_schema_indtable((kh_indtable_t)t)->ncols;
}

static uint32_t column_bits(int t)
{
    int n = table_ncols(t);
    return n >= 32 ? UINT32_MAX : BIT(n) - 1;
}

static void add_year_to_u(const year_t *y, int t, ucell_t *u, size_t *nu)
{
    uint32_t cols = column_bits(t);
    for (size_t i = 0; i < y->n[t]; i++) {
        uint32_t m = y->rows[t][i].suppressed_mask & cols;
        if (!m)
            continue;
        row_key(&y->rows[t][i], u[*nu].key);
        u[*nu].mask = m;
        (*nu)++;
    }
}

/* U of one table: every cell suppressed in any year, one entry per key. */
static void build_u(kh_across_t *a, int t)
{
    size_t total = a->run.n[t];
    for (size_t i = 0; i < a->nothers; i++)
        total += a->others[i].n[t];
    free(a->u[t]);
    a->u[t] = kh_xmalloc((total ? total : 1) * sizeof *a->u[t]);
    size_t nu = 0;
    add_year_to_u(&a->run, t, a->u[t], &nu);
    for (size_t i = 0; i < a->nothers; i++)
        add_year_to_u(&a->others[i], t, a->u[t], &nu);
    if (nu > 1)
        qsort(a->u[t], nu, sizeof *a->u[t], by_ucell);
    size_t kept = 0;
    for (size_t i = 0; i < nu; i++) {
        if (kept && cmp_keys(a->u[t][kept - 1].key, a->u[t][i].key) == 0)
            a->u[t][kept - 1].mask |= a->u[t][i].mask;
        else
            a->u[t][kept++] = a->u[t][i];
    }
    a->nu[t] = kept;
}

static uint32_t u_lookup(const kh_across_t *a, int t, const kh_indrow_t *row)
{
    ucell_t probe = {{0}, 0};
    row_key(row, probe.key);
    const ucell_t *hit = a->nu[t] ? bsearch(&probe, a->u[t], a->nu[t], sizeof probe, by_ucell)
                                  : NULL;
    return hit ? hit->mask : 0;
}

/* ---- suppressing and re-closing ----------------------------------------------- */

/* Marks column c of the row suppressed: with its dependants where the table
 * is under disclosure control, alone in `cost` (whose one suppressible
 * column follows exit's `attained`). */
static void mark(kh_indrow_t *row, int t, int c)
{
    const kh_disclosure_spec_t *spec = kh_disclosure_spec((kh_indtable_t)t);
    if (spec) {
        kh_disclosure_suppress(row, spec, c);
        return;
    }
    row->suppressed_mask |= BIT(c);
    row->present[c] = 0;
    row->suppressed = 1;
}

/* Step 7.4.2 for one year: suppresses the cells of U it holds and shows.
 * Returns 1 when anything changed. */
static int take_union(kh_across_t *a, year_t *y)
{
    int any = 0;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        for (size_t i = 0; i < y->n[t]; i++) {
            kh_indrow_t *row = &y->rows[t][i];
            uint32_t add = u_lookup(a, t, row) & ~row->suppressed_mask;
            if (!add)
                continue;
            for (int c = 0; c < table_ncols(t); c++)
                if (add & BIT(c) && !(row->suppressed_mask & BIT(c)))
                    mark(row, t, c);
            y->changed[t] = 1;
            any = 1;
        }
    }
    return any;
}

/* Steps 7.2 and 7.3 again on a year, then cost follows exit's attained. */
static int reclose(kh_across_t *a, year_t *y, kh_across_stats_t *stats)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        const kh_disclosure_spec_t *spec = kh_disclosure_spec((kh_indtable_t)t);
        if (!spec)
            continue;
        int rc = kh_disclosure_close(y->rows[t], y->n[t], spec, NULL);
        if (rc)
            return rc;
    }
    kh_year_tables_t tables;
    memset(&tables, 0, sizeof tables);
    for (int t = 0; t < KH_IND_COUNT; t++) {
        tables.rows[t] = y->rows[t];
        tables.n[t] = y->n[t];
        tables.primary[t] = y->is_run ? y->primary[t] : NULL;
    }
    tables.values_known = y->is_run;
    kh_protect_stats_t ps;
    memset(&ps, 0, sizeof ps);
    int rc = kh_protect_year(&tables, a->k, &ps);
    if (rc)
        return rc;
    if (y->is_run) {
        for (int t = 0; t < KH_IND_COUNT; t++)
            stats->narrow[t] = ps.narrow[t];
        stats->r_reprotected = 1;
    }
    kh_disclosure_follow_cost(y->rows[KH_IND_EXIT], y->n[KH_IND_EXIT], y->rows[KH_IND_COST],
                              y->n[KH_IND_COST]);
    return 0;
}

/* Every suppressed bit of a year: masks only grow, so a change shows here. */
static size_t mask_bits(const year_t *y)
{
    size_t n = 0;
    for (int t = 0; t < KH_IND_COUNT; t++)
        for (size_t i = 0; i < y->n[t]; i++)
            n += (size_t)__builtin_popcount(y->rows[t][i].suppressed_mask);
    return n;
}

static void keep_masks(year_t *y)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        y->before[t] = kh_xmalloc((y->n[t] ? y->n[t] : 1) * sizeof *y->before[t]);
        for (size_t i = 0; i < y->n[t]; i++)
            y->before[t][i] = y->rows[t][i].suppressed_mask;
    }
}

/* Whether a table of a year ends up different from what it was. */
static void settle_changes(year_t *y)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        y->changed[t] = 0;
        for (size_t i = 0; i < y->n[t] && !y->changed[t]; i++)
            y->changed[t] = y->rows[t][i].suppressed_mask != y->before[t][i];
    }
}

size_t kh_across_count(kh_indtable_t table, const kh_indrow_t *rows, size_t n,
                       const uint32_t *masks)
{
    const kh_disclosure_spec_t *spec = kh_disclosure_spec(table);
    if (!spec)
        return 0;
    uint32_t cells = BIT(spec->base);
    for (int i = 0; i < spec->ncounts; i++)
        cells |= BIT(spec->counts[i]);
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += (size_t)__builtin_popcount((masks ? masks[i] : rows[i].suppressed_mask) & cells);
    return count;
}

int kh_across_apply(kh_across_t *a, kh_across_stats_t *stats)
{
    kh_across_stats_t local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!a || !a->have_run || a->applied)
        return -EINVAL;
    a->applied = 1;
    if (a->nothers > 1)
        qsort(a->others, a->nothers, sizeof *a->others, by_year);
    for (size_t i = 0; i < a->nothers; i++) {
        int rc = sort_rows(&a->others[i]);
        if (rc)
            return rc;
    }
    keep_masks(&a->run);
    for (size_t i = 0; i < a->nothers; i++)
        keep_masks(&a->others[i]);
    if (a->k <= 0)
        return 0;

    int any;
    do {
        any = 0;
        for (int t = 0; t < KH_IND_COUNT; t++)
            build_u(a, t);
        for (size_t i = 0; i <= a->nothers; i++) {
            year_t *y = i == 0 ? &a->run : &a->others[i - 1];
            /* every stored year is re-closed once, even when U adds nothing
             * to it: a year stored by an older version (or under other
             * rules) may not meet steps 2 and 3 of today; after that only
             * the years that took something need it (the steps are
             * idempotent). R was closed by the run itself. */
            int first_visit = stats->rounds == 0 && !y->is_run;
            size_t before = mask_bits(y);
            if (!take_union(a, y) && !first_visit)
                continue;
            int rc = reclose(a, y, stats);
            if (rc)
                return rc;
            any |= mask_bits(y) != before;
        }
        stats->rounds++;
    } while (any);

    settle_changes(&a->run);
    for (int t = 0; t < KH_IND_COUNT; t++)
        stats->across_years[t] = kh_across_count((kh_indtable_t)t, a->run.rows[t], a->run.n[t], NULL) -
                                 kh_across_count((kh_indtable_t)t, a->run.rows[t], a->run.n[t],
                                                 a->run.before[t]);
    for (size_t i = 0; i < a->nothers; i++) {
        year_t *y = &a->others[i];
        settle_changes(y);
        int changed = 0;
        for (int t = 0; t < KH_IND_COUNT; t++) {
            size_t now = kh_across_count((kh_indtable_t)t, y->rows[t], y->n[t], NULL);
            size_t was = kh_across_count((kh_indtable_t)t, y->rows[t], y->n[t], y->before[t]);
            stats->elsewhere[t] += now - was;
            stats->elsewhere_total += now - was;
            changed |= y->changed[t];
        }
        stats->changed_years += (size_t)changed;
    }
    return 0;
}

size_t kh_across_nyears(const kh_across_t *a)
{
    return a->nothers;
}

int kh_across_year(const kh_across_t *a, size_t i)
{
    return i < a->nothers ? a->others[i].year : 0;
}

int kh_across_changed(const kh_across_t *a, size_t i, kh_indtable_t table)
{
    return i < a->nothers && (int)table >= 0 && table < KH_IND_COUNT &&
           a->others[i].changed[table];
}

const kh_indrow_t *kh_across_rows(const kh_across_t *a, size_t i, kh_indtable_t table, size_t *n)
{
    *n = 0;
    if (i >= a->nothers || (int)table < 0 || table >= KH_IND_COUNT)
        return NULL;
    *n = a->others[i].n[table];
    return a->others[i].rows[table];
}
