/* outsider.c - the outsider's constraints of one year's tables; see
 * outsider.h. Constraints with one unknown become that unknown's bounds;
 * the others link unknowns into components (union find). The linear
 * programs that decide the intervals are in outsider_lp.c. */
#include "aggregate/outsider.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/log.h"
#include "proto/util.h"
#include "aggregate/disclosure.h"
#include "aggregate/outsider_impl.h"
#include "aggregate/relations.h"

/* ---- Unknowns -------------------------------------------------------------- */

static int is_unknown(const kh_indrow_t *row, int c)
{
    return !row->present[c] || (row->suppressed_mask & (UINT32_C(1) << c));
}

static void find_unknowns(kh_outsider_t *o)
{
    size_t cap = 0;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        const kh_disclosure_spec_t *spec = o->spec[t];
        if (!spec)
            continue;
        size_t n = o->year.n[t];
        o->index[t] = kh_xmalloc((n ? n : 1) * KH_IND_MAX_COLS * sizeof(uint32_t));
        for (size_t r = 0; r < n; r++)
            for (int c = 0; c < KH_IND_MAX_COLS; c++) {
                uint32_t *slot = &o->index[t][r * KH_IND_MAX_COLS + (size_t)c];
                *slot = NONE;
                if (c >= spec->ncols || !kh_disclosure_is_cell(spec, c) ||
                    !is_unknown(&o->year.rows[t][r], c))
                    continue;
                if (o->nunk == cap) {
                    cap = cap ? 2 * cap : 256;
                    o->cells = kh_xrealloc(o->cells, cap * sizeof *o->cells);
                }
                *slot = (uint32_t)o->nunk;
                o->cells[o->nunk++] = (kh_cell_t){t, r, c};
            }
    }
    size_t n = o->nunk ? o->nunk : 1;
    o->lb = kh_xmalloc(n * sizeof(double));
    o->ub = kh_xmalloc(n * sizeof(double));
    for (size_t i = 0; i < o->nunk; i++) {
        const kh_cell_t *cell = &o->cells[i];
        o->lb[i] = kh_relations_lower((kh_indtable_t)cell->table, cell->col);
        o->ub[i] = KH_OUTSIDER_CAP;
    }
}

/* ---- Constraints ----------------------------------------------------------- */

static void cons_begin(kh_outsider_t *o)
{
    o->pending = 0;
    if (o->ncons + 1 >= o->capcons) {
        o->capcons = o->capcons ? 2 * o->capcons : 1024;
        o->cons = kh_xrealloc(o->cons, o->capcons * sizeof *o->cons);
    }
    o->cons[o->ncons].start = o->nterms;
}

/* Adds coef * cell (t, r, c): an unknown's term, or a shown value folded
 * into the constant. */
static void cons_term(kh_outsider_t *o, int t, size_t r, int c, double coef)
{
    uint32_t u = o->index[t][r * KH_IND_MAX_COLS + (size_t)c];
    if (u == NONE) {
        o->pending += coef * (double)o->year.rows[t][r].value[c];
        return;
    }
    if (o->nterms == o->capterms) {
        o->capterms = o->capterms ? 2 * o->capterms : 4096;
        o->tvar = kh_xrealloc(o->tvar, o->capterms * sizeof *o->tvar);
        o->tcoef = kh_xrealloc(o->tcoef, o->capterms * sizeof *o->tcoef);
    }
    o->tvar[o->nterms] = u;
    o->tcoef[o->nterms++] = coef;
}

/* Ends the constraint: sum of terms `op` rhs. Without unknowns it is only
 * the tables' own consistency and is dropped; with one it tightens that
 * unknown's bounds; with more it is kept. */
