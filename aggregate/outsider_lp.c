/* outsider_lp.c - the linear programs of aggregate/outsider (GLPK): one
 * problem per component over all of its constraints, built when first
 * needed and kept, so that each further solve after a change of objective
 * starts from the last optimal basis (primal feasible still: only the
 * objective changed) and takes a few pivots. */
#include "aggregate/outsider.h"

#include <errno.h>
#include <glpk.h>
#include <malloc.h>
#include <stdlib.h>

#include "proto/err.h"
#include "proto/log.h"
#include "proto/util.h"
#include "aggregate/outsider_impl.h"

/* GLPK allocates and frees its work arrays on every simplex call; with
 * glibc's defaults those go back to the kernel each time and come back as
 * fresh zeroed pages. Keeping them in the heap (once per process) halved
 * `kohort audit` on a 20 000-person year (31 s to 16 s; system time 5.5 s
 * to 0.1 s). */
static void keep_work_memory(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
}

/* The program of component comp: its unknowns as columns, its constraints
 * as rows, objective 0. */
static glp_prob *component_problem(kh_outsider_t *o, size_t comp)
{
    if (o->problem[comp])
        return o->problem[comp];
    keep_work_memory();
    glp_term_out(GLP_OFF);
    glp_prob *p = glp_create_prob();
    size_t u0 = o->comp_unk_start[comp], m = o->comp_unk_start[comp + 1] - u0;
    size_t c0 = o->comp_cons_start[comp], nc = o->comp_cons_start[comp + 1] - c0;
    glp_add_cols(p, (int)m);
    for (size_t j = 0; j < m; j++) {
        size_t u = o->comp_unk[u0 + j];
        int type = o->ub[u] - o->lb[u] < EPS ? GLP_FX : GLP_DB;
        glp_set_col_bnds(p, (int)j + 1, type, o->lb[u], type == GLP_FX ? o->lb[u] : o->ub[u]);
    }
    /* GLPK refuses a problem without rows: a free row with no terms */
    glp_add_rows(p, nc ? (int)nc : 1);
    if (!nc)
        glp_set_row_bnds(p, 1, GLP_FR, 0.0, 0.0);
    size_t ne = 0;
    for (size_t i = 0; i < nc; i++) {
        const cons_t *c = &o->cons[o->comp_cons[c0 + i]];
        ne += (c + 1)->start - c->start;
    }
    int *ia = kh_xmalloc((ne + 1) * sizeof *ia), *ja = kh_xmalloc((ne + 1) * sizeof *ja);
    double *ar = kh_xmalloc((ne + 1) * sizeof *ar);
    size_t e = 1;
    for (size_t i = 0; i < nc; i++) {
        const cons_t *c = &o->cons[o->comp_cons[c0 + i]];
        for (size_t t = c->start; t < (c + 1)->start; t++) {
            ia[e] = (int)i + 1;
            ja[e] = (int)o->column[o->tvar[t]];
            ar[e++] = o->tcoef[t];
        }
        if (c->op == OP_EQ)
            glp_set_row_bnds(p, (int)i + 1, GLP_FX, c->rhs, c->rhs);
        else
            glp_set_row_bnds(p, (int)i + 1, GLP_UP, 0.0, c->rhs);
    }
    glp_load_matrix(p, (int)(e - 1), ia, ja, ar);
    /* Bixby's crash basis: the first solve of the national year's one
     * component (6 763 unknowns) took 0.38 s from it, 0.92 s from the
     * standard basis of slacks */
    glp_cpx_basis(p);
    free(ia);
    free(ja);
    free(ar);
    o->problem[comp] = p;
    return p;
}

/* Solves component comp's program p from its current basis, and keeps
 * what its solution shows of every unknown. */
