/* certify.c - proofs by boxes of suppressed cells; see certify.h.
 *
 * A box through row r of a table with kinds of line 0..nk-1 picks, per
 * kind k, a partner row p_k in r's line of that kind; its corners are the
 * rows whose key takes, in each varying key column vary[k], either r's or
 * p_k's value (2^nk corners, all of which must exist). In a line a cell
 * counts +1 and the total -1, so the corner's sign is the product over the
 * kinds where it takes p_k's value of -coef(r's value) / coef(p_k's value):
 * every line through a corner then holds two corners whose moves cancel. */
#define _POSIX_C_SOURCE 200809L
#include "aggregate/certify.h"

#include <errno.h>
#include <float.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "proto/util.h"
#include "aggregate/disclosure.h"
#include "aggregate/lines.h"
#include "aggregate/relations.h"

#define BIT(c) (UINT32_C(1) << (c))
#define EPS KH_CERT_EPS
#define MAX_CORNERS (1 << KH_LINES_MAX_KINDS)
/* Partners tried per kind of line when widening: the suppressed ones, then
 * the shown ones of smallest value, up to this many in all. */
#define WIDEN_PARTNERS 24
/* Boxes tried per cell when proving (a bound on the work in tables where
 * whole lines are suppressed; what is not proved is widened, which is
 * safe). */
#define PROVE_BOXES 4096

struct kh_cert {
    kh_year_tables_t year;
    const kh_disclosure_spec_t *spec[KH_IND_COUNT];
    uint32_t protected_cols[KH_IND_COUNT];
    kh_lines_t *lines[KH_IND_COUNT];
    size_t *line_of[KH_IND_COUNT][KH_LINES_MAX_KINDS]; /* per row: its line of each kind */
    double *x[KH_IND_COUNT];       /* the point, n * KH_IND_MAX_COLS */
    double *up[KH_IND_COUNT];      /* how far each cell is shown to rise */
    double *down[KH_IND_COUNT];    /* and to fall */
    size_t *exit_row[KH_IND_COUNT]; /* per row below exits: the exit row, or SIZE_MAX */
    size_t *below_start;           /* per exit row: the rows below its exits */
    size_t *below_table, *below_row;
    /* the relations of each table's rows (relations.h), with the columns
     * each one holds and each column's lower bound, so that a move skips
     * the relations it leaves alone */
    const kh_relation_t *rel[KH_IND_COUNT];
    size_t nrel[KH_IND_COUNT];
    uint32_t *rel_cols[KH_IND_COUNT];
    double lower[KH_IND_COUNT][KH_IND_MAX_COLS];
};

/* A box's corners (one table), whose signs the lines fix. */
typedef struct {
    int table;
    int ncorners;
    size_t row[MAX_CORNERS];
    int sign[MAX_CORNERS];
} box_t;

/* A move: columns `cols` of each entry's row change by sign * t. A box of
 * one table, or a joint box of bases over several tables (see
 * joint_move()). */
#define MAX_ENTRIES 40
typedef struct {
    int table;
    size_t row;
    uint32_t cols;
    int sign;
} entry_t;

typedef struct {
    int n;
    entry_t e[MAX_ENTRIES];
} move_t;

static size_t cell(size_t row, int col)
{
    return row * KH_IND_MAX_COLS + (size_t)col;
}

static int hidden(const kh_cert_t *c, int t, size_t r, int col)
{
    return (c->year.rows[t][r].suppressed_mask & BIT(col)) != 0;
}

static double reach(const kh_cert_t *c, int t, size_t r, int col)
{
    return c->up[t][cell(r, col)] + c->down[t][cell(r, col)];
}

/* ---- Set-up ------------------------------------------------------------------ */

static void index_lines(kh_cert_t *c, int t)
{
    const kh_disclosure_spec_t *spec = c->spec[t];
    for (int k = 0; k < spec->lines.nkinds; k++) {
        c->line_of[t][k] = kh_xmalloc((c->year.n[t] + 1) * sizeof(size_t));
        size_t nl = kh_lines_count(c->lines[t], k);
        for (size_t l = 0; l < nl; l++) {
            kh_line_t line = kh_lines_get(c->lines[t], k, l);
            for (size_t m = 0; m < line.len; m++)
                c->line_of[t][k][line.idx[m]] = l;
        }
    }
}

static void index_relations(kh_cert_t *c, int t)
{
    c->nrel[t] = kh_relations((kh_indtable_t)t, &c->rel[t]);
    c->rel_cols[t] = kh_xcalloc(c->nrel[t] + 1, sizeof(uint32_t));
    for (size_t j = 0; j < c->nrel[t]; j++)
        for (int q = 0; q < c->rel[t][j].nterms; q++)
            c->rel_cols[t][j] |= BIT(c->rel[t][j].col[q]);
    for (int col = 0; col < c->spec[t]->ncols; col++)
        c->lower[t][col] = kh_relations_lower((kh_indtable_t)t, col);
}

