/* report.c - `kohort report`: the indicators of one reference year as one
 * self-contained HTML page (inline CSS, inline SVG drawn here, no scripts),
 * for readers who would rather look than read. Read-only; see report.h.
 *
 * Suppressed and unavailable values are never drawn: a line breaks where a
 * value is missing. Every drawn value carries data-cells (table:kommnr:key:
 * column, one per store cell it shows) and data-v (the value as `kohort
 * query` prints it), so tests can check what a chart shows. */
#define _POSIX_C_SOURCE 200809L
#include "cli/report.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/common.h"
#include "cli/muninames.h"
#include "cli/report_followup.h"
#include "err.h"
#include "util.h"

/* ---- the data of one reference year ------------------------------------------ */

typedef struct {
    kh_indrow_t *rows;     /* in key order (kommnr, key2), as the store gives them */
    size_t n, cap;
} rowset_t;

typedef struct {
    int year;
    double share;
    char text[24];
} natpt_t;

typedef struct {
    const kh_report_opts_t *opts;
    FILE *f;
    int ref_year;
    rowset_t tab[KH_IND_COUNT];
    natpt_t *nat;
    size_t nnat, natcap;
    int *years;            /* every reference year the store holds, ascending */
    size_t nyears, yearcap;
    int chart[KH_REPORT_MAX_CHART]; /* municipalities drawn, largest first */
    int nchart;
    int ncandidates;       /* municipalities that could have been drawn */
    int ranked;            /* 1: some had exit counts to rank them by */
    int cfrom, cto;        /* cohorts on the x axis */
    int yfrom, yto;        /* cost years on the x axis (0 when no cost rows) */
    kh_runrec_t run;
    int have_run;
} rep_t;

static const char *const palette[KH_REPORT_MAX_CHART] = {
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2"};
#define TOTAL_COLOR "#7f7f7f"
#define NATIONAL_COLOR "#111111"

static int add_row(void *ctx, int ref_year, const kh_indrow_t *row)
{
    (void)ref_year;
    rowset_t *rs = ctx;
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 256;
        rs->rows = kh_xrealloc(rs->rows, rs->cap * sizeof *rs->rows);
    }
    rs->rows[rs->n++] = *row;
    return 0;
}

static void add_year(rep_t *r, int year)
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
    rep_t *r = ctx;
    if (r->nyears == 0 || r->years[r->nyears - 1] != ref_year)
        add_year(r, ref_year);
    return 0;
}

static int national_point(void *ctx, int year, const char *andel)
{
    rep_t *r = ctx;
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
    natpt_t *n = &r->nat[r->nnat++];
    n->year = year;
    n->share = v;
    snprintf(n->text, sizeof n->text, "%s", buf);
    return 0;
}

