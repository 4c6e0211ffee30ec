/* report_charts.c - the charts of `kohort report`; see report_charts.h.
 * Every drawn value carries data-cells and data-v (see report.c). */
#define _POSIX_C_SOURCE 200809L
#include "cli/report_charts.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/common.h"
#include "cli/html.h"
#include "cli/muninames.h"
#include "proto/util.h"

#define CHART_W 860      /* px: the page's text column is 1160 px wide at most */
#define LINE_LEFT 64.0
#define LINE_RIGHT 150.0 /* room for the labels at the lines' ends, at least */
#define LINE_RIGHT_MAX 300.0 /* at most: a longer name is shortened (kh_svg_end_labels) */
#define BAR_LEFT 190.0   /* room for the names left of the bars, at least */
#define BAR_LEFT_MAX 300.0
#define LINE_TOP 14.0
#define LINE_BOTTOM 46.0

/* ---- line charts ---------------------------------------------------------------- */


void kh_report_figure_open(const kh_rep_t *r, const char *id, const char *title)
{
    fprintf(r->f, "<figure id=\"fig-%s\" data-kommuner=\"", id);
    for (int i = 0; i < r->nchart; i++)
        fprintf(r->f, "%s%04d", i ? " " : "", r->chart[i]);
    fprintf(r->f, "\">\n<h3>");
    kh_html_esc(r->f, title);
    fprintf(r->f, "</h3>\n");
}

void kh_report_figure_close(const kh_rep_t *r, const char *note)
{
    if (note) {
        fprintf(r->f, "<p class=\"note\">");
        kh_html_esc(r->f, note);
        fprintf(r->f, "</p>\n");
    }
    fprintf(r->f, "</figure>\n");
}

/* A value as a tooltip shows it. */
static void value_tip(char *buf, size_t cap, double v, kh_axis_t ax, int scale)
{
    if (ax == KH_AX_SHARE)
        kh_html_pct(buf, cap, v);
    else if (scale == 0)
        kh_html_thousands(buf, cap, (int64_t)llround(v));
    else
        snprintf(buf, cap, "%.1f", v);
}

/* One municipality's values of (t, col) over the years from..to: a path
 * broken wherever a value is missing, then a dot per value. Returns the
 * number of values drawn; *last_y gets the px y of the last one. */
static int draw_series(const kh_rep_t *r, const kh_plot_t *p, const kh_line_spec_t *s, int kommnr,
                       const char *color, double width, double *last_y)
{
    FILE *f = r->f;
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)s->t);
    double v;
    int pen = 0, n = 0;
    fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"%.1f\" d=\"", color, width);
    for (int y = s->from; y <= s->to; y++) {
        if (!kh_rep_cell(r, s->t, kommnr, y, s->col, &v)) {
            pen = 0;
            continue;
        }
        fprintf(f, "%s%.1f %.1f ", pen ? "L" : "M", kh_svg_x(p, y), kh_svg_y(p, v));
        pen = 1;
    }
    fprintf(f, "\"/>\n");
    char name[96], tip[48], text[32];
    kh_muninames_label(kommnr, name, sizeof name);
    for (int y = s->from; y <= s->to; y++) {
        const kh_indrow_t *row = kh_rep_row(r, s->t, kommnr, y);
        if (!kh_rep_cell(r, s->t, kommnr, y, s->col, &v))
            continue;
        kh_cli_format_value(text, sizeof text, row->value[s->col], def->cols[s->col].scale);
        value_tip(tip, sizeof tip, v, s->yax, def->cols[s->col].scale);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\" fill=\"%s\" data-cells=\"%s:%04d:%04d:%s\" "
                   "data-v=\"%s\"><title>",
                kh_svg_x(p, y), kh_svg_y(p, v), color, def->name, kommnr, y, def->cols[s->col].name,
                text);
        kh_html_esc(f, name);
        fprintf(f, ", %d: %s</title></circle>\n", y, tip);
        *last_y = kh_svg_y(p, v);
        n++;
    }
    return n;
}