/* The relations between tables: which exit row bounds each base, and the
 * reverse lists per exit row. */
static void index_below(kh_cert_t *c)
{
    size_t ne = c->year.n[KH_IND_EXIT], total = 0;
    size_t *count = kh_xcalloc(ne + 1, sizeof(size_t));
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!c->spec[t])
            continue;
        c->exit_row[t] = kh_xmalloc((c->year.n[t] + 1) * sizeof(size_t));
        for (size_t r = 0; r < c->year.n[t]; r++) {
            const kh_indrow_t *row = &c->year.rows[t][r];
            size_t e = SIZE_MAX;
            if (kh_relations_below_exits((kh_indtable_t)t, row))
                e = kh_relations_exit_row(c->year.rows[KH_IND_EXIT], c->year.n[KH_IND_EXIT],
                                          row->kommnr, row->key2);
            c->exit_row[t][r] = e;
            if (e != SIZE_MAX) {
                count[e]++;
                total++;
            }
        }
    }
    c->below_start = kh_xcalloc(ne + 1, sizeof(size_t));
    for (size_t e = 0; e < ne; e++)
        c->below_start[e + 1] = c->below_start[e] + count[e];
    c->below_table = kh_xmalloc((total + 1) * sizeof(size_t));
    c->below_row = kh_xmalloc((total + 1) * sizeof(size_t));
    memset(count, 0, (ne + 1) * sizeof(size_t));
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!c->spec[t])
            continue;
        for (size_t r = 0; r < c->year.n[t]; r++) {
            size_t e = c->exit_row[t][r];
            if (e == SIZE_MAX)
                continue;
            size_t at = c->below_start[e] + count[e]++;
            c->below_table[at] = (size_t)t;
            c->below_row[at] = r;
        }
    }
    free(count);
}

int kh_cert_new(kh_year_tables_t *year, double *const point[KH_IND_COUNT], kh_cert_t **out)
{
    *out = NULL;
    kh_cert_t *c = kh_xcalloc(1, sizeof *c);
    c->year = *year;
    int rc = 0;
    for (int t = 0; t < KH_IND_COUNT && rc == 0; t++) {
        const kh_disclosure_spec_t *spec = kh_disclosure_spec((kh_indtable_t)t);
        if (!spec)
            continue;
        c->spec[t] = spec;
        c->protected_cols[t] = BIT(spec->base);
        for (int i = 0; i < spec->ncounts; i++)
            c->protected_cols[t] |= BIT(spec->counts[i]);
        size_t n = year->n[t], cells = (n + 1) * KH_IND_MAX_COLS;
        c->lines[t] = kh_lines_new(year->rows[t], n, &spec->lines);
        if (!c->lines[t]) {
            rc = -EINVAL;
            break;
        }
        index_lines(c, t);
        index_relations(c, t);
        c->x[t] = kh_xcalloc(cells, sizeof(double));
        c->up[t] = kh_xcalloc(cells, sizeof(double));
        c->down[t] = kh_xcalloc(cells, sizeof(double));
        if (year->values_known) {
            for (size_t r = 0; r < n; r++)
                for (int col = 0; col < spec->ncols; col++)
                    c->x[t][cell(r, col)] = (double)year->rows[t][r].value[col];
        } else if (point && point[t]) {
            memcpy(c->x[t], point[t], n * KH_IND_MAX_COLS * sizeof(double));
        } else if (n > 0) {
            rc = -EINVAL;
        }
    }
    if (rc == 0)
        index_below(c);
    if (rc != 0) {
        kh_cert_destroy(&c);
        return rc;
    }
    *out = c;
    return 0;
}

void kh_cert_destroy(kh_cert_t **cp)
{
    if (!cp || !*cp)
        return;
    kh_cert_t *c = *cp;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        kh_lines_destroy(&c->lines[t]);
        for (int k = 0; k < KH_LINES_MAX_KINDS; k++)
            free(c->line_of[t][k]);
        free(c->x[t]);
        free(c->up[t]);
        free(c->down[t]);
        free(c->exit_row[t]);
        free(c->rel_cols[t]);
    }
    free(c->below_start);
    free(c->below_table);
    free(c->below_row);
    free(c);
    *cp = NULL;
}

/* ---- Boxes --------------------------------------------------------------------- */

static int line_coef(int32_t key)
{
    return key == 0 ? -1 : 1; /* the total, whose varying key is 0, counts -1 */
}

/* The member of `line` whose key column `dim` is `key`, or SIZE_MAX. */
static size_t member_with(const kh_indrow_t *rows, kh_line_t line, int dim, int32_t key)
{
    size_t lo = 0, hi = line.len;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (kh_lines_key(&rows[line.idx[mid]], dim) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < line.len && kh_lines_key(&rows[line.idx[lo]], dim) == key)
        return line.idx[lo];
    return SIZE_MAX;
}