static int run_of_year(void *ctx, const kh_runrec_t *rec)
{
    rep_t *r = ctx;
    if (!rec->ok || rec->ledger.ref_year != r->ref_year)
        return 0;
    r->run = *rec;
    r->have_run = 1;
    return 1; /* newest first: the first one is the run whose rows are stored */
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

static const kh_indrow_t *find_row(const rep_t *r, int t, int kommnr, int key2)
{
    kh_indrow_t key;
    memset(&key, 0, sizeof key);
    key.kommnr = kommnr;
    key.key2 = key2;
    const rowset_t *rs = &r->tab[t];
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
static int cell(const rep_t *r, int t, int kommnr, int key2, int col, double *v)
{
    const kh_indrow_t *row = find_row(r, t, kommnr, key2);
    if (!row || !row->present[col])
        return 0;
    *v = (double)row->value[col] / scale_of(t, col);
    return 1;
}


/* The printed text of a cell: its value, ":" when suppressed, "" when
 * unavailable. */
static void cell_text(char *buf, size_t cap, int t, const kh_indrow_t *row, int col)
{
    if (row && row->present[col])
        kh_cli_format_value(buf, cap, row->value[col], kh_schema_indtable((kh_indtable_t)t)->cols[col].scale);
    else
        snprintf(buf, cap, "%s", row && (row->suppressed_mask >> col & 1) ? ":" : "");
}

static int wanted(const rep_t *r, int kommnr)
{
    if (!r->opts->kommuner)
        return 1;
    for (int i = 0; i < r->opts->nkommuner; i++)
        if (r->opts->kommuner[i] == kommnr)
            return 1;
    return 0;
}

static int has_rows(const rep_t *r, int kommnr)
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
static double muni_size(const rep_t *r, int kommnr)
{
    double v;
    if (cell(r, KH_IND_EXIT, kommnr, 0, KH_EXIT_EXITS, &v))
        return v;
    double sum = 0;
    for (size_t i = 0; i < r->tab[KH_IND_EXIT].n; i++) {
        const kh_indrow_t *row = &r->tab[KH_IND_EXIT].rows[i];
        if (row->kommnr == kommnr && row->key2 && row->present[KH_EXIT_EXITS])
            sum += (double)row->value[KH_EXIT_EXITS];
    }
    return sum;
}

static void choose_chart(rep_t *r)
{
    cand_t *c = NULL;
    size_t n = 0, cap = 0;
    if (r->opts->kommuner) {
        for (int i = 0; i < r->opts->nkommuner; i++) {
            int k = r->opts->kommuner[i], dup = 0;
            for (size_t j = 0; j < n; j++)
                dup |= c[j].kommnr == k;
            if (dup || !has_rows(r, k))
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
static void choose_axes(rep_t *r)
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

/* ---- HTML ------------------------------------------------------------------------ */

/* Writes s as HTML text or attribute value. */
static void esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

/* The municipality's name alone ("Oslo"), or its code when unknown. */
static const char *short_name(int kommnr, char *buf, size_t cap)
{
    const char *name = kh_muninames_name(kommnr);
    if (kommnr == 0)
        return "All municipalities";
    if (name)
        return name;
    snprintf(buf, cap, "%04d", kommnr);
    return buf;
}

static void muni_label(FILE *f, int kommnr)
{
    char buf[96];
    esc(f, kh_muninames_label(kommnr, buf, sizeof buf));
}

static const char *const css =
    "body{font-family:sans-serif;color:#222;margin:24px auto;max-width:1100px;padding:0 16px;"
    "line-height:1.4}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ccc;padding-bottom:4px;"
    "margin-top:1.8em}\n"
    "h3{font-size:1.05em;margin:.6em 0 .3em}figure{margin:1em 0 1.6em}\n"
    "svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid #ddd}\n"
    "svg text{font-family:sans-serif;font-size:12px;fill:#333}svg text.empty{font-size:14px;"
    "fill:#a00}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.9em;margin:.4em 0}\n"
    ".sw{display:inline-block;width:14px;height:4px;margin:0 5px 3px 0;vertical-align:middle}\n"
    ".sw.dash{border-top:2px dashed #111;height:0;background:none}\n"
    ".note{font-size:.88em;color:#555;margin:.3em 0}.nodata{font-weight:bold;color:#a00}\n"
    ".scroll{overflow-x:auto;max-height:none}\n"
    "table{border-collapse:collapse;font-size:.82em;margin:.4em 0 1.4em}\n"
    "th,td{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}\n"
    "th{background:#f0f0f0}td.name,th.name{text-align:left}tr.tot td{font-weight:bold;"
    "background:#fafafa}\n"
    "td.sup{color:#a00;text-align:center}\n";

/* ---- SVG plotting ------------------------------------------------------------------ */

#define SVG_W 760
#define PLOT_LEFT 70.0
#define PLOT_RIGHT 24.0
#define PLOT_TOP 16.0
#define PLOT_BOTTOM 46.0

typedef enum { AX_SHARE, AX_NUM, AX_YEAR } axis_t;

typedef struct {
    FILE *f;
    double x0, x1, y0, y1; /* data range */
    double left, top, w, h; /* plot area, px */
    int height;
} plot_t;

static double px(const plot_t *p, double x)
{
    return p->left + (x - p->x0) / (p->x1 - p->x0) * p->w;
}

static double py(const plot_t *p, double y)
{
    return p->top + p->h - (y - p->y0) / (p->y1 - p->y0) * p->h;
}

/* A step of 1, 2 or 5 times a power of ten giving about `ticks` ticks. */
static double nice_step(double range, int ticks)
{
    if (!(range > 0))
        return 1;
    double raw = range / ticks, mag = pow(10, floor(log10(raw)));
    double m = raw / mag;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * mag;
}

static void tick_text(char *buf, size_t cap, double v, axis_t ax, double step)
{
    if (fabs(v) < step * 1e-6)
        v = 0; /* no "-0" from accumulated steps */
    if (ax == AX_SHARE)
        snprintf(buf, cap, "%.0f %%", v * 100);
    else if (ax == AX_NUM && step >= 100000)
        snprintf(buf, cap, "%g M", v / 1e6);
    else if (ax == AX_NUM && step >= 1000)
        snprintf(buf, cap, "%g k", v / 1e3);
    else if (ax == AX_YEAR || step >= 1)
        snprintf(buf, cap, "%.0f", v);
    else
        snprintf(buf, cap, "%g", v);
}

static void plot_open(plot_t *p, FILE *f, int height, const char *label)
{
    p->f = f;
    p->height = height;
    p->left = PLOT_LEFT;
    p->top = PLOT_TOP;
    p->w = SVG_W - PLOT_LEFT - PLOT_RIGHT;
    p->h = height - PLOT_TOP - PLOT_BOTTOM;
    fprintf(f, "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
               "width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"",
            SVG_W, height, SVG_W, height);
    esc(f, label);
    fprintf(f, "\">\n");
}

/* Grid, ticks and axis titles. Year axes tick every year (every second one
 * beyond 12 years). */
static void plot_axes(const plot_t *p, axis_t xax, axis_t yax, const char *xtitle, const char *ytitle)
{
    FILE *f = p->f;
    char buf[32];
    double ystep = nice_step(p->y1 - p->y0, 5);
    for (double v = ceil(p->y0 / ystep - 1e-9) * ystep; v <= p->y1 + ystep * 1e-6; v += ystep) {
        double y = py(p, v);
        tick_text(buf, sizeof buf, v, yax, ystep);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                p->left, y, p->left + p->w, y, p->left - 6, y + 4, buf);
    }
    double xstep = xax == AX_YEAR ? (p->x1 - p->x0 > 12 ? 2 : 1) : nice_step(p->x1 - p->x0, 6);
    for (double v = ceil(p->x0 / xstep - 1e-9) * xstep; v <= p->x1 + xstep * 1e-6; v += xstep) {
        double x = px(p, v);
        tick_text(buf, sizeof buf, v, xax, xstep);
        if (xax != AX_YEAR)
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eeeeee\"/>", x,
                    p->top, x, p->top + p->h);
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x,
                p->top + p->h + 16, buf);
    }
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"#999\"/>\n",
            p->left, p->top, p->w, p->h);
    fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", p->left + p->w / 2, p->height - 8);
    esc(f, xtitle);
    fprintf(f, "</text>\n<text transform=\"translate(16 %.1f) rotate(-90)\" text-anchor=\"middle\">",
            p->top + p->h / 2);
    esc(f, ytitle);
    fprintf(f, "</text>\n");
}

static void plot_empty(const plot_t *p)
{
    fprintf(p->f, "<text class=\"empty\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">No values to "
                  "draw: every value here is suppressed or unavailable.</text>\n",
            p->left + p->w / 2, p->top + 24);
}

/* A value's tooltip text: 0.5714 as "57.1 %", days and NOK as numbers. */
static void value_tip(char *buf, size_t cap, double v, axis_t ax, const char *unit)
{
    if (ax == AX_SHARE)
        snprintf(buf, cap, "%.1f %%", v * 100);
    else if (strcmp(unit, "NOK") == 0)
        snprintf(buf, cap, "%.0f NOK", v);
    else
        snprintf(buf, cap, "%.1f%s%s", v, unit[0] ? " " : "", unit);
}

static void legend_item(FILE *f, const char *color, int dashed, const char *label)
{
    if (dashed)
        fprintf(f, "<span><span class=\"sw dash\"></span>");
    else
        fprintf(f, "<span><span class=\"sw\" style=\"background:%s\"></span>", color);
    esc(f, label);
    fprintf(f, "</span>");
}

static void chart_legend(const rep_t *r, int total, int national)
{
    char buf[96];
    fprintf(r->f, "<div class=\"legend\">");
    for (int i = 0; i < r->nchart; i++)
        legend_item(r->f, palette[i], 0, kh_muninames_label(r->chart[i], buf, sizeof buf));
    if (total)
        legend_item(r->f, TOTAL_COLOR, 0, "All municipalities");
    if (national)
        legend_item(r->f, NATIONAL_COLOR, 1, "National goal attainment");
    fprintf(r->f, "</div>\n");
}

static void figure_open(const rep_t *r, const char *id, const char *title)
{
    fprintf(r->f, "<figure id=\"fig-%s\" data-kommuner=\"", id);
    for (int i = 0; i < r->nchart; i++)
        fprintf(r->f, "%s%04d", i ? " " : "", r->chart[i]);
    fprintf(r->f, "\">\n<h3>");
    esc(r->f, title);
    fprintf(r->f, "</h3>\n");
}

static void figure_close(const rep_t *r, const char *note)
{
    if (note) {
        fprintf(r->f, "<p class=\"note\">");
        esc(r->f, note);
        fprintf(r->f, "</p>\n");
    }
    fprintf(r->f, "</figure>\n");
}

/* One municipality's values of (t, col) over the years from..to: a path
 * broken wherever a value is missing, then a dot per value. Returns the
 * number of values drawn. */
static int draw_series(const rep_t *r, const plot_t *p, int t, int col, int kommnr, const char *color,
                       int width, axis_t ax, const char *unit, int from, int to)
{
    FILE *f = r->f;
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)t);
    double v;
    int pen = 0, n = 0;
    fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%d\" d=\"", color, width);
    for (int y = from; y <= to; y++) {
        if (!cell(r, t, kommnr, y, col, &v)) {
            pen = 0;
            continue;
        }
        fprintf(f, "%s%.1f %.1f ", pen ? "L" : "M", px(p, y), py(p, v));
        pen = 1;
    }
    fprintf(f, "\"/>\n");
    char name[96], tip[48], text[32];
    kh_muninames_label(kommnr, name, sizeof name);
    for (int y = from; y <= to; y++) {
        const kh_indrow_t *row = find_row(r, t, kommnr, y);
        if (!cell(r, t, kommnr, y, col, &v))
            continue;
        kh_cli_format_value(text, sizeof text, row->value[col], def->cols[col].scale);
        value_tip(tip, sizeof tip, v, ax, unit);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" data-cells=\"%s:%04d:%04d:%s\" "
                   "data-v=\"%s\"><title>",
                px(p, y), py(p, v), color, def->name, kommnr, y, def->cols[col].name, text);
        esc(f, name);
        fprintf(f, ", %d: %s</title></circle>\n", y, tip);
        n++;
    }
    return n;
}

