/* lpcompare.c - `kohort-lpcompare --store DIR [--limit N]`: measures the
 * linear programs of step 7.3 and `kohort audit` (aggregate/outsider.h)
 * under GLPK, as kohort solves them, and under COIN-OR CLP (primal and dual
 * simplex), on identical problems, so that the choice of library rests on
 * figures. For every stored year: the exact interval (min and max) of every
 * unknown, by each solver; wall times; how many intervals differ by more
 * than 1e-6; and the build plus first (cold) solve of the largest component.
 * A measuring tool only: built by `make bench` or `make bin/kohort-lpcompare`,
 * never by `make all`, so kohort itself needs no CLP. It reads the outsider's
 * internal arrays (outsider_impl.h) to give CLP the very same columns, rows
 * and bounds. */
#include <Clp_C_Interface.h>
#include <float.h>
#include <glpk.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/outsider.h"
#include "aggregate/outsider_impl.h"
#include "cli/common.h"
#include "cli/years.h"
#include "proto/err.h"
#include "proto/store.h"
#include "proto/util.h"

#define TOL 1e-6

static double secs_since(uint64_t t0)
{
    return (double)(kh_now_ns() - t0) / 1e9;
}

/* ---- CLP: one model per component, as outsider_lp.c builds for GLPK ---- */

typedef struct {
    kh_outsider_t *o;
    Clp_Simplex **model; /* per component, once built */
    double **obj;        /* per component: its objective, all 0 but one */
    int dual;            /* 1: dual simplex, 0: primal */
    size_t lps, failed;
} clp_t;

/* The columns of component comp in CLP's column-major form: counts the
 * terms per column, then places them. */
static void clp_matrix(const kh_outsider_t *o, size_t comp, CoinBigIndex *start, int *index,
                       double *value)
{
    size_t u0 = o->comp_unk_start[comp], m = o->comp_unk_start[comp + 1] - u0;
    size_t c0 = o->comp_cons_start[comp], nc = o->comp_cons_start[comp + 1] - c0;
    memset(start, 0, (m + 1) * sizeof *start);
    for (size_t i = 0; i < nc; i++) {
        const cons_t *c = &o->cons[o->comp_cons[c0 + i]];
        for (size_t t = c->start; t < (c + 1)->start; t++)
            start[o->column[o->tvar[t]]]++; /* column is 1-based: counts land shifted */
    }
    for (size_t j = 1; j <= m; j++)
        start[j] += start[j - 1];
    CoinBigIndex *next = kh_xmalloc((m + 1) * sizeof *next);
    memcpy(next, start, (m + 1) * sizeof *next);
    for (size_t i = 0; i < nc; i++) {
        const cons_t *c = &o->cons[o->comp_cons[c0 + i]];
        for (size_t t = c->start; t < (c + 1)->start; t++) {
            CoinBigIndex e = next[o->column[o->tvar[t]] - 1]++;
            index[e] = (int)i;
            value[e] = o->tcoef[t];
        }
    }
    free(next);
}

/* Same columns, bounds and rows as outsider_lp.c's component_problem(),
 * the empty free row of a component without constraints included. */
static Clp_Simplex *clp_model(clp_t *c, size_t comp)
{
    if (c->model[comp])
        return c->model[comp];
    const kh_outsider_t *o = c->o;
    size_t u0 = o->comp_unk_start[comp], m = o->comp_unk_start[comp + 1] - u0;
    size_t c0 = o->comp_cons_start[comp], nc = o->comp_cons_start[comp + 1] - c0;
    size_t ne = 0, nr = nc ? nc : 1;
    for (size_t i = 0; i < nc; i++) {
        const cons_t *k = &o->cons[o->comp_cons[c0 + i]];
        ne += (k + 1)->start - k->start;
    }
    CoinBigIndex *start = kh_xmalloc((m + 1) * sizeof *start);
    int *index = kh_xmalloc((ne + 1) * sizeof *index);
    double *value = kh_xmalloc((ne + 1) * sizeof *value);
    double *clb = kh_xmalloc(m * sizeof *clb), *cub = kh_xmalloc(m * sizeof *cub);
    double *rlb = kh_xmalloc(nr * sizeof *rlb), *rub = kh_xmalloc(nr * sizeof *rub);
    clp_matrix(o, comp, start, index, value);
    for (size_t j = 0; j < m; j++) {
        size_t u = o->comp_unk[u0 + j];
        clb[o->column[u] - 1] = o->lb[u];
        cub[o->column[u] - 1] = o->ub[u] - o->lb[u] < EPS ? o->lb[u] : o->ub[u];
    }
    rlb[0] = -DBL_MAX;
    rub[0] = DBL_MAX;
    for (size_t i = 0; i < nc; i++) {
        const cons_t *k = &o->cons[o->comp_cons[c0 + i]];
        rlb[i] = k->op == OP_EQ ? k->rhs : -DBL_MAX;
        rub[i] = k->rhs;
    }
    Clp_Simplex *model = Clp_newModel();
    Clp_setLogLevel(model, 0);
    c->obj[comp] = kh_xcalloc(m, sizeof(double));
    Clp_loadProblem(model, (int)m, (int)nr, start, index, value, clb, cub, c->obj[comp], rlb, rub);
    free(start);
    free(index);
    free(value);
    free(clb);
    free(cub);
    free(rlb);
    free(rub);
    c->model[comp] = model;
    return model;
}