/* Fills box b for row r of table t with partners p[k]. Returns 0 when a
 * corner does not exist. Corner `mask` takes p[k]'s key where bit k is
 * set: it is the member of the corner without its highest bit's line of
 * that kind with p[k]'s key (one search), and a corner of one bit is the
 * partner itself. */
static int make_box(const kh_cert_t *c, int t, size_t r, const size_t *p, box_t *b)
{
    const kh_lines_spec_t *ls = &c->spec[t]->lines;
    const kh_indrow_t *rows = c->year.rows[t];
    b->table = t;
    b->ncorners = 1 << ls->nkinds;
    b->row[0] = r;
    b->sign[0] = 1;
    for (int mask = 1; mask < b->ncorners; mask++) {
        int k = 31 - __builtin_clz((unsigned)mask), prev = mask ^ (1 << k), dim = ls->vary[k];
        int32_t from = kh_lines_key(&rows[r], dim), to = kh_lines_key(&rows[p[k]], dim);
        size_t cur = p[k];
        if (prev) {
            kh_line_t line = kh_lines_get(c->lines[t], k, c->line_of[t][k][b->row[prev]]);
            cur = member_with(rows, line, dim, to);
        }
        if (cur == SIZE_MAX)
            return 0;
        b->row[mask] = cur;
        b->sign[mask] = b->sign[prev] * -line_coef(from) * line_coef(to);
    }
    return 1;
}

static void box_move(const box_t *b, uint32_t cols, move_t *m)
{
    m->n = b->ncorners;
    for (int j = 0; j < b->ncorners; j++)
        m->e[j] = (entry_t){b->table, b->row[j], cols, b->sign[j]};
}

/* How exits of exit row e moves in m (its sign, or 0). */
static int exits_delta(const move_t *m, size_t e)
{
    for (int i = 0; i < m->n; i++)
        if (m->e[i].table == KH_IND_EXIT && m->e[i].row == e &&
            (m->e[i].cols & BIT(KH_EXIT_EXITS)))
            return m->e[i].sign;
    return 0;
}

static int base_moves(const kh_cert_t *c, const move_t *m, int t, size_t r)
{
    for (int i = 0; i < m->n; i++)
        if (m->e[i].table == t && m->e[i].row == r && (m->e[i].cols & BIT(c->spec[t]->base)))
            return 1;
    return 0;
}

/* Narrows [*lo, *hi] by g + s t <= 0. */
static void keep(double g, double s, double *lo, double *hi)
{
    if (s > 0 && -g / s < *hi)
        *hi = -g / s;
    else if (s < 0 && -g / s > *lo)
        *lo = -g / s;
}

/* The segment [*tmin, *tmax] of t along which move m keeps every row
 * relation, bound and relation between tables (lines it keeps by its
 * construction). */
static void move_range(const kh_cert_t *c, const move_t *m, double *tmin, double *tmax)
{
    double lo = -DBL_MAX, hi = DBL_MAX;
    for (int i = 0; i < m->n; i++) {
        const entry_t *en = &m->e[i];
        int t = en->table;
        const kh_disclosure_spec_t *spec = c->spec[t];
        const kh_relation_t *rel = c->rel[t];
        const double *x = &c->x[t][cell(en->row, 0)];
        for (size_t j = 0; j < c->nrel[t]; j++) {
            if (!(en->cols & c->rel_cols[t][j]))
                continue; /* the move leaves it as it is */
            double s = 0, g = 0;
            for (int q = 0; q < rel[j].nterms; q++) {
                g += rel[j].coef[q] * x[rel[j].col[q]];
                if (en->cols & BIT(rel[j].col[q]))
                    s += rel[j].coef[q];
            }
            keep(g, s * en->sign, &lo, &hi);
        }
        for (uint32_t cols = en->cols; cols; cols &= cols - 1) {
            int col = __builtin_ctz(cols); /* lower - x - sign t <= 0 */
            keep(c->lower[t][col] - x[col], -en->sign, &lo, &hi);
        }
        if (!(en->cols & BIT(spec->base)))
            continue;
        size_t e = c->exit_row[t][en->row];
        if (e != SIZE_MAX) /* base - exits <= 0 */
            keep(x[spec->base] - c->x[KH_IND_EXIT][cell(e, KH_EXIT_EXITS)],
                 en->sign - exits_delta(m, e), &lo, &hi);
        if (t != KH_IND_EXIT)
            continue;
        for (size_t j = c->below_start[en->row]; j < c->below_start[en->row + 1]; j++) {
            int bt = (int)c->below_table[j];
            size_t br = c->below_row[j];
            if (base_moves(c, m, bt, br))
                continue; /* taken from its side */
            keep(c->x[bt][cell(br, c->spec[bt]->base)] - x[spec->base], -en->sign, &lo, &hi);
        }
    }
    *tmin = lo > 0 ? 0 : lo; /* the point itself is feasible: 0 is inside */
    *tmax = hi < 0 ? 0 : hi;
}