typedef struct {
    const char *id, *title, *xtitle, *ytitle, *note, *unit;
    int t, col;
    int from, to;          /* x axis, years */
    axis_t yax;
    int total;             /* also the all-municipalities row */
    int national;          /* also the national attainment line */
    double ref_y;          /* a horizontal reference line (0: none) */
    const char *ref_label;
} line_spec_t;

static void line_chart(const rep_t *r, const line_spec_t *s)
{
    FILE *f = r->f;
    double ymax = 0, v;
    for (int i = -1; i < r->nchart; i++)
        for (int y = s->from; y <= s->to; y++)
            if (cell(r, s->t, i < 0 ? 0 : r->chart[i], y, s->col, &v) && v > ymax)
                ymax = v;
    if (s->national)
        for (size_t i = 0; i < r->nnat; i++)
            if (r->nat[i].share > ymax)
                ymax = r->nat[i].share;
    if (s->ref_y > ymax)
        ymax = s->ref_y;
    plot_t p;
    p.x0 = s->from - 0.5;
    p.x1 = s->to + 0.5;
    p.y0 = 0;
    if (s->yax == AX_SHARE) {
        p.y1 = ymax > 0.5 ? 1 : 0.5;
    } else {
        double step = nice_step(ymax > 0 ? ymax * 1.1 : 1, 5);
        p.y1 = ymax > 0 ? ceil(ymax * 1.05 / step) * step : 1;
    }
    figure_open(r, s->id, s->title);
    plot_open(&p, f, 320, s->title);
    plot_axes(&p, AX_YEAR, s->yax, s->xtitle, s->ytitle);
    if (s->ref_y > 0) {
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                   "stroke-dasharray=\"2 3\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">",
                p.left, py(&p, s->ref_y), p.left + p.w, py(&p, s->ref_y), p.left + p.w - 4,
                py(&p, s->ref_y) - 4);
        esc(f, s->ref_label);
        fprintf(f, "</text>\n");
    }
    int n = 0;
    if (s->total)
        n += draw_series(r, &p, s->t, s->col, 0, TOTAL_COLOR, 2, s->yax, s->unit, s->from, s->to);
    for (int i = r->nchart - 1; i >= 0; i--)  /* the largest on top */
        n += draw_series(r, &p, s->t, s->col, r->chart[i], palette[i], 2, s->yax, s->unit, s->from,
                         s->to);
    if (s->national) {
        int pen = 0;
        fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" stroke-dasharray=\"7 4\" d=\"",
                NATIONAL_COLOR);
        for (int y = s->from; y <= s->to; y++) {
            const natpt_t *np = NULL;
            for (size_t i = 0; i < r->nnat; i++)
                if (r->nat[i].year == y)
                    np = &r->nat[i];
            if (!np) {
                pen = 0;
                continue;
            }
            fprintf(f, "%s%.1f %.1f ", pen ? "L" : "M", px(&p, y), py(&p, np->share));
            pen = 1;
        }
        fprintf(f, "\"/>\n");
        for (size_t i = 0; i < r->nnat; i++) {
            const natpt_t *np = &r->nat[i];
            if (np->year < s->from || np->year > s->to)
                continue;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\" "
                       "data-cells=\"national:%04d\" data-v=\"%s\"><title>National, %d: %.1f %%"
                       "</title></rect>\n",
                    px(&p, np->year) - 3, py(&p, np->share) - 3, NATIONAL_COLOR, np->year, np->text,
                    np->year, np->share * 100);
        }
    }
    if (n == 0)
        plot_empty(&p);
    fprintf(f, "</svg>\n");
    chart_legend(r, s->total, s->national);
    figure_close(r, s->note);
}

/* A point of a scatter chart and what it shows. */
typedef struct {
    double x, y;
    int series;            /* index into r->chart */
    int big;               /* a municipality's summary point, labelled */
    char cells[320];       /* data-cells */
    char vals[160];        /* data-v */
    char tip[200];
} spt_t;

