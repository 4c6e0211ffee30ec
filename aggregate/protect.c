/* protect.c - step 7.3; see protect.h. Rounds: prove what the suppressed
 * cells already protect (certify.c), then, for each cell still short of
 * 1 in (table, row, column) order, suppress the cheapest box of cells that
 * proves it; cells that a box suppressed whole rows for are proved in the
 * next round. Suppression only widens intervals (a shown value becomes
 * one more unknown), so what was proved stays proved and the rounds end. */
#include "aggregate/protect.h"

#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/log.h"
#include "proto/util.h"
#include "aggregate/disclosure.h"
#include "aggregate/outsider.h"

typedef struct {
    int *table;
    size_t *row;
    int *col;
    size_t n, cap;
} cells_t;

static void collect(void *ctx, int table, size_t row, int col)
{
    cells_t *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 64;
        l->table = kh_xrealloc(l->table, l->cap * sizeof *l->table);
        l->row = kh_xrealloc(l->row, l->cap * sizeof *l->row);
        l->col = kh_xrealloc(l->col, l->cap * sizeof *l->col);
    }
    l->table[l->n] = table;
    l->row[l->n] = row;
    l->col[l->n++] = col;
}

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
    kh_outsider_t *o;
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

/* Decides a cell that no box proves by its interval under the programs,
 * built when first needed and not again: a width of 1 they show still
 * holds after later suppressions (the cells suppressed since are fixed in
 * them, so their region is smaller), and a narrow verdict is taken as it
 * is. A cell suppressed after they were built is not in them and counts
 * as narrow. Building them again took 2-3 s a round at 300 000 persons;
 * the price is at worst a cell hidden beside one that was wide enough.
 * Returns 1 when it spans 1 (recorded), 0 when it is narrower, or a
 * negative code. */
static int decide_by_lp(protect_t *p, int t, size_t r, int col)
{
    if (!p->o) {
        int rc = build_outsider(p);
        if (rc)
            return rc;
    }
    size_t u = kh_outsider_find(p->o, t, r, col);
    if (u == SIZE_MAX)
        return 0;
    /* the programs solved so far may span it already */
    double lo, hi;
    kh_outsider_seen(p->o, u, &lo, &hi);
    if (hi - lo < 1.0 - 1e-6) {
        int rc = kh_outsider_bounds(p->o, u, &lo, &hi);
        if (rc)
            return rc;
    }
    if (hi - lo < 1.0 - 1e-6)
        return 0;
    kh_cert_grant(p->cert, t, r, col, hi - lo);
    return 1;
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
    protect_t p = {year, NULL, NULL};
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
    cells_t todo = {0};
    size_t rounds = 0;
    /* the rounds seek widths of 1; widths of k (for counting `narrow`)
     * once at the end, where the most cells are suppressed */
    while (kh_cert_run(c, 1) > 0) {
        rounds++;
        todo.n = 0;
        kh_cert_each_short(c, 1.0, collect, &todo);
        size_t widened = 0, stuck = 0, proved = 0;
        for (size_t i = 0; i < todo.n; i++) {
            int t = todo.table[i];
            if (kh_cert_width(c, t, todo.row[i], todo.col[i]) >= 1.0 - KH_CERT_EPS)
                continue;
            size_t added = 0;
            if (kh_cert_widen(c, t, todo.row[i], todo.col[i], &added)) {
                widened++;
            } else {
                stuck++;
                rc = decide_by_lp(&p, t, todo.row[i], todo.col[i]);
                if (rc < 0)
                    break;
                if (rc == 1)
                    proved++;
                else if (kh_cert_hide_beside(c, t, todo.row[i], todo.col[i], &added))
                    widened++;
                rc = 0;
            }
            stats->protection[t] += added;
        }
        kh_debug("protect: round %zu: %zu short, %zu widened, %zu without a box, %zu of "
                 "them proved by linear programs (%zu programs so far)", rounds, todo.n, widened,
                 stuck, proved, p.o ? kh_outsider_lps(p.o) : 0);
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
        kh_cert_run(c, k);
        narrow_t n = {year, stats};
        kh_cert_each_short(c, (double)k, count_narrow, &n);
    }
    free(todo.table);
    free(todo.row);
    free(todo.col);
    kh_outsider_destroy(&p.o);
    kh_cert_destroy(&c);
    return rc;
}