/* Records what the segment proves for every moved cell. */
static void move_apply(kh_cert_t *c, const move_t *m, double tmin, double tmax)
{
    for (int i = 0; i < m->n; i++) {
        const entry_t *en = &m->e[i];
        int t = en->table;
        double rise = en->sign > 0 ? tmax : -tmin, fall = en->sign > 0 ? -tmin : tmax;
        for (int col = 0; col < c->spec[t]->ncols; col++) {
            if (!(en->cols & BIT(col)))
                continue;
            size_t j = cell(en->row, col);
            if (rise > c->up[t][j])
                c->up[t][j] = rise;
            if (fall > c->down[t][j])
                c->down[t][j] = fall;
        }
    }
}

/* Columns suppressed at every corner. */
static uint32_t hidden_everywhere(const kh_cert_t *c, const box_t *b)
{
    uint32_t m = c->protected_cols[b->table];
    for (int j = 0; j < b->ncorners; j++)
        m &= c->year.rows[b->table][b->row[j]].suppressed_mask;
    return m;
}

/* ---- Joint moves of bases ----------------------------------------------------- */

/* The row of table t with this key, or SIZE_MAX. */
static size_t find_row(const kh_cert_t *c, int t, const int32_t key[KH_LINES_MAX_DIMS])
{
    const kh_indrow_t *rows = c->year.rows[t];
    size_t lo = 0, hi = c->year.n[t];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2, d = 0;
        int cmp = 0;
        for (; d < KH_LINES_MAX_DIMS && cmp == 0; d++) {
            int32_t v = kh_lines_key(&rows[mid], (int)d);
            cmp = v < key[d] ? -1 : v > key[d];
        }
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == c->year.n[t])
        return SIZE_MAX;
    for (int d = 0; d < KH_LINES_MAX_DIMS; d++)
        if (kh_lines_key(&rows[lo], d) != key[d])
            return SIZE_MAX;
    return lo;
}

/* The rows of the four positions in one table at one (key3, key4),
 * SIZE_MAX where missing. */
typedef struct {
    int table;
    int32_t key3, key4;
    size_t row[4];
} position_rows_t;

/* Four (kommnr, key2) positions with their signs: a box of every table's
 * municipality and cohort lines. The rows found at them are kept: the
 * joint moves over one set of positions look up the same rows many
 * times (exit's for every choice of tables and kjonn), and a lookup is a
 * binary search of the whole table. A set meets at most 2 + 4 per
 * followup horizon (table, key3, key4). */
#define POSITION_ROWS (2 + 4 * KH_FOLLOWUP_NHORIZONS)
typedef struct {
    int32_t kommnr[4], key2[4];
    int sign[4];
    int nfound;
    position_rows_t found[POSITION_ROWS];
} positions_t;

static void make_positions(const kh_indrow_t *r, const kh_indrow_t *p_cohort,
                           const kh_indrow_t *p_kommune, positions_t *p)
{
    int32_t h0 = r->kommnr, h1 = p_kommune->kommnr, c0 = r->key2, c1 = p_cohort->key2;
    int sh = -line_coef(h0) * line_coef(h1), sc = -line_coef(c0) * line_coef(c1);
    p->nfound = 0;
    for (int j = 0; j < 4; j++) {
        p->kommnr[j] = j < 2 ? h0 : h1;
        p->key2[j] = j % 2 ? c1 : c0;
    }
    p->sign[0] = 1, p->sign[1] = sc, p->sign[2] = sh, p->sign[3] = sh * sc;
}

/* The rows of table t at the four positions and (key3, key4). */
static const size_t *rows_at(const kh_cert_t *c, positions_t *p, int t, int32_t key3,
                             int32_t key4)
{
    for (int i = 0; i < p->nfound; i++)
        if (p->found[i].table == t && p->found[i].key3 == key3 && p->found[i].key4 == key4)
            return p->found[i].row;
    /* the last entry is reused when a caller asks for more than expected */
    position_rows_t *f = &p->found[p->nfound < POSITION_ROWS ? p->nfound++ : POSITION_ROWS - 1];
    f->table = t, f->key3 = key3, f->key4 = key4;
    for (int j = 0; j < 4; j++) {
        int32_t key[KH_LINES_MAX_DIMS] = {p->kommnr[j], p->key2[j], key3, key4};
        f->row[j] = find_row(c, t, key);
    }
    return f->row;
}

/* Adds the bases of rows (position j, key3, key4) of table t for all four
 * positions with sign * the position's; 0 (m unchanged) when a row is
 * missing, or its base is shown and only_hidden is set. */
static int add_bases(const kh_cert_t *c, positions_t *p, int t, int32_t key3, int32_t key4,
                     int sign, int only_hidden, move_t *m)
{
    int base = c->spec[t]->base;
    if (m->n + 4 > MAX_ENTRIES)
        return 0;
    const size_t *rows = rows_at(c, p, t, key3, key4);
    for (int j = 0; j < 4; j++)
        if (rows[j] == SIZE_MAX || (only_hidden && !hidden(c, t, rows[j], base)))
            return 0;
    for (int j = 0; j < 4; j++)
        m->e[m->n++] = (entry_t){t, rows[j], BIT(base), sign * p->sign[j]};
    return 1;
}