typedef struct {
    spt_t *pts;
    size_t n, cap;
} sptset_t;

static spt_t *spt_add(sptset_t *s)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 64;
        s->pts = kh_xrealloc(s->pts, s->cap * sizeof *s->pts);
    }
    spt_t *p = &s->pts[s->n++];
    memset(p, 0, sizeof *p);
    return p;
}

/* Appends one cell to a point's data-cells and data-v. */
static void spt_cell(spt_t *p, const rep_t *r, int t, int kommnr, int key2, int col)
{
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)t);
    char text[32];
    cell_text(text, sizeof text, t, find_row(r, t, kommnr, key2), col);
    size_t lc = strlen(p->cells), lv = strlen(p->vals);
    snprintf(p->cells + lc, sizeof p->cells - lc, "%s%s:%04d:%04d:%s", lc ? " " : "", def->name, kommnr,
             key2, def->cols[col].name);
    snprintf(p->vals + lv, sizeof p->vals - lv, "%s%s", lv ? " " : "", text);
}

typedef struct {
    const char *id, *title, *xtitle, *ytitle, *note;
    axis_t xax, yax;
    int diagonal;          /* draw y = x (both axes share a range) */
    double vline;          /* a vertical reference line (0: none) */
    const char *vline_label;
    const char *small_label, *big_label; /* legend of the two point kinds */
} scatter_spec_t;

static void scatter_chart(const rep_t *r, const scatter_spec_t *s, const sptset_t *pts)
{
    FILE *f = r->f;
    double xlo = INFINITY, xhi = -INFINITY, ylo = INFINITY, yhi = -INFINITY;
    for (size_t i = 0; i < pts->n; i++) {
        const spt_t *q = &pts->pts[i];
        xlo = fmin(xlo, q->x);
        xhi = fmax(xhi, q->x);
        ylo = fmin(ylo, q->y);
        yhi = fmax(yhi, q->y);
    }
    if (s->vline > 0 && pts->n) {
        xlo = fmin(xlo, s->vline);
        xhi = fmax(xhi, s->vline);
    }
    if (!pts->n) {
        xlo = ylo = 0;
        xhi = yhi = 1;
    }
    if (s->diagonal) {
        xlo = ylo = fmin(xlo, ylo);
        xhi = yhi = fmax(xhi, yhi);
    }
    plot_t p;
    double xs = nice_step(xhi - xlo > 0 ? xhi - xlo : 0.1, 6), ys = nice_step(yhi - ylo > 0 ? yhi - ylo : 0.1, 5);
    p.x0 = floor(xlo / xs - 0.3) * xs;
    p.x1 = ceil(xhi / xs + 0.3) * xs;
    p.y0 = floor(ylo / ys - 0.3) * ys;
    p.y1 = ceil(yhi / ys + 0.3) * ys;
    if (s->xax == AX_SHARE) {
        p.x0 = fmax(p.x0, 0);
        p.x1 = fmin(p.x1, 1);
    }
    if (s->yax == AX_SHARE) {
        p.y0 = fmax(p.y0, 0);
        p.y1 = fmin(p.y1, 1);
    }
    if (s->diagonal) {
        p.x0 = p.y0 = fmin(p.x0, p.y0);
        p.x1 = p.y1 = fmax(p.x1, p.y1);
    }
    if (!(p.x1 > p.x0))
        p.x1 = p.x0 + 1;
    if (!(p.y1 > p.y0))
        p.y1 = p.y0 + 1;
    figure_open(r, s->id, s->title);
    plot_open(&p, f, 420, s->title);
    plot_axes(&p, s->xax, s->yax, s->xtitle, s->ytitle);
    if (s->diagonal)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" "
                   "stroke-dasharray=\"5 4\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">"
                   "attained = predicted</text>\n",
                px(&p, p.x0), py(&p, p.y0), px(&p, p.x1), py(&p, p.y1), px(&p, p.x1) - 6,
                py(&p, p.y1) + 30);
    if (s->vline > 0 && pts->n) {
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" "
                   "stroke-dasharray=\"5 4\"/><text x=\"%.1f\" y=\"%.1f\">",
                px(&p, s->vline), p.top, px(&p, s->vline), p.top + p.h, px(&p, s->vline) + 4, p.top + 14);
        esc(f, s->vline_label);
        fprintf(f, "</text>\n");
    }
    for (int big = 0; big <= 1; big++)
        for (size_t i = 0; i < pts->n; i++) {
            const spt_t *q = &pts->pts[i];
            if (q->big != big)
                continue;
            const char *color = palette[q->series];
            if (big)
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"7\" fill=\"%s\" stroke=\"#000\" ",
                        px(&p, q->x), py(&p, q->y), color);
            else
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" fill-opacity=\"0.55\" ",
                        px(&p, q->x), py(&p, q->y), color);
            fprintf(f, "data-cells=\"%s\" data-v=\"%s\"><title>", q->cells, q->vals);
            esc(f, q->tip);
            fprintf(f, "</title></circle>\n");
            if (big) {
                char buf[16];
                fprintf(f, "<text x=\"%.1f\" y=\"%.1f\">", px(&p, q->x) + 9, py(&p, q->y) + 4);
                esc(f, short_name(r->chart[q->series], buf, sizeof buf));
                fprintf(f, "</text>\n");
            }
        }
    if (!pts->n)
        plot_empty(&p);
    fprintf(f, "</svg>\n");
    chart_legend(r, 0, 0);
    fprintf(f, "<div class=\"legend\"><span>Small dots: ");
    esc(f, s->small_label);
    fprintf(f, ".</span><span>Large dots: ");
    esc(f, s->big_label);
    fprintf(f, ".</span></div>\n");
    figure_close(r, s->note);
}

/* ---- the sections ---------------------------------------------------------------- */

static void section_open(const rep_t *r, const char *id, const char *title)
{
    fprintf(r->f, "<section id=\"%s\">\n<h2>", id);
    esc(r->f, title);
    fprintf(r->f, "</h2>\n");
}