/* 1 if one of municipality kommnr's values of (t, col) over from..to is drawn. */
static int has_values(const kh_rep_t *r, const kh_line_spec_t *s, int kommnr)
{
    double v;
    for (int y = s->from; y <= s->to; y++)
        if (kh_rep_cell(r, s->t, kommnr, y, s->col, &v))
            return 1;
    return 0;
}

/* The right margin of a line chart: room for the names its lines will end
 * in (the longest decides), within LINE_RIGHT..LINE_RIGHT_MAX. */
static double line_right(const kh_rep_t *r, const kh_line_spec_t *s)
{
    const char *texts[KH_REPORT_MAX_CHART + 2];
    int bold[KH_REPORT_MAX_CHART + 2];
    char names[KH_REPORT_MAX_CHART][96];
    size_t n = 0;
    if (s->total && has_values(r, s, 0)) {
        texts[n] = "All municipalities";
        bold[n++] = 0;
    }
    for (int i = 0; i < r->nchart; i++)
        if (has_values(r, s, r->chart[i])) {
            texts[n] = kh_rep_name(r->chart[i], names[i], sizeof names[i]);
            bold[n++] = r->focus && i == 0;
        }
    if (s->national) {
        texts[n] = "Norway (national)";
        bold[n++] = 0;
    }
    return fmin(LINE_RIGHT_MAX, fmax(LINE_RIGHT, kh_svg_end_labels_room(texts, bold, n)));
}