/* A joint move of bases over positions p: exit's exits (tables bit 0),
 * status's persons (bit 1), followup's persons of kjonn 0 and of kjonn
 * `kjonn` together (bit 2; every horizon whose rows all exist). Followup
 * rows of kjonn 0 and of another kjonn keep their gender line by moving
 * alike, and the persons <= exits relations by moving with exits. Returns
 * 1 when the move holds every table asked for. */
static int joint_move(const kh_cert_t *c, positions_t *p, int tables, int32_t kjonn,
                      int only_hidden, move_t *m)
{
    m->n = 0;
    if ((tables & 1) && !add_bases(c, p, KH_IND_EXIT, 0, 0, 1, only_hidden, m))
        return 0;
    if ((tables & 2) && !add_bases(c, p, KH_IND_STATUS, 0, 0, 1, only_hidden, m))
        return 0;
    if (tables & 4) {
        int any = 0;
        for (int h = 0; h < KH_FOLLOWUP_NHORIZONS; h++) {
            move_t keep_m = *m;
            if (add_bases(c, p, KH_IND_FOLLOWUP, kh_followup_horizons[h], 0, 1, only_hidden, m) &&
                add_bases(c, p, KH_IND_FOLLOWUP, kh_followup_horizons[h], kjonn, 1, only_hidden,
                          m))
                any = 1;
            else
                *m = keep_m;
        }
        if (!any)
            return 0;
    }
    return m->n > 0;
}

static int move_holds(const move_t *m, int t, size_t r, int col)
{
    for (int i = 0; i < m->n; i++)
        if (m->e[i].table == t && m->e[i].row == r && (m->e[i].cols & BIT(col)))
            return 1;
    return 0;
}

/* The tables a joint move through a base of table t may take: t's bit
 * always. */
static int table_bit(int t)
{
    return t == KH_IND_EXIT ? 1 : t == KH_IND_STATUS ? 2 : 4;
}

/* The kjonn values a joint move may pair with kjonn 0: for a followup row
 * of kjonn s != 0, s alone. Returns their number. */
static int kjonn_choices(const kh_indrow_t *row, int t, int32_t out[3])
{
    if (t == KH_IND_FOLLOWUP && row->key4 != 0) {
        out[0] = row->key4;
        return 1;
    }
    out[0] = 1, out[1] = 2, out[2] = 9;
    return 3;
}

/* ---- Proving ------------------------------------------------------------------- */

/* The partners of row r in its line of kind k that have `col` suppressed. */
static size_t hidden_partners(const kh_cert_t *c, int t, size_t r, int k, int col, size_t *out,
                              size_t cap)
{
    kh_line_t line = kh_lines_get(c->lines[t], k, c->line_of[t][k][r]);
    size_t n = 0;
    for (size_t m = 0; m < line.len && n < cap; m++)
        if (line.idx[m] != r && hidden(c, t, line.idx[m], col))
            out[n++] = line.idx[m];
    return n;
}

typedef struct {
    int nk;
    size_t *cand[KH_LINES_MAX_KINDS];
    size_t ncand[KH_LINES_MAX_KINDS];
    size_t pick[KH_LINES_MAX_KINDS];
} partners_t;

/* The next combination of partners; 0 after the last. */
static int next_pick(partners_t *pp, int nk)
{
    int k = 0;
    while (k < nk && ++pp->pick[k] == pp->ncand[k])
        pp->pick[k++] = 0;
    return k < nk;
}

static void partners_free(partners_t *pp)
{
    for (int k = 0; k < pp->nk; k++)
        free(pp->cand[k]);
}

/* Tries moves of suppressed cells through (t, r, col) until it spans
 * need: boxes of its own table, then, for a base, joint moves of bases. */
