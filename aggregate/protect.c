/* protect.c - step 7.3; see protect.h. Rounds: prove what the suppressed
 * cells already protect (certify.c), then, for each cell still short of
 * 1 in (table, row, column) order, suppress the cheapest box of cells that
 * proves it; cells that a box suppressed whole rows for are proved in the
 * next round. Suppression only widens intervals (a shown value becomes
 * one more unknown), so what was proved stays proved and the rounds end. */
#include "aggregate/protect.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/log.h"
#include "proto/util.h"
#include "aggregate/disclosure.h"
#include "aggregate/outsider.h"

/* A program's width counts as 1 from this much below it (the solver's
 * tolerance). */
#define SPANS_ONE (1.0 - 1e-6)

typedef struct {
    const kh_year_tables_t *year;
    kh_protect_stats_t *stats;
} narrow_t;

static void count_narrow(void *ctx, int table, size_t row, int col)
{
    narrow_t *n = ctx;
    const uint32_t *primary = n->year->primary[table];
    if (primary && (primary[row] & (UINT32_C(1) << col)))
        n->stats->narrow[table]++;
}

static kh_outsider_progress_fn progress;
static void *progress_ctx;

void kh_protect_set_progress(kh_outsider_progress_fn fn, void *ctx)
{
    progress = fn;
    progress_ctx = ctx;
}

/* What the rounds share: the certifier, and the outsider's programs for
 * the cells no box proves (decide_by_lp()). */
typedef struct {
    kh_year_tables_t *year;
    kh_cert_t *cert;
    kh_outsider_t *o;  /* a stored year's, from find_point() */
    size_t lps;        /* programs of the slices (decide_in_slice()) */
    uint32_t *before[KH_IND_COUNT]; /* per row: the cells suppressed before 7.3 */
} protect_t;

static int build_outsider(protect_t *p)
{
    kh_outsider_destroy(&p->o);
    int rc = kh_outsider_new(p->year, &p->o);
    if (rc)
        return rc;
    kh_outsider_set_progress(p->o, progress, progress_ctx);
    return 0;
}

/* A stored year holds no suppressed values: a point of the outsider's
 * constraints stands in for them (linear programs, whose solutions the
 * outsider keeps for decide_by_lp()). */
static int find_point(protect_t *p, double *point[KH_IND_COUNT])
{
    int rc = build_outsider(p);
    if (rc)
        return rc;
    for (int t = 0; t < KH_IND_COUNT; t++)
        if (kh_disclosure_spec((kh_indtable_t)t))
            point[t] = kh_xcalloc((p->year->n[t] + 1) * KH_IND_MAX_COLS, sizeof(double));
    rc = kh_outsider_point(p->o, point);
    kh_debug("protect: a stored year's point: %zu unknowns, %zu components, %zu programs",
             kh_outsider_nunknowns(p->o), kh_outsider_ncomponents(p->o), kh_outsider_lps(p->o));
    return rc;
}

/* Decides a cell of a stored year that no box proves by its interval
 * under the programs of find_point(), not built again: a width of 1 they
 * show still holds after later suppressions (the cells suppressed since
 * are fixed in them, so their region is smaller), and a narrow verdict is
 * taken as it is. A cell suppressed after they were built is not in them
 * and counts as narrow (the price: at worst a cell hidden beside one that
 * was wide enough). Returns 1 when it spans 1 (recorded), 0 when it is
 * narrower, or a negative code. */
static int decide_by_lp(protect_t *p, int t, size_t r, int col)
{
    size_t u = kh_outsider_find(p->o, t, r, col);
    if (u == SIZE_MAX)
        return 0;
    /* the programs solved so far may span it already */
    double lo, hi;
    kh_outsider_seen(p->o, u, &lo, &hi);
    if (hi - lo < SPANS_ONE) {
        int rc = kh_outsider_bounds(p->o, u, &lo, &hi);
        if (rc)
            return rc;
    }
    if (hi - lo < SPANS_ONE)
        return 0;
    kh_cert_grant(p->cert, t, r, col, hi - lo);
    return 1;
}

/* ---- The run's own year: programs over a slice -------------------------------- */