static void cons_end(kh_outsider_t *o, int op, double rhs)
{
    cons_t *c = &o->cons[o->ncons];
    size_t nt = o->nterms - c->start;
    rhs -= o->pending;
    if (nt >= 2) {
        c->rhs = rhs;
        c->op = op;
        o->cons[++o->ncons].start = o->nterms;
        return;
    }
    if (nt == 1) {
        uint32_t u = o->tvar[c->start];
        double a = o->tcoef[c->start], v = rhs / a;
        if (op == OP_EQ || a > 0)
            o->ub[u] = v < o->ub[u] ? v : o->ub[u];
        if (op == OP_EQ || a < 0)
            o->lb[u] = v > o->lb[u] ? v : o->lb[u];
    }
    o->nterms = c->start;
}

/* Within a row: the relations of relations.c (every count <= base, and
 * those between columns). */
static void add_row_relations(kh_outsider_t *o, int t, size_t r)
{
    const kh_relation_t *rel;
    size_t nrel = kh_relations((kh_indtable_t)t, &rel);
    for (size_t i = 0; i < nrel; i++) {
        cons_begin(o);
        for (int m = 0; m < rel[i].nterms; m++)
            cons_term(o, t, r, rel[i].col[m], rel[i].coef[m]);
        cons_end(o, OP_LE, 0);
    }
}

/* Every line with a total: its cells sum to the total, per base and count. */
static void add_lines(kh_outsider_t *o, int t)
{
    const kh_disclosure_spec_t *spec = o->spec[t];
    for (int kind = 0; kind < spec->lines.nkinds; kind++) {
        size_t nl = kh_lines_count(o->lines[t], kind);
        for (size_t l = 0; l < nl; l++) {
            kh_line_t line = kh_lines_get(o->lines[t], kind, l);
            if (line.total == SIZE_MAX || line.len < 2)
                continue;
            for (int i = -1; i < spec->ncounts; i++) {
                int c = i < 0 ? spec->base : spec->counts[i];
                cons_begin(o);
                for (size_t m = 0; m < line.len; m++)
                    cons_term(o, t, line.idx[m], c, m == line.total ? -1.0 : 1.0);
                cons_end(o, OP_EQ, 0);
            }
        }
    }
}

/* The bases below exits of the exit row of the same (H, C). */
static void add_cross(kh_outsider_t *o)
{
    if (!o->spec[KH_IND_EXIT] || !o->year.n[KH_IND_EXIT])
        return;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!o->spec[t])
            continue;
        for (size_t r = 0; r < o->year.n[t]; r++) {
            const kh_indrow_t *row = &o->year.rows[t][r];
            if (!kh_relations_below_exits((kh_indtable_t)t, row))
                continue;
            size_t e = kh_relations_exit_row(o->year.rows[KH_IND_EXIT], o->year.n[KH_IND_EXIT],
                                             row->kommnr, row->key2);
            if (e == SIZE_MAX)
                continue;
            cons_begin(o);
            cons_term(o, t, r, o->spec[t]->base, 1);
            cons_term(o, KH_IND_EXIT, e, KH_EXIT_EXITS, -1);
            cons_end(o, OP_LE, 0);
        }
    }
}

/* ---- Components ------------------------------------------------------------ */