static void prove(kh_cert_t *c, int t, size_t r, int col, double need)
{
    const kh_lines_spec_t *ls = &c->spec[t]->lines;
    partners_t pp = {.nk = ls->nkinds};
    for (int k = 0; k < ls->nkinds; k++) {
        kh_line_t line = kh_lines_get(c->lines[t], k, c->line_of[t][k][r]);
        pp.cand[k] = kh_xmalloc((line.len + 1) * sizeof(size_t));
        pp.ncand[k] = hidden_partners(c, t, r, k, col, pp.cand[k], line.len);
    }
    int nk = ls->nkinds;
    for (int k = 0; k < nk; k++)
        if (pp.ncand[k] == 0)
            goto joint;
    for (size_t tried = 0; tried < PROVE_BOXES && reach(c, t, r, col) < need - EPS; tried++) {
        size_t p[KH_LINES_MAX_KINDS];
        for (int k = 0; k < nk; k++)
            p[k] = pp.cand[k][pp.pick[k]];
        box_t b;
        if (make_box(c, t, r, p, &b)) {
            uint32_t h = hidden_everywhere(c, &b);
            /* every set of columns hidden at all corners that holds col */
            for (uint32_t s = h; s; s = (s - 1) & h) {
                if (!(s & BIT(col)))
                    continue;
                move_t m;
                double lo, hi;
                box_move(&b, s, &m);
                move_range(c, &m, &lo, &hi);
                if (hi - lo > EPS)
                    move_apply(c, &m, lo, hi);
            }
        }
        if (!next_pick(&pp, nk))
            break;
    }
joint:
    if (col == c->spec[t]->base && pp.ncand[0] && pp.ncand[1]) {
        const kh_indrow_t *rows = c->year.rows[t];
        int32_t kj[3];
        int nkj = kjonn_choices(&rows[r], t, kj);
        memset(pp.pick, 0, sizeof pp.pick);
        for (size_t tried = 0; tried < PROVE_BOXES && reach(c, t, r, col) < need - EPS;
             tried++) {
            positions_t pos;
            make_positions(&rows[r], &rows[pp.cand[0][pp.pick[0]]],
                           &rows[pp.cand[1][pp.pick[1]]], &pos);
            for (int tables = 1; tables < 8; tables++) {
                if (!(tables & table_bit(t)))
                    continue;
                for (int q = 0; q < ((tables & 4) ? nkj : 1); q++) {
                    move_t m;
                    double lo, hi;
                    if (!joint_move(c, &pos, tables, kj[q], 1, &m) ||
                        !move_holds(&m, t, r, col))
                        continue;
                    move_range(c, &m, &lo, &hi);
                    if (hi - lo > EPS)
                        move_apply(c, &m, lo, hi);
                }
            }
            if (!next_pick(&pp, 2))
                break;
        }
    }
    partners_free(&pp);
}

static double need_of(const kh_cert_t *c, int t, size_t r, int col, int k)
{
    const uint32_t *primary = c->year.primary[t];
    if (k > 1 && primary && (primary[r] & BIT(col)))
        return (double)k;
    return 1.0;
}

size_t kh_cert_run(kh_cert_t *c, int k)
{
    size_t short_of_one = 0;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!c->spec[t])
            continue;
        for (size_t r = 0; r < c->year.n[t]; r++) {
            uint32_t m = c->year.rows[t][r].suppressed_mask & c->protected_cols[t];
            for (int col = 0; m; col++, m >>= 1) {
                if (!(m & 1))
                    continue;
                double need = need_of(c, t, r, col, k);
                if (reach(c, t, r, col) < need - EPS)
                    prove(c, t, r, col, need);
                short_of_one += reach(c, t, r, col) < 1.0 - EPS;
            }
        }
    }
    return short_of_one;
}

/* ---- Proving in two halves ------------------------------------------------------ */

/* Half `part` of the cells: those at even or odd positions of the list,
 * proved on c's widths. */
typedef struct {
    kh_cert_t *c;
    const kh_cell_t *cells;
    size_t n;
    int k, part;
} half_t;

static void prove_half(const half_t *h)
{
    for (size_t i = (size_t)h->part; i < h->n; i += 2) {
        const kh_cell_t *e = &h->cells[i];
        double need = need_of(h->c, e->table, e->row, e->col, h->k);
        if (reach(h->c, e->table, e->row, e->col) < need - EPS)
            prove(h->c, e->table, e->row, e->col, need);
    }
}

static void *half_main(void *arg)
{
    prove_half(arg);
    return NULL;
}

void kh_cert_run_halves(kh_cert_t *c, int k)
{
    kh_cell_t *todo = NULL;
    size_t ntodo = kh_cert_list_short(c, (double)k, &todo);
    /* the second half's view: everything shared but its own widths */
    kh_cert_t view = *c;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!c->spec[t])
            continue;
        size_t bytes = (c->year.n[t] + 1) * KH_IND_MAX_COLS * sizeof(double);
        view.up[t] = kh_xmalloc(bytes);
        view.down[t] = kh_xmalloc(bytes);
        memcpy(view.up[t], c->up[t], bytes);
        memcpy(view.down[t], c->down[t], bytes);
    }
    half_t first = {c, todo, ntodo, k, 0}, second = {&view, todo, ntodo, k, 1};
    pthread_t th;
    int threaded = pthread_create(&th, NULL, half_main, &second) == 0;
    prove_half(&first);
    if (threaded)
        pthread_join(th, NULL);
    else
        prove_half(&second); /* the same result, one after the other */
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!c->spec[t])
            continue;
        /* a rise shown by one half and a fall by the other: both ends are
         * points of the constraints, so the interval holds them both */
        for (size_t i = 0, n = c->year.n[t] * KH_IND_MAX_COLS; i < n; i++) {
            if (view.up[t][i] > c->up[t][i])
                c->up[t][i] = view.up[t][i];
            if (view.down[t][i] > c->down[t][i])
                c->down[t][i] = view.down[t][i];
        }
        free(view.up[t]);
        free(view.down[t]);
    }
    free(todo);
}