static void para(const rep_t *r, const char *cls, const char *text)
{
    fprintf(r->f, "<p%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    esc(r->f, text);
    fprintf(r->f, "</p>\n");
}

static void header(const rep_t *r)
{
    FILE *f = r->f;
    char buf[512];
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<title>kohort report, reference year %d</title>\n<style>\n%s</style>\n</head>\n<body>\n",
            r->ref_year, css);
    fprintf(f, "<header id=\"summary\">\n<h1>Introduction programme results, reference year %d</h1>\n",
            r->ref_year);
    fprintf(f, "<p>Indicators from the kohort store <code>");
    esc(f, r->opts->store_label ? r->opts->store_label : "");
    fprintf(f, "</code>: persons who left the introduction programme in %d&#8211;%d, by home "
               "municipality and exit year (cohort), and where they stood in %d.",
            r->cfrom, r->cto, r->ref_year);
    if (r->have_run) {
        char when[32];
        kh_cli_time(when, sizeof when, r->run.finished_ms);
        fprintf(f, " Run <code>");
        esc(f, r->run.run);
        fprintf(f, "</code>, finished %s; disclosure threshold k = %d.", when, r->run.min_cell);
    }
    fprintf(f, "</p>\n<p id=\"ref-years\">This report covers reference year %d only. ", r->ref_year);
    int others = 0;
    for (size_t i = 0; i < r->nyears; i++)
        others += r->years[i] != r->ref_year;
    if (!others) {
        fprintf(f, "The store holds no other reference year.");
    } else {
        fprintf(f, "The store also holds reference year%s ", others > 1 ? "s" : "");
        int k = 0;
        for (size_t i = 0; i < r->nyears; i++) {
            if (r->years[i] == r->ref_year)
                continue;
            fprintf(f, "%s<span class=\"year\">%d</span>", k == 0 ? "" : k == others - 1 ? " and " : ", ",
                    r->years[i]);
            k++;
        }
        fprintf(f, " (<code>kohort report --ref-year YEAR</code> draws one of them).");
    }
    fprintf(f, "</p>\n<p id=\"selection\">");
    if (r->opts->kommuner) {
        fprintf(f, "Municipalities asked for: ");
        for (int i = 0; i < r->opts->nkommuner; i++) {
            if (i)
                fprintf(f, ", ");
            muni_label(f, r->opts->kommuner[i]);
            if (!has_rows(r, r->opts->kommuner[i]))
                fprintf(f, " (no rows in reference year %d)", r->ref_year);
        }
        fprintf(f, ".");
        if (r->ncandidates > r->nchart)
            fprintf(f, " The charts show the first %d of them; the tables show all.", r->nchart);
    } else if (r->ncandidates > r->nchart && r->ranked) {
        fprintf(f, "The charts show the %d municipalities with the most exits, of the %d with rows; "
                   "the tables show all of them.",
                r->nchart, r->ncandidates);
    } else if (r->ncandidates > r->nchart) {
        fprintf(f, "The charts show %d of the %d municipalities with rows, the first by code (every "
                   "exit count is suppressed, so none can be ranked by size); the tables show all of "
                   "them.",
                r->nchart, r->ncandidates);
    } else {
        fprintf(f, "The charts and tables show all %d municipalit%s with rows.", r->ncandidates,
                r->ncandidates == 1 ? "y" : "ies");
    }
    fprintf(f, "</p>\n");
    snprintf(buf, sizeof buf,
             "Small counts are suppressed before anything is stored (disclosure control): a "
             "suppressed value is shown as \":\" in the tables and is left out of the charts, as is "
             "a value that is unavailable (an empty cell). A line breaks where a value is missing; "
             "nothing missing is drawn as zero.");
    para(r, "note", buf);
    fprintf(f, "<nav><p>Sections: <a href=\"#attainment\">goal attainment</a> &#183; "
               "<a href=\"#predicted\">attainment against predicted</a> &#183; "
               "<a href=\"#longterm\">long-term status</a> &#183; "
               "<a href=\"#duration\">programme length</a> &#183; "
               "<a href=\"#cost\">what does the money buy?</a> &#183; "
               "<a href=\"#tables\">tables</a></p></nav>\n</header>\n");
}

static void section_attainment(const rep_t *r)
{
    section_open(r, "attainment", "Goal attainment by exit year");
    para(r, NULL,
         "Share of those who left the programme in each year who went on to work or education "
         "(sluttstatus 10, 11, 20, 21 or 30): the official goal attainment, per municipality, "
         "against the national figure for all municipalities of Norway.");
    line_spec_t s = {"attainment", "Goal attainment by exit year", "Exit year (cohort)",
                     "Goal attainment", "The dashed black line is the national goal attainment "
                     "of each year (ref_nasjonal); grey is all municipalities in this store.",
                     "", KH_IND_EXIT, KH_EXIT_ATTAINED_SHARE, r->cfrom, r->cto, AX_SHARE, 1, 1, 0, NULL};
    line_chart(r, &s);
    fprintf(r->f, "</section>\n");
}

static void section_predicted(const rep_t *r)
{
    section_open(r, "predicted", "Attainment against predicted attainment");
    para(r, NULL,
         "Predicted attainment accounts for who the participants were: the national attainment of "
         "their exit year, weighted by the relative attainment of their country background and sex. "
         "Points above the diagonal did better than predicted, points below it worse.");
    sptset_t pts = {NULL, 0, 0};
    char name[96];
    for (int i = 0; i < r->nchart; i++) {
        int k = r->chart[i];
        kh_muninames_label(k, name, sizeof name);
        for (int c = r->cfrom - 1; c <= r->cto; c++) {
            int key2 = c < r->cfrom ? 0 : c; /* 0 first: the summary point */
            double a, pr;
            if (!cell(r, KH_IND_EXIT, k, key2, KH_EXIT_ATTAINED_SHARE, &a) ||
                !cell(r, KH_IND_EXIT, k, key2, KH_EXIT_PREDICTED_SHARE, &pr))
                continue;
            spt_t *q = spt_add(&pts);
            q->x = pr;
            q->y = a;
            q->series = i;
            q->big = key2 == 0;
            spt_cell(q, r, KH_IND_EXIT, k, key2, KH_EXIT_PREDICTED_SHARE);
            spt_cell(q, r, KH_IND_EXIT, k, key2, KH_EXIT_ATTAINED_SHARE);
            if (key2)
                snprintf(q->tip, sizeof q->tip, "%s, %d: attained %.1f %%, predicted %.1f %%", name, key2,
                         a * 100, pr * 100);
            else
                snprintf(q->tip, sizeof q->tip, "%s, all cohorts: attained %.1f %%, predicted %.1f %%",
                         name, a * 100, pr * 100);
        }
    }
    scatter_spec_t s = {"predicted", "Goal attainment against predicted attainment",
                        "Predicted attainment", "Goal attainment",
                        "A point needs both values; predicted attainment is empty without the reference "
                        "tables ref_monitor and ref_nasjonal.",
                        AX_SHARE, AX_SHARE, 1, 0, NULL, "one exit year of a municipality",
                        "all exit years of a municipality together"};
    scatter_chart(r, &s, &pts);
    free(pts.pts);
    fprintf(r->f, "</section>\n");
}