void kh_report_line_chart(const kh_rep_t *r, const kh_line_spec_t *s)
{
    FILE *f = r->f;
    double ymax = 0, v;
    for (int i = -1; i < r->nchart; i++)
        for (int y = s->from; y <= s->to; y++)
            if (kh_rep_cell(r, s->t, i < 0 ? 0 : r->chart[i], y, s->col, &v) && v > ymax)
                ymax = v;
    if (s->national)
        for (size_t i = 0; i < r->nnat; i++)
            if (r->nat[i].share > ymax)
                ymax = r->nat[i].share;
    if (s->ref_y > ymax)
        ymax = s->ref_y;
    kh_plot_t p;
    kh_report_figure_open(r, s->id, s->title);
    kh_svg_open(&p, f, CHART_W, 330, LINE_LEFT, line_right(r, s), LINE_TOP, LINE_BOTTOM, s->title);
    p.x0 = s->from - 0.5;
    p.x1 = s->to + 0.5;
    p.y0 = 0;
    if (s->yax == KH_AX_SHARE) {
        p.y1 = ymax > 0.5 ? 1 : 0.5;
    } else {
        double step = kh_svg_nice_step(ymax > 0 ? ymax * 1.1 : 1, 5);
        p.y1 = ymax > 0 ? ceil(ymax * 1.05 / step) * step : 1;
    }
    kh_svg_axes(&p, KH_AX_YEAR, s->yax, s->xtitle, s->ytitle);
    if (s->ref_y > 0) /* under the lines; its label comes after them */
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" "
                   "stroke-dasharray=\"2 3\"/>\n",
                p.left, kh_svg_y(&p, s->ref_y), p.left + p.w, kh_svg_y(&p, s->ref_y));
    kh_svg_label_t labels[KH_REPORT_MAX_CHART + 2];
    size_t nlabels = 0;
    char names[KH_REPORT_MAX_CHART][96];
    int n = 0;
    double last;
    if (s->total && draw_series(r, &p, s, 0, KH_SVG_TOTAL_COLOR, 2, &last))
        labels[nlabels++] = (kh_svg_label_t){"All municipalities", KH_SVG_TOTAL_COLOR, last, 0, 0};
    for (int i = r->nchart - 1; i >= 0; i--) { /* the focus (first) on top */
        int drawn = draw_series(r, &p, s, r->chart[i], kh_svg_palette[i], r->focus && i == 0 ? 3.5 : 2,
                                &last);
        n += drawn;
        if (drawn)
            labels[nlabels++] = (kh_svg_label_t){kh_rep_name(r->chart[i], names[i], sizeof names[i]),
                                                 kh_svg_palette[i], last, r->focus && i == 0, 0};
    }
    if (s->national) {
        int pen = 0;
        double nat_last = -1;
        fprintf(f, "<path fill=\"none\" stroke=\"%s\" stroke-width=\"2.5\" stroke-dasharray=\"7 4\" d=\"",
                KH_SVG_NATIONAL_COLOR);
        for (int y = s->from; y <= s->to; y++) {
            const kh_natpt_t *np = NULL;
            for (size_t i = 0; i < r->nnat; i++)
                if (r->nat[i].year == y)
                    np = &r->nat[i];
            if (!np) {
                pen = 0;
                continue;
            }
            fprintf(f, "%s%.1f %.1f ", pen ? "L" : "M", kh_svg_x(&p, y), kh_svg_y(&p, np->share));
            pen = 1;
        }
        fprintf(f, "\"/>\n");
        char pct[24];
        for (size_t i = 0; i < r->nnat; i++) {
            const kh_natpt_t *np = &r->nat[i];
            if (np->year < s->from || np->year > s->to)
                continue;
            fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"6\" height=\"6\" fill=\"%s\" "
                       "data-cells=\"national:%04d\" data-v=\"%s\"><title>National, %d: %s"
                       "</title></rect>\n",
                    kh_svg_x(&p, np->year) - 3, kh_svg_y(&p, np->share) - 3, KH_SVG_NATIONAL_COLOR,
                    np->year, np->text, np->year, kh_html_pct(pct, sizeof pct, np->share));
            nat_last = kh_svg_y(&p, np->share);
        }
        if (nat_last >= 0)
            labels[nlabels++] = (kh_svg_label_t){"Norway (national)", KH_SVG_NATIONAL_COLOR, nat_last, 0, 0};
    }
    if (s->ref_y > 0) {
        /* the reference line's label over the lines and dots, on a white
         * halo, so that no line or dot hides it */
        fprintf(f, "<text class=\"ref-label\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"start\" "
                   "stroke=\"#fff\" stroke-width=\"3\" stroke-linejoin=\"round\" "
                   "paint-order=\"stroke\">",
                p.left + 4, kh_svg_y(&p, s->ref_y) - 4);
        kh_html_esc(f, s->ref_label);
        fprintf(f, "</text>\n");
    }
    kh_svg_end_labels(&p, p.left + p.w, labels, nlabels);
    if (n == 0)
        kh_svg_empty(&p);
    kh_svg_close(&p);
    kh_report_figure_close(r, s->note);
}

/* ---- attainment against prediction: sorted bars of the residual -------------------- */

typedef struct {
    int kommnr;
    double residual;
    char text[24];
} resid_t;

static int by_residual(const void *a, const void *b)
{
    const resid_t *x = a, *y = b;
    if (x->residual != y->residual)
        return x->residual > y->residual ? -1 : 1;
    return x->kommnr - y->kommnr;
}

static int highlighted(const kh_rep_t *r, int kommnr)
{
    for (int i = 0; i < r->nchart; i++)
        if (r->chart[i] == kommnr)
            return i;
    return -1;
}

/* Every municipality's residual over all cohorts (attained minus predicted
 * share), sorted, the page's municipalities in their colours, the others
 * muted; a municipality whose residual is suppressed or unavailable is
 * named below the chart. */