double kh_cert_width(const kh_cert_t *c, int t, size_t r, int col)
{
    return hidden(c, t, r, col) ? reach(c, t, r, col) : 0.0;
}

void kh_cert_grant(kh_cert_t *c, int t, size_t r, int col, double width)
{
    size_t i = cell(r, col);
    if (width > c->up[t][i] + c->down[t][i])
        c->up[t][i] = width - c->down[t][i];
}

void kh_cert_each_short(const kh_cert_t *c, double w,
                        void (*fn)(void *ctx, int table, size_t row, int col), void *ctx)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!c->spec[t])
            continue;
        for (size_t r = 0; r < c->year.n[t]; r++) {
            uint32_t m = c->year.rows[t][r].suppressed_mask & c->protected_cols[t];
            for (int col = 0; m; col++, m >>= 1)
                if ((m & 1) && reach(c, t, r, col) < w - EPS)
                    fn(ctx, t, r, col);
        }
    }
}

typedef struct {
    kh_cell_t *v;
    size_t n, cap;
} cell_list_t;

static void add_cell(void *ctx, int t, size_t r, int col)
{
    cell_list_t *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 256;
        l->v = kh_xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = (kh_cell_t){t, r, col};
}

size_t kh_cert_list_short(const kh_cert_t *c, double w, kh_cell_t **cells)
{
    cell_list_t l = {0};
    kh_cert_each_short(c, w, add_cell, &l);
    *cells = l.v;
    return l.n;
}

/* ---- Widening ------------------------------------------------------------------ */

typedef struct {
    size_t cells;
    double value;
} cost_t;

static int cheaper(cost_t a, cost_t b)
{
    return a.cells < b.cells || (a.cells == b.cells && a.value < b.value - EPS);
}

/* What suppressing every moved cell would add (a base takes its row). */
static cost_t move_cost(const kh_cert_t *c, const move_t *m)
{
    cost_t cost = {0, 0};
    for (int i = 0; i < m->n; i++) {
        int t = m->e[i].table;
        size_t r = m->e[i].row;
        uint32_t have = c->year.rows[t][r].suppressed_mask;
        uint32_t add = m->e[i].cols & ~have;
        if (add & BIT(c->spec[t]->base))
            add = c->protected_cols[t] & ~have;
        for (int col = 0; add; col++, add >>= 1)
            if (add & 1) {
                cost.cells++;
                cost.value += c->x[t][cell(r, col)];
            }
    }
    return cost;
}

/* Candidate partners of row r in its line of kind k: the suppressed ones,
 * then the shown ones by value (smallest first), WIDEN_PARTNERS in all. */
typedef struct {
    double value;
    size_t row;
} cand_t;

static int by_value(const void *pa, const void *pb)
{
    const cand_t *a = pa, *b = pb;
    if (a->value != b->value)
        return a->value < b->value ? -1 : 1;
    return a->row < b->row ? -1 : a->row > b->row;
}

static size_t widen_partners(const kh_cert_t *c, int t, size_t r, int k, int col, size_t *out)
{
    kh_line_t line = kh_lines_get(c->lines[t], k, c->line_of[t][k][r]);
    size_t n = hidden_partners(c, t, r, k, col, out, WIDEN_PARTNERS);
    cand_t *shown = kh_xmalloc((line.len + 1) * sizeof *shown);
    size_t ns = 0;
    for (size_t m = 0; m < line.len; m++) {
        size_t q = line.idx[m];
        if (q != r && !hidden(c, t, q, col))
            shown[ns++] = (cand_t){c->x[t][cell(q, col)], q};
    }
    qsort(shown, ns, sizeof *shown, by_value);
    for (size_t i = 0; i < ns && n < WIDEN_PARTNERS; i++)
        out[n++] = shown[i].row;
    free(shown);
    return n;
}

typedef struct {
    move_t m;
    cost_t cost;
    double lo, hi;
    int found;
} best_t;

/* Keeps m when it spans 1 and is cheaper than the best so far. */
static void consider(const kh_cert_t *c, const move_t *m, best_t *best)
{
    cost_t cost = move_cost(c, m);
    if (best->found && !cheaper(cost, best->cost))
        return;
    double lo, hi;
    move_range(c, m, &lo, &hi);
    if (hi - lo < 1.0 - EPS)
        return;
    *best = (best_t){*m, cost, lo, hi, 1};
}

/* A lower bound of the cells a move through partners p[0..nk-1] of a
 * cell in column col adds: each partner is a row the move takes col of
 * (a box's corner next to the cell; a joint move's position in the
 * cell's own table), so each partner that shows col adds one at least.
 * Boxes above the best cost so far are skipped by it, unbuilt. */
static size_t partners_shown(const kh_cert_t *c, int t, int col, const size_t *p, int nk)
{
    size_t n = 0;
    for (int k = 0; k < nk; k++)
        n += !hidden(c, t, p[k], col);
    return n;
}

static int beyond_best(const best_t *best, size_t at_least)
{
    return best->found && at_least > best->cost.cells;
}