static void section_longterm(const rep_t *r)
{
    char text[400];
    section_open(r, "longterm", "Long-term status: work, education and social assistance");
    snprintf(text, sizeof text,
             "Where the participants of each cohort stood in %d, counting only those who still "
             "lived in their home municipality on 1 January %d: in work (a job at any time of the "
             "year) or in education, and receiving social assistance.",
             r->ref_year, r->ref_year);
    para(r, NULL, text);
    snprintf(text, sizeof text, "Share in work or education in %d, by exit year", r->ref_year);
    line_spec_t w = {"work-education", text, "Exit year (cohort)", "In work or education",
                     "Grey is all municipalities in this store.", "", KH_IND_STATUS,
                     KH_STATUS_WORK_OR_EDUCATION_SHARE, r->cfrom, r->cto, AX_SHARE, 1, 0, 0, NULL};
    line_chart(r, &w);
    char text2[200];
    snprintf(text2, sizeof text2, "Share receiving social assistance in %d, by exit year", r->ref_year);
    line_spec_t sa = {"social-assistance", text2, "Exit year (cohort)", "Receiving social assistance",
                      "Grey is all municipalities in this store.", "", KH_IND_STATUS, KH_STATUS_SA_SHARE,
                      r->cfrom, r->cto, AX_SHARE, 1, 0, 0, NULL};
    line_chart(r, &sa);
    fprintf(r->f, "</section>\n");
}

static void section_duration(const rep_t *r)
{
    section_open(r, "duration", "Programme length and extensions");
    para(r, NULL,
         "The programme normally lasts up to two years. Mean time from start to exit, and the share "
         "of participants whose programme was extended beyond two years.");
    line_spec_t d = {"duration", "Mean programme length by exit year", "Exit year (cohort)",
                     "Mean length (days)", "Grey is all municipalities in this store.", "days",
                     KH_IND_EXIT, KH_EXIT_MEAN_DURATION_DAYS, r->cfrom, r->cto, AX_NUM, 1, 0, 730,
                     "two years (730 days)"};
    line_chart(r, &d);
    line_spec_t e = {"extended", "Share extended beyond two years, by exit year", "Exit year (cohort)",
                     "Extended", "Grey is all municipalities in this store.", "", KH_IND_EXIT,
                     KH_EXIT_EXTENDED_SHARE, r->cfrom, r->cto, AX_SHARE, 1, 0, 0, NULL};
    line_chart(r, &e);
    fprintf(r->f, "</section>\n");
}