void kh_report_residual_chart(const kh_rep_t *r)
{
    FILE *f = r->f;
    const kh_rowset_t *rs = &r->tab[KH_IND_EXIT];
    resid_t *res = kh_xmalloc((rs->n + 1) * sizeof *res);
    size_t n = 0, missing = 0;
    double lo = 0, hi = 0;
    for (size_t i = 0; i < rs->n; i++) {
        const kh_indrow_t *row = &rs->rows[i];
        if (row->key2 != 0 || row->kommnr == 0)
            continue;
        if (!row->present[KH_EXIT_RESIDUAL]) {
            missing++;
            continue;
        }
        res[n].kommnr = row->kommnr;
        res[n].residual = (double)row->value[KH_EXIT_RESIDUAL] / 10000.0;
        kh_cli_format_value(res[n].text, sizeof res[n].text, row->value[KH_EXIT_RESIDUAL], 4);
        lo = fmin(lo, res[n].residual);
        hi = fmax(hi, res[n].residual);
        n++;
    }
    qsort(res, n, sizeof *res, by_residual);
    const char *title = "Goal attainment against prediction, all exit years together";
    kh_report_figure_open(r, "predicted", title);
    double bar = 16, top = 24, bottom = 40;
    int height = (int)(top + bottom + bar * (double)(n ? n : 1));
    /* room left of the bars for the longest name */
    char name[96], tip[160];
    double left = BAR_LEFT;
    for (size_t i = 0; i < n; i++)
        left = fmax(left, 6 + KH_SVG_EDGE +
                              kh_svg_text_width(kh_rep_name(res[i].kommnr, name, sizeof name),
                                                KH_SVG_FONT_PX,
                                                r->focus && highlighted(r, res[i].kommnr) == 0));
    kh_plot_t p;
    kh_svg_open(&p, f, CHART_W, height, fmin(left, BAR_LEFT_MAX), 70, top, bottom, title);
    /* room beyond the longest bars for their values */
    double span = fmax(hi - lo, 0.02);
    p.x0 = lo - span * 0.12;
    p.x1 = hi + span * 0.12;
    p.y0 = 0;
    p.y1 = 1;
    double step = kh_svg_nice_step(p.x1 - p.x0, 6);
    char buf[48];
    for (double v = ceil(p.x0 / step - 1e-9) * step; v <= p.x1 + step * 1e-6; v += step) {
        double x = kh_svg_x(&p, v);
        double pts = fabs(v) < step * 1e-6 ? 0 : v * 100;
        snprintf(buf, sizeof buf, "%+.0f", pts);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#eeeeee\"/>"
                   "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n",
                x, p.top, x, p.top + p.h, x, p.top + p.h + 16, pts == 0 ? "0" : buf);
    }
    fprintf(f, "<text class=\"axis\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">Goal attainment "
               "minus predicted attainment (percentage points)</text>\n",
            p.left + p.w / 2, height - 8);
    double x0 = kh_svg_x(&p, 0);
    for (size_t i = 0; i < n; i++) {
        int h = highlighted(r, res[i].kommnr);
        const char *color = r->focus ? (h == 0 ? kh_svg_palette[0] : h > 0 ? kh_svg_palette[h]
                                                                            : KH_SVG_MUTED_COLOR)
                                     : (res[i].residual >= 0 ? kh_svg_palette[0] : kh_svg_palette[1]);
        double y = p.top + bar * (double)i, x1 = kh_svg_x(&p, res[i].residual);
        const char *label = kh_rep_name(res[i].kommnr, name, sizeof name);
        snprintf(tip, sizeof tip, "%s: %+.1f percentage points", label, res[i].residual * 100);
        fprintf(f, "<rect class=\"bar%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                   "fill=\"%s\" data-cells=\"exit:%04d:0000:residual\" data-v=\"%s\"><title>",
                r->focus && h == 0 ? " focus" : "", fmin(x0, x1), y + 2, fabs(x1 - x0), bar - 4, color,
                res[i].kommnr, res[i].text);
        kh_html_esc(f, tip);
        fprintf(f, "</title></rect>\n<text class=\"bar-label\" x=\"%.1f\" y=\"%.1f\" "
                   "text-anchor=\"end\"%s>",
                p.left - 6, y + bar - 4, r->focus && h == 0 ? " font-weight=\"bold\"" : "");
        char shown[96];
        int cut = kh_svg_fit_text(shown, sizeof shown, label, KH_SVG_FONT_PX, r->focus && h == 0,
                                  p.left - 6 - KH_SVG_EDGE);
        kh_html_esc(f, shown);
        if (cut) {
            fprintf(f, "<title>");
            kh_html_esc(f, label);
            fprintf(f, "</title>");
        }
        fprintf(f, "</text><text class=\"bar-value\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%+.1f"
                   "</text>\n",
                res[i].residual >= 0 ? x1 + 4 : x1 - 4, y + bar - 4,
                res[i].residual >= 0 ? "start" : "end", res[i].residual * 100);
    }
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#555\"/>\n", x0, p.top,
            x0, p.top + p.h);
    if (!n)
        kh_svg_empty(&p);
    kh_svg_close(&p);
    char note[240];
    snprintf(note, sizeof note,
             "Above zero: more reached work or education than the participants' backgrounds "
             "predicted. %zu municipalit%s without a shown residual (suppressed, or without the "
             "reference tables) %s left out.",
             missing, missing == 1 ? "y" : "ies", missing == 1 ? "is" : "are");
    kh_report_figure_close(r, note);
    free(res);
}