int kh_cert_widen(kh_cert_t *c, int t, size_t r, int col, size_t *added)
{
    const kh_disclosure_spec_t *spec = c->spec[t];
    int nk = spec->lines.nkinds;
    size_t cand[KH_LINES_MAX_KINDS][WIDEN_PARTNERS];
    partners_t pp = {.nk = 0};
    *added = 0;
    for (int k = 0; k < nk; k++) {
        pp.cand[k] = cand[k];
        if ((pp.ncand[k] = widen_partners(c, t, r, k, col, cand[k])) == 0)
            return 0;
    }
    best_t best = {.found = 0};
    /* Boxes of its own table: col alone, or with any of the row's other
     * suppressed protected columns. */
    uint32_t with = c->year.rows[t][r].suppressed_mask & c->protected_cols[t];
    do {
        size_t p[KH_LINES_MAX_KINDS] = {0};
        for (int k = 0; k < nk; k++)
            p[k] = cand[k][pp.pick[k]];
        box_t b;
        if (beyond_best(&best, partners_shown(c, t, col, p, nk)) || !make_box(c, t, r, p, &b))
            continue;
        if (best.found) {
            /* what a set of columns adds (cells, and their values, none
             * negative) grows with the set: when col alone is not cheaper
             * than the best, no set holding it is */
            move_t alone;
            box_move(&b, BIT(col), &alone);
            if (!cheaper(move_cost(c, &alone), best.cost))
                continue;
        }
        for (uint32_t s = with; s; s = (s - 1) & with) {
            if (!(s & BIT(col)))
                continue;
            move_t m;
            box_move(&b, s, &m);
            consider(c, &m, &best);
        }
    } while (next_pick(&pp, nk));
    if (col == spec->base) { /* joint moves of bases */
        const kh_indrow_t *rows = c->year.rows[t];
        int32_t kj[3];
        int nkj = kjonn_choices(&rows[r], t, kj);
        memset(pp.pick, 0, sizeof pp.pick);
        do {
            size_t p[2] = {cand[0][pp.pick[0]], cand[1][pp.pick[1]]};
            /* followup's positions of other horizons and kjonn are other rows */
            if (t != KH_IND_FOLLOWUP && beyond_best(&best, partners_shown(c, t, col, p, 2)))
                continue;
            positions_t pos;
            make_positions(&rows[r], &rows[p[0]], &rows[p[1]], &pos);
            for (int tables = 1; tables < 8; tables++) {
                if (!(tables & table_bit(t)))
                    continue;
                for (int q = 0; q < ((tables & 4) ? nkj : 1); q++) {
                    move_t m;
                    if (joint_move(c, &pos, tables, kj[q], 0, &m) && move_holds(&m, t, r, col))
                        consider(c, &m, &best);
                }
            }
        } while (next_pick(&pp, 2));
    }
    if (!best.found)
        return 0;
    for (int i = 0; i < best.m.n; i++) {
        const entry_t *en = &best.m.e[i];
        kh_indrow_t *row = &c->year.rows[en->table][en->row];
        for (int cc = 0; cc < c->spec[en->table]->ncols; cc++)
            if ((en->cols & BIT(cc)) && !(row->suppressed_mask & BIT(cc)))
                *added += kh_disclosure_suppress(row, c->spec[en->table], cc);
    }
    move_apply(c, &best.m, best.lo, best.hi);
    return 1;
}

int kh_cert_hide_beside(kh_cert_t *c, int t, size_t r, int col, size_t *added)
{
    const kh_disclosure_spec_t *spec = c->spec[t];
    size_t best_row = SIZE_MAX;
    int best_col = -1;
    double best = DBL_MAX;
    *added = 0;
    /* a value of at least 1 first: a hidden 0 gives no room below */
    for (int pass = 0; pass < 2 && best_row == SIZE_MAX; pass++) {
        for (int k = 0; k < spec->lines.nkinds; k++) {
            kh_line_t line = kh_lines_get(c->lines[t], k, c->line_of[t][k][r]);
            for (size_t m = 0; m < line.len; m++) {
                size_t q = line.idx[m];
                double v = c->x[t][cell(q, col)];
                if (hidden(c, t, q, col) || (pass == 0 && v < 1.0 - EPS) || v >= best)
                    continue;
                best = v, best_row = q, best_col = col;
            }
        }
        uint32_t shown = c->protected_cols[t] & ~c->year.rows[t][r].suppressed_mask;
        for (int cc = 0; best_row == SIZE_MAX && cc < spec->ncols; cc++) {
            double v = c->x[t][cell(r, cc)];
            if (!(shown & BIT(cc)) || (pass == 0 && v < 1.0 - EPS) || v >= best)
                continue;
            best = v, best_row = r, best_col = cc;
        }
    }
    if (best_row == SIZE_MAX)
        return 0;
    *added = kh_disclosure_suppress(&c->year.rows[t][best_row], spec, best_col);
    return 1;
}