static size_t uf_find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static void split_components(kh_outsider_t *o)
{
    size_t n = o->nunk ? o->nunk : 1;
    size_t *parent = kh_xmalloc(n * sizeof *parent);
    for (size_t i = 0; i < o->nunk; i++)
        parent[i] = i;
    for (size_t c = 0; c < o->ncons; c++) {
        size_t a = uf_find(parent, o->tvar[o->cons[c].start]);
        for (size_t t = o->cons[c].start + 1; t < o->cons[c + 1].start; t++) {
            size_t b = uf_find(parent, o->tvar[t]);
            if (a != b) {
                /* the lower index is the root, so roots are deterministic */
                if (b < a) {
                    size_t x = a;
                    a = b;
                    b = x;
                }
                parent[b] = a;
            }
        }
    }
    size_t *id = kh_xmalloc(n * sizeof *id);
    o->comp_of = kh_xmalloc(n * sizeof *o->comp_of);
    for (size_t i = 0; i < o->nunk; i++) {
        size_t root = uf_find(parent, i);
        if (root == i)
            id[i] = o->ncomp++;
        o->comp_of[i] = id[root];
    }
    free(parent);
    free(id);
    /* counting sort of unknowns and constraints by component */
    o->comp_unk_start = kh_xcalloc(o->ncomp + 1, sizeof(size_t));
    o->comp_cons_start = kh_xcalloc(o->ncomp + 1, sizeof(size_t));
    for (size_t i = 0; i < o->nunk; i++)
        o->comp_unk_start[o->comp_of[i] + 1]++;
    for (size_t c = 0; c < o->ncons; c++)
        o->comp_cons_start[o->comp_of[o->tvar[o->cons[c].start]] + 1]++;
    for (size_t k = 0; k < o->ncomp; k++) {
        o->comp_unk_start[k + 1] += o->comp_unk_start[k];
        o->comp_cons_start[k + 1] += o->comp_cons_start[k];
    }
    o->comp_unk = kh_xmalloc(n * sizeof(size_t));
    o->comp_cons = kh_xmalloc((o->ncons ? o->ncons : 1) * sizeof(size_t));
    size_t *fill = kh_xmalloc((o->ncomp + 1) * sizeof *fill);
    memcpy(fill, o->comp_unk_start, (o->ncomp + 1) * sizeof *fill);
    for (size_t i = 0; i < o->nunk; i++)
        o->comp_unk[fill[o->comp_of[i]]++] = i;
    memcpy(fill, o->comp_cons_start, (o->ncomp + 1) * sizeof *fill);
    for (size_t c = 0; c < o->ncons; c++)
        o->comp_cons[fill[o->comp_of[o->tvar[o->cons[c].start]]]++] = c;
    free(fill);
}

/* Per unknown its column in its component's LP; x0 from the true values
 * when the tables hold them. */
static void prepare_point(kh_outsider_t *o)
{
    size_t n = o->nunk ? o->nunk : 1;
    o->column = kh_xmalloc(n * sizeof *o->column);
    for (size_t k = 0; k < o->ncomp; k++)
        for (size_t j = o->comp_unk_start[k]; j < o->comp_unk_start[k + 1]; j++)
            o->column[o->comp_unk[j]] = j - o->comp_unk_start[k] + 1;
    o->problem = kh_xcalloc(o->ncomp + 1, sizeof *o->problem);
    o->x0 = kh_xcalloc(n, sizeof *o->x0);
    o->seen_lo = kh_xmalloc(n * sizeof *o->seen_lo);
    o->seen_hi = kh_xmalloc(n * sizeof *o->seen_hi);
    for (size_t i = 0; i < o->nunk; i++) {
        o->seen_lo[i] = o->ub[i];
        o->seen_hi[i] = o->lb[i];
    }
    o->have_point = o->year.values_known;
    for (size_t i = 0; o->have_point && i < o->nunk; i++)
        o->x0[i] = (double)o->year.rows[o->cells[i].table][o->cells[i].row].value[o->cells[i].col];
}

int kh_outsider_new(const kh_year_tables_t *year, kh_outsider_t **out)
{
    *out = NULL;
    kh_outsider_t *o = kh_xcalloc(1, sizeof *o);
    o->year = *year;
    int rc = 0;
    for (int t = 0; t < KH_IND_COUNT && rc == 0; t++) {
        o->spec[t] = kh_disclosure_spec((kh_indtable_t)t);
        if (!o->spec[t])
            continue;
        o->lines[t] = kh_lines_new(year->rows[t], year->n[t], &o->spec[t]->lines);
        if (!o->lines[t])
            rc = -EINVAL;
    }
    if (rc) {
        kh_outsider_destroy(&o);
        return rc;
    }
    find_unknowns(o);
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!o->spec[t])
            continue;
        for (size_t r = 0; r < year->n[t]; r++)
            add_row_relations(o, t, r);
        add_lines(o, t);
    }
    add_cross(o);
    if (!o->cons) {
        o->cons = kh_xmalloc(sizeof *o->cons);
        o->cons[0].start = 0;
    }
    for (size_t i = 0; i < o->nunk; i++)
        if (o->lb[i] > o->ub[i] + EPS)
            rc = KH_E_SOLVER;
    if (rc) {
        kh_outsider_destroy(&o);
        return rc;
    }
    split_components(o);
    prepare_point(o);
    *out = o;
    return 0;
}