static void key_figures(const rep_t *r, int year)
{
    FILE *f = r->f;
    char text[32];
    fprintf(f, "<h3>Key figures, %d</h3>\n<div class=\"scroll\"><table class=\"key\" id=\"key-figures\">"
               "<thead><tr><th class=\"name\">Municipality</th><th>Spending index (mean = 100)</th>"
               "<th>Administration index (mean = 100)</th><th>Spending per person (NOK)</th>"
               "<th>Goal attainment</th><th>Exits</th><th>Spending per attained exit (NOK)</th>"
               "</tr></thead>\n<tbody>\n",
            year);
    for (int i = 0; i < r->nchart; i++) {
        int k = r->chart[i];
        const kh_indrow_t *c = find_row(r, KH_IND_COST, k, year), *e = find_row(r, KH_IND_EXIT, k, year);
        fprintf(f, "<tr><td class=\"name\">");
        muni_label(f, k);
        fprintf(f, "</td>");
        static const struct {
            int t, col;
        } cols[] = {{KH_IND_COST, KH_COST_COST_INDEX},     {KH_IND_COST, KH_COST_ADMIN_INDEX},
                    {KH_IND_COST, KH_COST_COST_PER_PERSON}, {KH_IND_EXIT, KH_EXIT_ATTAINED_SHARE},
                    {KH_IND_EXIT, KH_EXIT_EXITS},           {KH_IND_COST, KH_COST_COST_PER_ATTAINED}};
        for (size_t j = 0; j < sizeof cols / sizeof cols[0]; j++) {
            const kh_indrow_t *row = cols[j].t == KH_IND_COST ? c : e;
            cell_text(text, sizeof text, cols[j].t, row, cols[j].col);
            fprintf(f, "<td%s>%s</td>", strcmp(text, ":") == 0 ? " class=\"sup\"" : "", text);
        }
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table></div>\n");
}

static void section_cost(const rep_t *r)
{
    char text[400];
    section_open(r, "cost", "What does the money buy?");
    if (r->tab[KH_IND_COST].n == 0) {
        snprintf(text, sizeof text,
                 "No cost data: the store holds no cost rows for reference year %d (the extract had "
                 "no ref_kostnader table, or none of its years fell in the cohort window).",
                 r->ref_year);
        para(r, "nodata", text);
        fprintf(r->f, "</section>\n");
        return;
    }
    para(r, NULL,
         "Spending on the introduction programme per person in the target group, as an index (the "
         "unweighted mean of the municipalities in the store = 100), against the goal attainment of "
         "those who left the programme that year. Higher spending that does not buy higher "
         "attainment shows as points to the right that are no higher.");
    sptset_t pts = {NULL, 0, 0};
    char name[96];
    for (int i = 0; i < r->nchart; i++) {
        int k = r->chart[i];
        kh_muninames_label(k, name, sizeof name);
        double sum = 0, v, a;
        int nidx = 0;
        for (int y = r->yfrom; y <= r->yto; y++)
            if (cell(r, KH_IND_COST, k, y, KH_COST_COST_INDEX, &v)) {
                sum += v;
                nidx++;
            }
        for (int y = r->yfrom; y <= r->yto; y++) {
            if (!cell(r, KH_IND_COST, k, y, KH_COST_COST_INDEX, &v) ||
                !cell(r, KH_IND_EXIT, k, y, KH_EXIT_ATTAINED_SHARE, &a))
                continue;
            spt_t *q = spt_add(&pts);
            q->x = v;
            q->y = a;
            q->series = i;
            spt_cell(q, r, KH_IND_COST, k, y, KH_COST_COST_INDEX);
            spt_cell(q, r, KH_IND_EXIT, k, y, KH_EXIT_ATTAINED_SHARE);
            snprintf(q->tip, sizeof q->tip, "%s, %d: spending index %.1f, goal attainment %.1f %%", name, y,
                     v, a * 100);
        }
        /* the summary point: mean index over the years against attainment
         * over all cohorts */
        if (nidx && cell(r, KH_IND_EXIT, k, 0, KH_EXIT_ATTAINED_SHARE, &a)) {
            spt_t *q = spt_add(&pts);
            q->x = sum / nidx;
            q->y = a;
            q->series = i;
            q->big = 1;
            spt_cell(q, r, KH_IND_EXIT, k, 0, KH_EXIT_ATTAINED_SHARE);
            snprintf(q->tip, sizeof q->tip, "%s, %d-%d: mean spending index %.1f, goal attainment %.1f %%",
                     name, r->yfrom, r->yto, q->x, a * 100);
        }
    }
    scatter_spec_t s = {"cost-results", "Spending index against goal attainment",
                        "Spending per person in the target group (index, mean = 100)", "Goal attainment",
                        "Spending figures are public (KOSTRA); goal attainment of a year is left out "
                        "where it is suppressed.",
                        AX_NUM, AX_SHARE, 0, 100, "mean = 100", "one year of a municipality",
                        "a municipality's mean index over the years against its attainment over all "
                        "cohorts"};
    scatter_chart(r, &s, &pts);
    free(pts.pts);
    line_spec_t ci = {"cost-index", "Spending index by year", "Year", "Spending index (mean = 100)",
                      NULL, "", KH_IND_COST, KH_COST_COST_INDEX, r->yfrom, r->yto, AX_NUM, 0, 0, 100,
                      "mean = 100"};
    line_chart(r, &ci);
    line_spec_t cpa = {"cost-per-attained", "Spending per attained exit, by year", "Year",
                       "NOK per attained exit", "Suppressed wherever the number of attained exits is.",
                       "NOK", KH_IND_COST, KH_COST_COST_PER_ATTAINED, r->yfrom, r->yto, AX_NUM, 0, 0, 0,
                       NULL};
    line_chart(r, &cpa);
    key_figures(r, r->yto);
    fprintf(r->f, "</section>\n");
}

static const char *const table_titles[KH_IND_COUNT] = {
    "Table exit: status at exit, per municipality and exit year",
    "Table status: long-term status in the reference year, per municipality and exit year",
    "Table cost: resources against results, per municipality and year",
    "Table followup: status 1, 2 and 5 years after exit, per municipality, exit year and gender"};

static void data_table(const rep_t *r, int t)
{
    FILE *f = r->f;
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)t);
    fprintf(f, "<h3>");
    esc(f, table_titles[t]);
    fprintf(f, "</h3>\n");
    int n = 0;
    for (size_t i = 0; i < r->tab[t].n; i++)
        n += r->tab[t].rows[i].kommnr == 0 || wanted(r, r->tab[t].rows[i].kommnr);
    if (!n) {
        fprintf(f, "<p class=\"nodata\" id=\"table-%s-empty\">No rows.</p>\n", def->name);
        return;
    }
    fprintf(f, "<div class=\"scroll\"><table class=\"data\" id=\"table-%s\" data-t=\"%s\">\n<thead><tr>"
               "<th class=\"name\">municipality</th><th>kommnr</th><th>%s</th>",
            def->name, def->name, def->key2);
    if (def->key3)
        fprintf(f, "<th>%s</th><th>%s</th>", def->key3, def->key4);
    for (int c = 0; c < def->ncols; c++)
        fprintf(f, "<th>%s</th>", def->cols[c].name);
    fprintf(f, "<th>suppressed</th></tr></thead>\n<tbody>\n");
    char text[32], buf[96];
    for (size_t i = 0; i < r->tab[t].n; i++) {
        const kh_indrow_t *row = &r->tab[t].rows[i];
        if (row->kommnr && !wanted(r, row->kommnr))
            continue;
        fprintf(f, "<tr%s data-k=\"%04d\" data-y=\"%04d\"",
                row->kommnr == 0 || row->key2 == 0 ? " class=\"tot\"" : "", row->kommnr, row->key2);
        if (def->key3)
            fprintf(f, " data-h=\"%d\" data-g=\"%d\"", row->key3, row->key4);
        fprintf(f, "><td class=\"name\">");
        esc(f, short_name(row->kommnr, buf, sizeof buf));
        fprintf(f, "</td><td>%04d</td><td>%04d</td>", row->kommnr, row->key2);
        if (def->key3)
            fprintf(f, "<td>%d</td><td>%d</td>", row->key3, row->key4);
        for (int c = 0; c < def->ncols; c++) {
            cell_text(text, sizeof text, t, row, c);
            if (strcmp(text, ":") == 0)
                fprintf(f, "<td class=\"sup\" title=\"suppressed\">:</td>");
            else
                fprintf(f, "<td>%s</td>", text);
        }
        fprintf(f, "<td>%d</td></tr>\n", row->suppressed ? 1 : 0);
    }
    fprintf(f, "</tbody></table></div>\n");
}

static void section_tables(const rep_t *r)
{
    section_open(r, "tables", "The tables");
    para(r, NULL,
         "The stored indicators as kohort query prints them (shares as fractions, days and indexes "
         "with one decimal, NOK whole). Cohort or year 0000 is all cohorts together, municipality "
         "0000 all municipalities together. \":\" marks a suppressed value; an empty cell is "
         "unavailable (a share whose denominator is zero, or a figure without its reference table).");
    for (int t = 0; t < KH_IND_COUNT; t++)
        data_table(r, t);
    fprintf(r->f, "</section>\n");
}

/* ---- entry points ------------------------------------------------------------------ */

static void rep_free(rep_t *r)
{
    for (int t = 0; t < KH_IND_COUNT; t++)
        free(r->tab[t].rows);
    free(r->nat);
    free(r->years);
}

