/* report_charts.h - the charts of `kohort report`: lines over the years
 * named at their ends, the sorted bars of attainment against prediction,
 * and spending against results. Each is one <figure> written to the
 * report's FILE; used by report.c in the `kohort` process. */
#ifndef KH_CLI_REPORT_CHARTS_H
#define KH_CLI_REPORT_CHARTS_H

#include "cli/report_data.h"
#include "cli/svg.h"

/* One line chart: (t, col) over the years from..to for the page's
 * municipalities, and optionally all municipalities and the national
 * attainment line. */
typedef struct {
    const char *id, *title, *xtitle, *ytitle, *note;
    int t, col;
    int from, to;          /* x axis, years */
    kh_axis_t yax;
    int total;             /* also the all-municipalities row */
    int national;          /* also the national attainment line */
    double ref_y;          /* a horizontal reference line (0: none) */
    const char *ref_label;
} kh_line_spec_t;

/* Opens a <figure id="fig-ID"> naming the page's municipalities in
 * data-kommuner, with its title; closes it with an optional note. */
void kh_report_figure_open(const kh_rep_t *r, const char *id, const char *title);
void kh_report_figure_close(const kh_rep_t *r, const char *note);

void kh_report_line_chart(const kh_rep_t *r, const kh_line_spec_t *s);

/* Every municipality's residual over all cohorts, sorted; the page's
 * municipalities highlighted (fig-predicted). */
void kh_report_residual_chart(const kh_rep_t *r);

/* Spending index against goal attainment (fig-cost-results). */
void kh_report_cost_results(const kh_rep_t *r);

#endif