void kh_outsider_destroy(kh_outsider_t **po)
{
    if (!po || !*po)
        return;
    kh_outsider_t *o = *po;
    kh_outsider_free_problems(o);
    for (int t = 0; t < KH_IND_COUNT; t++) {
        kh_lines_destroy(&o->lines[t]);
        free(o->index[t]);
    }
    free(o->cells);
    free(o->lb);
    free(o->ub);
    free(o->cons);
    free(o->tvar);
    free(o->tcoef);
    free(o->comp_of);
    free(o->comp_unk);
    free(o->comp_unk_start);
    free(o->comp_cons);
    free(o->comp_cons_start);
    free(o->column);
    free(o->problem);
    free(o->x0);
    free(o->seen_lo);
    free(o->seen_hi);
    free(o);
    *po = NULL;
}

/* ---- Accessors ------------------------------------------------------------- */

void kh_outsider_set_progress(kh_outsider_t *o, kh_outsider_progress_fn fn, void *ctx)
{
    o->progress = fn;
    o->progress_ctx = ctx;
}

size_t kh_outsider_nunknowns(const kh_outsider_t *o) { return o->nunk; }

kh_cell_t kh_outsider_cell(const kh_outsider_t *o, size_t i) { return o->cells[i]; }

size_t kh_outsider_find(const kh_outsider_t *o, int table, size_t row, int col)
{
    if (table < 0 || table >= KH_IND_COUNT || !o->index[table] || row >= o->year.n[table] ||
        col < 0 || col >= KH_IND_MAX_COLS)
        return SIZE_MAX;
    uint32_t u = o->index[table][row * KH_IND_MAX_COLS + (size_t)col];
    return u == NONE ? SIZE_MAX : u;
}

size_t kh_outsider_ncomponents(const kh_outsider_t *o) { return o->ncomp; }

size_t kh_outsider_component(const kh_outsider_t *o, size_t i) { return o->comp_of[i]; }

size_t kh_outsider_lps(const kh_outsider_t *o) { return o->lps; }

/* Tightens the bounds of the unknowns of sum(sign * coef * x) <= sign * rhs. */
static void propagate(const kh_outsider_t *o, const cons_t *c, double sign, double *lo,
                      double *hi)
{
    double minsum = 0;
    for (size_t t = c->start; t < (c + 1)->start; t++) {
        double a = sign * o->tcoef[t];
        uint32_t u = o->tvar[t];
        minsum += a > 0 ? a * lo[u] : a * hi[u];
    }
    for (size_t t = c->start; t < (c + 1)->start; t++) {
        double a = sign * o->tcoef[t];
        uint32_t u = o->tvar[t];
        double rest = minsum - (a > 0 ? a * lo[u] : a * hi[u]);
        double v = (sign * c->rhs - rest) / a;
        if (a > 0 && v < hi[u])
            hi[u] = v;
        else if (a < 0 && v > lo[u])
            lo[u] = v;
    }
}

void kh_outsider_outer(const kh_outsider_t *o, int rounds, double *lo, double *hi)
{
    for (size_t i = 0; i < o->nunk; i++) {
        lo[i] = o->lb[i];
        hi[i] = o->ub[i];
    }
    for (int r = 0; r < rounds; r++)
        for (size_t c = 0; c < o->ncons; c++) {
            propagate(o, &o->cons[c], 1.0, lo, hi);
            if (o->cons[c].op == OP_EQ)
                propagate(o, &o->cons[c], -1.0, lo, hi);
        }
}