/* Optimises column col (0-based) of model in direction dir (1 min, -1 max)
 * from the model's last basis; its value at the optimum, or NAN. */
static double clp_solve(clp_t *c, Clp_Simplex *model, double *obj, int col, double dir)
{
    obj[col] = 1.0;
    /* the C interface has no single-coefficient setter: the whole row */
    Clp_chgObjCoefficients(model, obj);
    obj[col] = 0.0;
    Clp_setOptimizationDirection(model, dir);
    if (c->dual)
        Clp_dual(model, 0);
    else
        Clp_primal(model, 0);
    c->lps++;
    if (Clp_status(model) != 0) {
        c->failed++;
        return NAN;
    }
    return Clp_getColSolution(model)[col];
}

static void clp_bounds(clp_t *c, size_t i, double *lo, double *hi)
{
    size_t comp = c->o->comp_of[i];
    Clp_Simplex *model = clp_model(c, comp);
    int col = (int)c->o->column[i] - 1;
    *lo = clp_solve(c, model, c->obj[comp], col, 1.0);
    *hi = clp_solve(c, model, c->obj[comp], col, -1.0);
}

static void clp_free(clp_t *c)
{
    for (size_t k = 0; k < c->o->ncomp; k++) {
        if (c->model[k])
            Clp_deleteModel(c->model[k]);
        free(c->obj[k]);
    }
    free(c->model);
    free(c->obj);
}

static clp_t clp_new(kh_outsider_t *o, int dual)
{
    clp_t c = {o, kh_xcalloc(o->ncomp + 1, sizeof(Clp_Simplex *)),
               kh_xcalloc(o->ncomp + 1, sizeof(double *)), dual, 0, 0};
    return c;
}

/* ---- The measurements -------------------------------------------------- */

typedef struct {
    size_t nunk, ncomp, largest, largest_cols, largest_rows, n;
} shape_t;

static shape_t shape_of(const kh_outsider_t *o, size_t limit)
{
    shape_t s = {o->nunk, o->ncomp, 0, 0, 0, o->nunk < limit ? o->nunk : limit};
    for (size_t k = 0; k < o->ncomp; k++) {
        size_t cols = o->comp_unk_start[k + 1] - o->comp_unk_start[k];
        if (cols > s.largest_cols) {
            s.largest = k;
            s.largest_cols = cols;
            s.largest_rows = o->comp_cons_start[k + 1] - o->comp_cons_start[k];
        }
    }
    return s;
}

/* Every interval by GLPK (kh_outsider_bounds, a fresh outsider). */
static int run_glpk(const kh_year_tables_t *t, size_t n, double *lo, double *hi, double *secs,
                    size_t *lps)
{
    kh_outsider_t *o = NULL;
    int rc = kh_outsider_new(t, &o);
    uint64_t t0 = kh_now_ns();
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = kh_outsider_bounds(o, i, &lo[i], &hi[i]);
    *secs = secs_since(t0);
    *lps = rc == 0 ? kh_outsider_lps(o) : 0;
    kh_outsider_destroy(&o);
    return rc;
}

/* Every interval by CLP (a fresh outsider, so GLPK's models are not there). */
static int run_clp(const kh_year_tables_t *t, size_t n, int dual, double *lo, double *hi,
                   double *secs, size_t *lps, size_t *failed)
{
    kh_outsider_t *o = NULL;
    int rc = kh_outsider_new(t, &o);
    if (rc)
        return rc;
    clp_t c = clp_new(o, dual);
    uint64_t t0 = kh_now_ns();
    for (size_t i = 0; i < n; i++)
        clp_bounds(&c, i, &lo[i], &hi[i]);
    *secs = secs_since(t0);
    *lps = c.lps;
    *failed = c.failed;
    clp_free(&c);
    kh_outsider_destroy(&o);
    return 0;
}

static size_t differing(size_t n, const double *alo, const double *ahi, const double *blo,
                        const double *bhi, int ref_year, const char *what)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (!(fabs(alo[i] - blo[i]) <= TOL && fabs(ahi[i] - bhi[i]) <= TOL) && d++ < 3)
            printf("  %d unknown %zu: GLPK [%.9g, %.9g], %s [%.9g, %.9g]\n", ref_year, i, alo[i],
                   ahi[i], what, blo[i], bhi[i]);
    return d;
}

/* The largest component alone, in fresh outsiders: GLPK's build with its
 * first interval (a cold minimum from the standard basis, then a warm
 * maximum), then one more cold solve from glp_std_basis; CLP's build, cold
 * minimum and warm maximum timed apart. */
