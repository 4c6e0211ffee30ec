/* report_followup.c - the "one year after" section of `kohort report`; see
 * report_followup.h. One small chart per municipality: at each horizon a
 * bar for men and one for women (work_or_education_share of all cohorts
 * together, cohort 0000), a dashed mark at the national figure of that
 * horizon (0000, 0000, h, 0) and a green line at the goal. A suppressed or
 * unavailable share draws no bar but ":" or "n/a". Every bar and mark
 * carries data-cells (followup:kommnr:cohort:horizon:kjonn:column) and
 * data-v (the value as `kohort query` prints it), as report.c's charts do. */
#define _POSIX_C_SOURCE 200809L
#include "cli/report_followup.h"

#include <stdlib.h>
#include <string.h>

#include "cli/common.h"
#include "cli/html.h"
#include "cli/muninames.h"
#include "cli/svg.h"

#define FU_W 236
#define FU_H 200
#define FU_LEFT 46.0
#define FU_RIGHT 8.0
#define FU_TOP 12.0
#define FU_BOTTOM 34.0
#define MEN_COLOR (kh_svg_palette[0])
#define WOMEN_COLOR (kh_svg_palette[1])
#define GOAL_COLOR "#009E73"
#define NATIONAL_COLOR KH_SVG_NATIONAL_COLOR

static int by_key(const void *pa, const void *pb)
{
    const kh_indrow_t *a = pa, *b = pb;
    if (a->kommnr != b->kommnr)
        return a->kommnr < b->kommnr ? -1 : 1;
    if (a->key2 != b->key2)
        return a->key2 < b->key2 ? -1 : 1;
    if (a->key3 != b->key3)
        return a->key3 < b->key3 ? -1 : 1;
    return (a->key4 > b->key4) - (a->key4 < b->key4);
}

/* The share of (kommnr, all cohorts, horizon, kjonn): 1 with *v and its
 * printed text, 0 when absent (text "" or ":" when suppressed). */
static int share(const kh_indrow_t *rows, size_t n, int kommnr, int horizon, int kjonn, double *v,
                 char *text, size_t cap)
{
    kh_indrow_t key;
    memset(&key, 0, sizeof key);
    key.kommnr = kommnr;
    key.key3 = horizon;
    key.key4 = kjonn;
    const kh_indrow_t *row = n ? bsearch(&key, rows, n, sizeof *rows, by_key) : NULL;
    const int col = KH_FOLLOWUP_WORK_OR_EDUCATION_SHARE;
    if (!row || !row->present[col]) {
        snprintf(text, cap, "%s", row && (row->suppressed_mask >> col & 1) ? ":" : "");
        return 0;
    }
    kh_cli_format_value(text, cap, row->value[col], 4);
    *v = (double)row->value[col] / 10000.0;
    return 1;
}

static double ypos(double v)
{
    return FU_TOP + (FU_H - FU_TOP - FU_BOTTOM) * (1.0 - v);
}

static void cells_attr(FILE *f, int kommnr, int horizon, int kjonn)
{
    fprintf(f, " data-cells=\"followup:%04d:0000:%d:%d:work_or_education_share\"", kommnr, horizon,
            kjonn);
}

static void bar(FILE *f, const kh_indrow_t *rows, size_t n, int kommnr, int h, int kjonn,
                double x, double w)
{
    double v;
    char text[32];
    const char *who = kjonn == 1 ? "men" : "women";
    if (!share(rows, n, kommnr, h, kjonn, &v, text, sizeof text)) {
        /* not a drawn value: no data-cells */
        fprintf(f, "<text class=\"fu-missing\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\" "
                   "data-missing=\"followup:%04d:0000:%d:%d\">%s</text>\n",
                x + w / 2, ypos(0) - 4, kommnr, h, kjonn, text[0] ? text : "n/a");
        return;
    }
    fprintf(f, "<rect class=\"fu-bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
               "fill=\"%s\"",
            x, ypos(v), w, ypos(0) - ypos(v), kjonn == 1 ? MEN_COLOR : WOMEN_COLOR);
    cells_attr(f, kommnr, h, kjonn);
    fprintf(f, " data-v=\"%s\"><title>%s, %d year%s after: %.1f %% in work or education</title>"
               "</rect>\n",
            text, who, h, h > 1 ? "s" : "", v * 100);
}