/* ---- spending against results ---------------------------------------------------------- */

/* Each municipality's mean spending index over the years against its goal
 * attainment over all cohorts, and one small dot per year; the large dots
 * are named in a column to the right, with leaders. */
void kh_report_cost_results(const kh_rep_t *r)
{
    FILE *f = r->f;
    const char *title = "Spending index against goal attainment";
    typedef struct {
        double x, y;
        int series, big, year;
    } pt_t;
    pt_t *pts = kh_xmalloc(((size_t)r->nchart * (size_t)(r->yto - r->yfrom + 2) + 1) * sizeof *pts);
    size_t n = 0;
    double xlo = 100, xhi = 100, ylo = 1, yhi = 0, v, a;
    for (int i = 0; i < r->nchart; i++) {
        int k = r->chart[i], nidx = 0;
        double sum = 0;
        for (int y = r->yfrom; y <= r->yto; y++) {
            if (!kh_rep_cell(r, KH_IND_COST, k, y, KH_COST_COST_INDEX, &v))
                continue;
            sum += v;
            nidx++;
            if (kh_rep_cell(r, KH_IND_EXIT, k, y, KH_EXIT_ATTAINED_SHARE, &a))
                pts[n++] = (pt_t){v, a, i, 0, y};
        }
        if (nidx && kh_rep_cell(r, KH_IND_EXIT, k, 0, KH_EXIT_ATTAINED_SHARE, &a))
            pts[n++] = (pt_t){sum / nidx, a, i, 1, 0};
    }
    for (size_t i = 0; i < n; i++) {
        xlo = fmin(xlo, pts[i].x);
        xhi = fmax(xhi, pts[i].x);
        ylo = fmin(ylo, pts[i].y);
        yhi = fmax(yhi, pts[i].y);
    }
    if (!n)
        ylo = 0, yhi = 1;
    /* room right of the plot for the names of the large dots (4 px further out than a line's) */
    const char *texts[KH_REPORT_MAX_CHART];
    int bold[KH_REPORT_MAX_CHART];
    char names[KH_REPORT_MAX_CHART][96], text[64], pct[24];
    size_t nnames = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[i].big) {
            texts[nnames] = kh_rep_name(r->chart[pts[i].series], names[pts[i].series],
                                        sizeof names[pts[i].series]);
            bold[nnames++] = r->focus && pts[i].series == 0;
        }
    double right = fmin(LINE_RIGHT_MAX, fmax(LINE_RIGHT, 4 + kh_svg_end_labels_room(texts, bold, nnames)));
    kh_plot_t p;
    kh_report_figure_open(r, "cost-results", title);
    kh_svg_open(&p, f, CHART_W, 400, LINE_LEFT, right, LINE_TOP, LINE_BOTTOM, title);
    double xs = kh_svg_nice_step(xhi - xlo > 0 ? xhi - xlo : 10, 6);
    double ys = kh_svg_nice_step(yhi - ylo > 0 ? yhi - ylo : 0.1, 5);
    p.x0 = floor(xlo / xs - 0.3) * xs;
    p.x1 = ceil(xhi / xs + 0.3) * xs;
    p.y0 = fmax(0, floor(ylo / ys - 0.3) * ys);
    p.y1 = fmin(1, ceil(yhi / ys + 0.3) * ys);
    if (!(p.y1 > p.y0))
        p.y1 = p.y0 + 0.1;
    kh_svg_axes(&p, KH_AX_NUM, KH_AX_SHARE, "Spending per person in the target group (index, mean = 100)",
                "Goal attainment");
    fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\" "
               "stroke-dasharray=\"5 4\"/>\n",
            kh_svg_x(&p, 100), p.top, kh_svg_x(&p, 100), p.top + p.h);
    kh_svg_label_t labels[KH_REPORT_MAX_CHART];
    size_t nlabels = 0;
    for (int big = 0; big <= 1; big++)
        for (size_t i = 0; i < n; i++) {
            const pt_t *q = &pts[i];
            if (q->big != big)
                continue;
            int k = r->chart[q->series];
            const char *color = kh_svg_palette[q->series];
            double cx = kh_svg_x(&p, q->x), cy = kh_svg_y(&p, q->y);
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"%s ", cx, cy,
                    big ? "7" : "3.5", color, big ? " stroke=\"#000\"" : " fill-opacity=\"0.6\"");
            const kh_indrow_t *er = kh_rep_row(r, KH_IND_EXIT, k, q->year);
            kh_rep_cell_text(text, sizeof text, KH_IND_EXIT, er, KH_EXIT_ATTAINED_SHARE);
            if (big) {
                fprintf(f, "data-cells=\"exit:%04d:0000:attained_share\" data-v=\"%s\">", k, text);
            } else {
                char idx[32];
                kh_rep_cell_text(idx, sizeof idx, KH_IND_COST, kh_rep_row(r, KH_IND_COST, k, q->year),
                                 KH_COST_COST_INDEX);
                fprintf(f, "data-cells=\"cost:%04d:%04d:cost_index exit:%04d:%04d:attained_share\" "
                           "data-v=\"%s %s\">",
                        k, q->year, k, q->year, idx, text);
            }
            const char *name = kh_rep_name(k, names[q->series], sizeof names[q->series]);
            fprintf(f, "<title>");
            kh_html_esc(f, name);
            if (big)
                fprintf(f, ", %d-%d: mean spending index %.1f, goal attainment %s</title></circle>\n",
                        r->yfrom, r->yto, q->x, kh_html_pct(pct, sizeof pct, q->y));
            else
                fprintf(f, ", %d: spending index %.1f, goal attainment %s</title></circle>\n", q->year,
                        q->x, kh_html_pct(pct, sizeof pct, q->y));
            if (big)
                labels[nlabels++] = (kh_svg_label_t){name, color, cy, r->focus && q->series == 0, cx + 8};
        }
    kh_svg_end_labels(&p, p.left + p.w + 4, labels, nlabels);
    if (!n)
        kh_svg_empty(&p);
    kh_svg_close(&p);
    fprintf(f, "<div class=\"legend\"><span>Small dots: one year of a municipality.</span><span>Large "
               "dots: its mean index over the years against its attainment over all cohorts.</span>"
               "<span>Dashed: the mean of the year (100).</span></div>\n");
    kh_report_figure_close(r, "Spending figures are public (KOSTRA); goal attainment of a year is left out "
                    "where it is suppressed.");
    free(pts);
}