/* The municipalities and cohorts of a slice: the cell's own, the totals'
 * (0), and those of the first rows of its table that hide the same column
 * in one of the cell's two lines (same key but the municipality, or same
 * key but the cohort), SLICE_KEYS of each in all. At national scale 4
 * kept the same cells as 8 and took 73 ms for 18 slices against 442 ms
 * (more cells make bigger programs, some of 2 000 unknowns). */
#define SLICE_KEYS 4
typedef struct {
    int32_t kommnr[SLICE_KEYS], key2[SLICE_KEYS];
    size_t nk, nc;
} slice_keys_t;

static int has_key(const int32_t *keys, size_t n, int32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (keys[i] == v)
            return 1;
    return 0;
}

static void add_key(int32_t *keys, size_t *n, int32_t v)
{
    if (*n < SLICE_KEYS && !has_key(keys, *n, v))
        keys[(*n)++] = v;
}

static void slice_keys(const kh_year_tables_t *year, int t, size_t r, int col, slice_keys_t *sk)
{
    const kh_indrow_t *rows = year->rows[t], *cell = &rows[r];
    sk->nk = sk->nc = 0;
    add_key(sk->kommnr, &sk->nk, cell->kommnr);
    add_key(sk->kommnr, &sk->nk, 0);
    add_key(sk->key2, &sk->nc, cell->key2);
    add_key(sk->key2, &sk->nc, 0);
    for (size_t q = 0; q < year->n[t]; q++) {
        const kh_indrow_t *row = &rows[q];
        if (!(row->suppressed_mask & (UINT32_C(1) << col)) || row->key3 != cell->key3 ||
            row->key4 != cell->key4)
            continue;
        if (row->key2 == cell->key2)
            add_key(sk->kommnr, &sk->nk, row->kommnr);
        if (row->kommnr == cell->kommnr)
            add_key(sk->key2, &sk->nc, row->key2);
    }
}

/* Decides a cell of the run's year that no box proves by its interval
 * in a slice of the outsider's constraints: every suppressed cell outside
 * the slice's municipalities and cohorts fixed at its true value. The
 * slice's region lies inside the whole region (and holds the true
 * values), so a width of 1 in it is one in the whole; a narrower one is
 * taken as narrow, which at worst hides a cell beside one that the whole
 * programs would have shown wide enough. A slice's programs are small:
 * the whole year's, one component at national scale, took 0.4-0.9 s to
 * solve from scratch. Only cells suppressed before step 7.3 get one; a
 * cell that 7.3 itself suppressed and no box widens counts as narrow (it
 * was hidden beside a narrow cell, and slices for all of them, 360 at
 * national scale, took 9 s for 3 % fewer hidden cells). Returns 1 when
 * it spans 1 (recorded), 0 when it is narrower, or a negative code. */
static int decide_in_slice(protect_t *p, int t, size_t r, int col)
{
    if (!(p->before[t][r] & (UINT32_C(1) << col)))
        return 0;
    slice_keys_t sk;
    slice_keys(p->year, t, r, col, &sk);
    kh_year_tables_t slice = *p->year;
    for (int tt = 0; tt < KH_IND_COUNT; tt++) {
        const kh_disclosure_spec_t *spec = kh_disclosure_spec((kh_indtable_t)tt);
        if (!spec || !slice.rows[tt])
            continue;
        size_t n = slice.n[tt];
        kh_indrow_t *rows = kh_xmalloc((n + 1) * sizeof *rows);
        memcpy(rows, p->year->rows[tt], n * sizeof *rows);
        for (size_t q = 0; q < n; q++) {
            if (has_key(sk.kommnr, sk.nk, rows[q].kommnr) && has_key(sk.key2, sk.nc, rows[q].key2))
                continue;
            for (int c = 0; c < spec->ncols; c++)
                if (kh_disclosure_is_cell(spec, c)) { /* shown at its true value */
                    rows[q].suppressed_mask &= ~(UINT32_C(1) << c);
                    rows[q].present[c] = 1;
                }
        }
        slice.rows[tt] = rows;
    }
    kh_outsider_t *o = NULL;
    int rc = kh_outsider_new(&slice, &o), spans = 0;
    double lo = 0, hi = 0;
    if (rc == 0) {
        kh_outsider_set_progress(o, progress, progress_ctx);
        size_t u = kh_outsider_find(o, t, r, col);
        rc = u == SIZE_MAX ? -EINVAL : kh_outsider_bounds(o, u, &lo, &hi);
        spans = rc == 0 && hi - lo >= SPANS_ONE;
        p->lps += kh_outsider_lps(o);
    }
    kh_outsider_destroy(&o);
    for (int tt = 0; tt < KH_IND_COUNT; tt++)
        if (slice.rows[tt] != p->year->rows[tt])
            free(slice.rows[tt]);
    if (rc)
        return rc;
    if (spans)
        kh_cert_grant(p->cert, t, r, col, hi - lo);
    return spans;
}