static void small_chart(FILE *f, const kh_indrow_t *rows, size_t n, int kommnr)
{
    char label[96];
    kh_muninames_label(kommnr, label, sizeof label);
    fprintf(f, "<svg class=\"chart fu\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
               "width=\"%d\" height=\"%d\" role=\"img\" data-k=\"%04d\" aria-label=\"",
            FU_W, FU_H + 18, FU_W, FU_H + 18, kommnr);
    kh_html_esc(f, label);
    /* the title over the plot; a long one starts at the panel's edge, and
     * one that is longer still keeps its code and shortens the name */
    double x = FU_LEFT;
    char title[96 + 8];
    snprintf(title, sizeof title, "%s", label);
    if (kh_svg_text_width(label, KH_SVG_FONT_PX, 1) > FU_W - FU_LEFT - KH_SVG_EDGE) {
        x = KH_SVG_EDGE;
        const char *name = kh_muninames_name(kommnr);
        char code[16] = "";
        if (name && kommnr)
            snprintf(code, sizeof code, " (%04d)", kommnr);
        else
            name = label;
        double room = FU_W - 2 * KH_SVG_EDGE - kh_svg_text_width(code, KH_SVG_FONT_PX, 1);
        char shown[96];
        kh_svg_fit_text(shown, sizeof shown, name, KH_SVG_FONT_PX, 1, room);
        snprintf(title, sizeof title, "%s%s", shown, code);
    }
    fprintf(f, "\">\n<text x=\"%.1f\" y=\"12\" font-weight=\"bold\">", x);
    kh_html_esc(f, title);
    if (strcmp(title, label) != 0) {
        fprintf(f, "<title>");
        kh_html_esc(f, label);
        fprintf(f, "</title>");
    }
    fprintf(f, "</text>\n<g transform=\"translate(0 14)\">\n");
    double right = FU_W - FU_RIGHT;
    for (int t = 0; t <= 4; t++) {
        double y = ypos(t * 0.25);
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#e4e4e4\"/>"
                   "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%d %%</text>\n",
                FU_LEFT, y, right, y, FU_LEFT - 4, y + 4, t * 25);
    }
    double group = (right - FU_LEFT) / KH_FOLLOWUP_NHORIZONS, barw = group * 0.3;
    for (int i = 0; i < KH_FOLLOWUP_NHORIZONS; i++) {
        int h = kh_followup_horizons[i];
        double x0 = FU_LEFT + group * i + group * 0.2;
        bar(f, rows, n, kommnr, h, 1, x0, barw);
        bar(f, rows, n, kommnr, h, 2, x0 + barw, barw);
        double v;
        char text[32];
        if (share(rows, n, 0, h, 0, &v, text, sizeof text)) {
            fprintf(f, "<line class=\"fu-national\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                       "stroke=\"%s\" stroke-width=\"2\" stroke-dasharray=\"4 2\"",
                    x0 - 4, ypos(v), x0 + 2 * barw + 4, ypos(v), NATIONAL_COLOR);
            cells_attr(f, 0, h, 0);
            fprintf(f, " data-v=\"%s\"/>\n", text);
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%d year%s</text>\n",
                x0 + barw, ypos(0) + 16, h, h > 1 ? "s" : "");
    }
    fprintf(f, "<line class=\"fu-goal\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
               "stroke=\"%s\" stroke-width=\"1.5\" data-v=\"%.4f\"/>\n",
            FU_LEFT, ypos(KH_REPORT_FOLLOWUP_GOAL), right, ypos(KH_REPORT_FOLLOWUP_GOAL), GOAL_COLOR,
            KH_REPORT_FOLLOWUP_GOAL);
    fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" "
               "stroke=\"#999\"/>\n</g>\n</svg>\n",
            FU_LEFT, FU_TOP, right - FU_LEFT, ypos(0) - FU_TOP);
}

void kh_report_followup(FILE *f, const kh_indrow_t *rows, size_t n, const int *kommuner,
                        int nkommuner)
{
    fprintf(f, "<section id=\"followup\">\n<h2>One year after: work or education 1, 2 and 5 years "
               "after the programme</h2>\n");
    fprintf(f, "<p>The share of each municipality's former participants who were in work (a job in "
               "November) or in education, 1, 2 and 5 years after the year they left, counting those "
               "still living in Norway; all exit years of the window together (cohort 0000). Men "
               "and women side by side, as the official statistics report them; the dashed mark is "
               "the figure for all municipalities and genders, the green line the national goal of "
               "%.0f %% one year after.</p>\n",
            KH_REPORT_FOLLOWUP_GOAL * 100);
    if (n == 0) {
        fprintf(f, "<p class=\"nodata\" id=\"followup-empty\">No followup rows for this year (a "
                   "store written before table followup existed, or no cohort old enough).</p>\n"
                   "</section>\n");
        return;
    }
    fprintf(f, "<div class=\"legend\"><span><span class=\"sw\" style=\"background:%s\"></span>men"
               "</span><span><span class=\"sw\" style=\"background:%s\"></span>women</span>"
               "<span><span class=\"sw dash\"></span>all municipalities</span><span><span "
               "class=\"sw\" style=\"background:%s\"></span>goal %.0f %%</span></div>\n",
            MEN_COLOR, WOMEN_COLOR, GOAL_COLOR, KH_REPORT_FOLLOWUP_GOAL * 100);
    fprintf(f, "<figure id=\"fig-followup\" data-kommuner=\"");
    for (int i = 0; i < nkommuner; i++)
        fprintf(f, "%s%04d", i ? " " : "", kommuner[i]);
    fprintf(f, "\">\n<div style=\"display:flex;flex-wrap:wrap;gap:8px\">\n");
    small_chart(f, rows, n, 0);
    for (int i = 0; i < nkommuner; i++)
        small_chart(f, rows, n, kommuner[i]);
    fprintf(f, "</div>\n<p class=\"note\">A missing bar is suppressed (\":\") or has no one to "
               "count (\"n/a\"). Persons without a befolkning row (kjonn 9) count only in the "
               "figures for everyone.</p>\n</figure>\n</section>\n");
}