static int solve(kh_outsider_t *o, size_t comp, glp_prob *p)
{
    glp_smcp parm;
    glp_init_smcp(&parm);
    parm.msg_lev = GLP_MSG_OFF;
    int rc = glp_simplex(p, &parm);
    if (rc == GLP_EBADB || rc == GLP_ESING || rc == GLP_ECOND) {
        /* a basis the solver cannot use: start again from a fresh one */
        glp_adv_basis(p, 0);
        rc = glp_simplex(p, &parm);
    }
    o->lps++;
    if (o->progress)
        o->progress(o->progress_ctx);
    if (rc != 0 || glp_get_status(p) != GLP_OPT) {
        kh_warn("outsider: GLPK simplex returned %d, status %d, on %d columns and %d rows", rc,
                glp_get_status(p), glp_get_num_cols(p), glp_get_num_rows(p));
        return KH_E_SOLVER;
    }
    for (size_t j = o->comp_unk_start[comp]; j < o->comp_unk_start[comp + 1]; j++) {
        size_t u = o->comp_unk[j];
        double v = glp_get_col_prim(p, (int)o->column[u]);
        if (v < o->seen_lo[u])
            o->seen_lo[u] = v;
        if (v > o->seen_hi[u])
            o->seen_hi[u] = v;
    }
    return 0;
}

void kh_outsider_seen(const kh_outsider_t *o, size_t i, double *lo, double *hi)
{
    *lo = o->seen_lo[i];
    *hi = o->seen_hi[i];
}

/* Objectives whose optima, averaged, give the point: a point inside the
 * region rather than at one of its corners, where more cells have room
 * both ways (certify.c proves more from it). Weights by the unknown's
 * column: all +1, all -1, then alternating signs both ways. */
#define POINT_VERTICES 4

static double vertex_weight(int v, size_t column)
{
    int alternate = (column & 1) ? -1 : 1;
    switch (v) {
    case 0: return 1.0;
    case 1: return -1.0;
    case 2: return alternate;
    default: return -alternate;
    }
}

/* x0 of component comp: the mean of POINT_VERTICES optimal vertices. */
static int central_point(kh_outsider_t *o, size_t comp)
{
    glp_prob *p = component_problem(o, comp);
    size_t u0 = o->comp_unk_start[comp], u1 = o->comp_unk_start[comp + 1];
    for (size_t j = u0; j < u1; j++)
        o->x0[o->comp_unk[j]] = 0;
    int rc = 0;
    glp_set_obj_dir(p, GLP_MIN);
    for (int v = 0; v < POINT_VERTICES && rc == 0; v++) {
        for (size_t j = u0; j < u1; j++)
            glp_set_obj_coef(p, (int)o->column[o->comp_unk[j]],
                             vertex_weight(v, o->column[o->comp_unk[j]]));
        rc = solve(o, comp, p);
        for (size_t j = u0; rc == 0 && j < u1; j++) {
            size_t u = o->comp_unk[j];
            o->x0[u] += glp_get_col_prim(p, (int)o->column[u]) / POINT_VERTICES;
        }
    }
    for (size_t j = u0; j < u1; j++)
        glp_set_obj_coef(p, (int)o->column[o->comp_unk[j]], 0.0);
    return rc;
}

int kh_outsider_point(kh_outsider_t *o, double *const point[KH_IND_COUNT])
{
    for (size_t k = 0; k < o->ncomp && !o->have_point; k++) {
        int rc = central_point(o, k);
        if (rc)
            return rc;
    }
    o->have_point = 1;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!o->spec[t] || !point[t])
            continue;
        for (size_t r = 0; r < o->year.n[t]; r++)
            for (int c = 0; c < KH_IND_MAX_COLS; c++) {
                uint32_t u = o->index[t][r * KH_IND_MAX_COLS + (size_t)c];
                point[t][r * KH_IND_MAX_COLS + (size_t)c] =
                    u != NONE ? o->x0[u] : (double)o->year.rows[t][r].value[c];
            }
    }
    return 0;
}

int kh_outsider_bounds(kh_outsider_t *o, size_t i, double *lo, double *hi)
{
    if (i >= o->nunk)
        return -EINVAL;
    size_t comp = o->comp_of[i];
    glp_prob *p = component_problem(o, comp);
    int col = (int)o->column[i];
    glp_set_obj_coef(p, col, 1.0);
    glp_set_obj_dir(p, GLP_MIN);
    int rc = solve(o, comp, p);
    if (rc == 0) {
        *lo = glp_get_obj_val(p);
        glp_set_obj_dir(p, GLP_MAX);
        rc = solve(o, comp, p);
        *hi = glp_get_obj_val(p);
    }
    glp_set_obj_coef(p, col, 0.0);
    return rc;
}

void kh_outsider_free_problems(kh_outsider_t *o)
{
    for (size_t k = 0; o->problem && k < o->ncomp; k++)
        if (o->problem[k])
            glp_delete_prob(o->problem[k]);
}