static void cold_start(const kh_year_tables_t *t, const shape_t *s)
{
    kh_outsider_t *o = NULL;
    if (kh_outsider_new(t, &o))
        return;
    size_t u = o->comp_unk[o->comp_unk_start[s->largest]];
    double lo, hi;
    uint64_t t0 = kh_now_ns();
    kh_outsider_bounds(o, u, &lo, &hi);
    double g_first = secs_since(t0);
    glp_prob *p = o->problem[s->largest];
    glp_std_basis(p);
    glp_set_obj_coef(p, (int)o->column[u], 1.0);
    glp_set_obj_dir(p, GLP_MIN);
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    t0 = kh_now_ns();
    glp_simplex(p, &parm);
    double g_cold = secs_since(t0);
    printf("  largest component: GLPK build+min(cold)+max %.3f s, cold min alone %.3f s\n",
           g_first, g_cold);
    for (int dual = 0; dual <= 1; dual++) {
        clp_t c = clp_new(o, dual);
        t0 = kh_now_ns();
        Clp_Simplex *model = clp_model(&c, s->largest);
        double build = secs_since(t0);
        t0 = kh_now_ns();
        double clo = clp_solve(&c, model, c.obj[s->largest], (int)o->column[u] - 1, 1.0);
        double cold = secs_since(t0);
        t0 = kh_now_ns();
        double chi = clp_solve(&c, model, c.obj[s->largest], (int)o->column[u] - 1, -1.0);
        double warm = secs_since(t0);
        printf("  largest component: CLP %s build %.3f s, min(cold) %.3f s, max(warm) %.3f s%s\n",
               dual ? "dual" : "primal", build, cold, warm,
               fabs(clo - lo) <= TOL && fabs(chi - hi) <= TOL ? "" : " (interval differs)");
        clp_free(&c);
    }
    kh_outsider_destroy(&o);
}

static int measure_year(const kh_stored_year_t *y, size_t limit)
{
    kh_year_tables_t t = {0};
    for (int tt = 0; tt < KH_IND_COUNT; tt++) {
        t.rows[tt] = y->rows[tt];
        t.n[tt] = y->n[tt];
    }
    kh_outsider_t *o = NULL;
    int rc = kh_outsider_new(&t, &o);
    if (rc)
        return rc;
    shape_t s = shape_of(o, limit);
    kh_outsider_destroy(&o);
    size_t n = s.n;
    double *v = kh_xmalloc((6 * n + 1) * sizeof *v);
    double *glo = v, *ghi = v + n, *plo = v + 2 * n, *phi = v + 3 * n, *dlo = v + 4 * n,
           *dhi = v + 5 * n;
    double gs, ps, ds;
    size_t glps, plps, dlps, pfail, dfail;
    rc = run_glpk(&t, n, glo, ghi, &gs, &glps);
    if (rc == 0)
        rc = run_clp(&t, n, 0, plo, phi, &ps, &plps, &pfail);
    if (rc == 0)
        rc = run_clp(&t, n, 1, dlo, dhi, &ds, &dlps, &dfail);
    if (rc == 0) {
        size_t dp = differing(n, glo, ghi, plo, phi, y->ref_year, "CLP primal");
        size_t dd = differing(n, glo, ghi, dlo, dhi, y->ref_year, "CLP dual");
        printf("%-8d %-8zu %-10zu %-6zu x %-6zu %-8zu %-8.3f %-10.3f %-8.3f %zu/%zu %zu/%zu\n",
               y->ref_year, s.nunk, s.ncomp, s.largest_cols, s.largest_rows, glps, gs, ps, ds,
               dp, dd, pfail, dfail);
        fflush(stdout);
        cold_start(&t, &s);
    }
    free(v);
    return rc;
}

int main(int argc, char **argv)
{
    const char *path = NULL;
    size_t limit = SIZE_MAX;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--store"))
            path = argv[i + 1];
        else if (!strcmp(argv[i], "--limit"))
            limit = strtoul(argv[i + 1], NULL, 10);
    }
    if (!path) {
        fputs("usage: kohort-lpcompare --store DIR [--limit UNKNOWNS]\n", stderr);
        return 2;
    }
    kh_store_t *store;
    if (kh_cli_open_store(path, &store))
        return 1;
    static kh_stored_years_t s;
    int rc = kh_stored_years_read(store, &s);
    kh_store_close(&store);
    printf("%-8s %-8s %-10s %-15s %-8s %-8s %-10s %-8s %s\n", "ref_year", "unknowns",
           "components", "largest(c x r)", "LPs", "GLPK s", "CLP prim s", "CLP du s",
           "differ p/d  failed p/d");
    for (int i = 0; rc == 0 && i < s.nyears; i++)
        rc = measure_year(&s.years[i], limit);
    if (rc)
        fprintf(stderr, "kohort-lpcompare: %s\n", kh_strerror(rc));
    kh_stored_years_free(&s);
    return rc ? 1 : 0;
}