int kh_protect_year(kh_year_tables_t *year, int k, kh_protect_stats_t *stats)
{
    kh_protect_stats_t local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (k <= 0)
        return 0;
#ifdef KH_TEST_BUILD
    /* stores what a kohort without step 7.3 stored, for `kohort audit`'s
     * test (tests/e2e/test_audit.sh) */
    if (getenv("KOHORT_NO_PROTECT"))
        return 0;
#endif
    protect_t p = {.year = year};
    double *point[KH_IND_COUNT] = {0};
    int rc = year->values_known ? 0 : find_point(&p, point);
    kh_cert_t *c = NULL;
    if (rc == 0)
        rc = kh_cert_new(year, point, &c);
    for (int t = 0; t < KH_IND_COUNT; t++)
        free(point[t]);
    if (rc) {
        kh_outsider_destroy(&p.o);
        return rc;
    }
    p.cert = c;
    for (int t = 0; year->values_known && t < KH_IND_COUNT; t++) { /* for the slices */
        if (!kh_disclosure_spec((kh_indtable_t)t))
            continue;
        p.before[t] = kh_xmalloc((year->n[t] + 1) * sizeof(uint32_t));
        for (size_t r = 0; r < year->n[t]; r++)
            p.before[t][r] = year->rows[t][r].suppressed_mask;
    }
    kh_cell_t *todo = NULL;
    size_t ntodo = 0;
    size_t rounds = 0;
    /* the rounds seek widths of 1; widths of k (for counting `narrow`)
     * once at the end, where the most cells are suppressed, in two
     * threads: the run's other stages are done by then */
    while (kh_cert_run(c, 1) > 0) {
        rounds++;
        free(todo);
        ntodo = kh_cert_list_short(c, 1.0, &todo);
        size_t widened = 0, stuck = 0, proved = 0;
        for (size_t i = 0; i < ntodo; i++) {
            int t = todo[i].table;
            size_t r = todo[i].row;
            int col = todo[i].col;
            if (kh_cert_width(c, t, r, col) >= 1.0 - KH_CERT_EPS)
                continue;
            size_t added = 0;
            if (kh_cert_widen(c, t, r, col, &added)) {
                widened++;
            } else {
                stuck++;
                rc = year->values_known ? decide_in_slice(&p, t, r, col)
                                        : decide_by_lp(&p, t, r, col);
                if (rc < 0)
                    break;
                if (rc == 1)
                    proved++;
                else if (kh_cert_hide_beside(c, t, r, col, &added))
                    widened++;
                rc = 0;
            }
            stats->protection[t] += added;
        }
        kh_debug("protect: round %zu: %zu short, %zu widened, %zu without a box, %zu of "
                 "them proved by linear programs (%zu programs so far)", rounds, ntodo, widened,
                 stuck, proved, p.lps + (p.o ? kh_outsider_lps(p.o) : 0));
        if (progress)
            progress(progress_ctx);
        if (rc)
            break;
        if (widened == 0 && proved < stuck) {
            rc = KH_E_PROTECT;
            break;
        }
    }
    if (rc == 0) {
        kh_cert_run_halves(c, k);
        narrow_t n = {year, stats};
        kh_cert_each_short(c, (double)k, count_narrow, &n);
    }
    free(todo);
    kh_outsider_destroy(&p.o);
    for (int t = 0; t < KH_IND_COUNT; t++)
        free(p.before[t]);
    kh_cert_destroy(&c);
    return rc;
}