int kh_report_write(kh_store_t *store, const kh_report_opts_t *opts, FILE *out, char *why, size_t cap)
{
    rep_t r;
    memset(&r, 0, sizeof r);
    r.opts = opts;
    r.f = out;
    int rc = 0;
    for (int t = 0; t < KH_IND_COUNT && !rc; t++)
        rc = kh_store_each_row(store, (kh_indtable_t)t, 0, year_of_row, &r);
    if (rc) {
        snprintf(why, cap, "cannot read the store: %s", kh_strerror(rc));
        goto done;
    }
    if (!r.nyears) {
        snprintf(why, cap, "the store holds no indicators yet (no successful run)");
        rc = KH_E_NOTFOUND;
        goto done;
    }
    r.ref_year = opts->ref_year ? opts->ref_year : r.years[r.nyears - 1];
    int found = 0;
    for (size_t i = 0; i < r.nyears; i++)
        found |= r.years[i] == r.ref_year;
    if (!found) {
        size_t len = (size_t)snprintf(why, cap, "the store holds no indicators for reference year %d (it holds",
                                      r.ref_year);
        for (size_t i = 0; i < r.nyears && len < cap; i++)
            len += (size_t)snprintf(why + len, cap - len, " %d", r.years[i]);
        if (len < cap)
            snprintf(why + len, cap - len, ")");
        rc = KH_E_NOTFOUND;
        goto done;
    }
    for (int t = 0; t < KH_IND_COUNT && !rc; t++)
        rc = kh_store_each_row(store, (kh_indtable_t)t, r.ref_year, add_row, &r.tab[t]);
    if (!rc)
        rc = kh_store_each_national(store, r.ref_year, national_point, &r);
    if (!rc) {
        rc = kh_store_each_run(store, run_of_year, &r);
        rc = rc == 1 ? 0 : rc;
    }
    if (rc) {
        snprintf(why, cap, "cannot read the store: %s", kh_strerror(rc));
        goto done;
    }
    choose_chart(&r);
    choose_axes(&r);
    header(&r);
    fprintf(out, "<main>\n");
    section_attainment(&r);
    section_predicted(&r);
    section_longterm(&r);
    section_duration(&r);
    section_cost(&r);
    kh_report_followup(out, r.tab[KH_IND_FOLLOWUP].rows, r.tab[KH_IND_FOLLOWUP].n, r.chart,
                       r.nchart);
    section_tables(&r);
    fprintf(out, "</main>\n<footer><p class=\"note\">Written by kohort %s report from the store "
                 "alone; self-contained, no scripts.</p></footer>\n</body>\n</html>\n",
            kh_cli_version());
done:
    rep_free(&r);
    return rc;
}

static void report_usage(FILE *f)
{
    fprintf(f, "usage: kohort report --store DIR --out FILE.html [--ref-year R] [--kommune K,...]\n"
               "Writes one self-contained HTML page with charts and tables of the stored indicators of\n"
               "one reference year (default: the newest).\n"
               "  --ref-year R        the reference year to report on\n"
               "  --kommune K,...     only these municipalities (4-digit codes; may be repeated);\n"
               "                      default: all (charts show the %d with the most exits)\n",
            KH_REPORT_MAX_CHART);
}

/* Adds the comma-separated 4-digit codes of `arg` to *list. Returns 0 or -1. */
static int parse_kommuner(const char *arg, int **list, int *n)
{
    const char *p = arg;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char code[8];
        int k;
        if (len != 4)
            return -1;
        memcpy(code, p, 4);
        code[4] = 0;
        if (kh_cli_int(code, 1, 9999, &k))
            return -1;
        *list = kh_xrealloc(*list, (size_t)(*n + 1) * sizeof **list);
        (*list)[(*n)++] = k;
        if (!end)
            return 0;
        p = end + 1;
    }
}

int kh_report_main(int argc, char **argv)
{
    static const struct option opts[] = {{"store", required_argument, 0, 's'},
                                         {"out", required_argument, 0, 'o'},
                                         {"ref-year", required_argument, 0, 'r'},
                                         {"kommune", required_argument, 0, 'k'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *store_path = NULL, *out_path = NULL;
    int ref_year = 0, *kommuner = NULL, nkommuner = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's': store_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'r':
            if (kh_cli_int(optarg, 1900, 2100, &ref_year)) {
                free(kommuner);
                return kh_cli_usage("--ref-year wants a year");
            }
            break;
        case 'k':
            if (parse_kommuner(optarg, &kommuner, &nkommuner)) {
                free(kommuner);
                return kh_cli_usage("--kommune wants 4-digit municipality codes separated by commas");
            }
            break;
        case 'h': report_usage(stdout); free(kommuner); return 0;
        default: report_usage(stderr); free(kommuner); return 2;
        }
    }
    store_path = kh_cli_store(store_path);
    if (!store_path || !out_path || optind < argc) {
        free(kommuner);
        return kh_cli_usage("kohort report needs --store DIR (or KOHORT_STORE) and --out FILE.html (see --help)");
    }
    kh_store_t *store = NULL;
    int rc;
    if (kh_cli_open_store(store_path, &store)) {
        free(kommuner);
        return 1;
    }
    /* written beside the target and renamed: a reader never sees half a page */
    size_t tlen = strlen(out_path) + 32;
    char *tmp = kh_xmalloc(tlen);
    snprintf(tmp, tlen, "%s.tmp.%ld", out_path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int status = 0;
    if (!f) {
        fprintf(stderr, "kohort: cannot write %s: %s\n", tmp, strerror(errno));
        status = 1;
    } else {
        kh_report_opts_t ro = {ref_year, kommuner, nkommuner, store_path};
        char why[256] = "";
        rc = kh_report_write(store, &ro, f, why, sizeof why);
        int werr = ferror(f);
        if (fclose(f) != 0)
            werr = 1;
        if (rc) {
            fprintf(stderr, "kohort: %s\n", why);
            status = 1;
        } else if (werr) {
            fprintf(stderr, "kohort: cannot write %s: %s\n", out_path, strerror(errno));
            status = 1;
        } else if (rename(tmp, out_path) != 0) {
            fprintf(stderr, "kohort: cannot write %s: %s\n", out_path, strerror(errno));
            status = 1;
        }
        if (status)
            unlink(tmp);
    }
    free(tmp);
    free(kommuner);
    kh_store_close(&store);
    return status;
}
