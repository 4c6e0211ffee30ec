/* report.c - `kohort report`: the indicators of one reference year as one
 * self-contained HTML page (inline CSS, inline SVG, no scripts), for the
 * whole country or for one municipality against its peers. Read-only; see
 * report.h. The data come from report_data.c, the chart primitives from
 * svg.c, the "one year after" section from report_followup.c.
 *
 * Suppressed and unavailable values are never drawn: a line breaks where a
 * value is missing. Every drawn value carries data-cells (table:kommnr:key:
 * column, one per store cell it shows) and data-v (the value as `kohort
 * query` prints it); every table cell data-v, every column head data-col,
 * so tests check what the page shows against the store. */
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
#include "cli/html.h"
#include "cli/labels.h"
#include "cli/muninames.h"
#include "cli/report_charts.h"
#include "cli/report_data.h"
#include "cli/report_followup.h"
#include "cli/svg.h"
#include "proto/codes.h"
#include "proto/err.h"
#include "proto/util.h"

/* Printed: A4, tables in 7 pt; each section starts a new page except the
 * first, which follows the header (the header alone left page 1 mostly
 * empty); a figure or the key-figures table is never split. */
static const char *const css =
    "body{font-family:sans-serif;color:#222;margin:24px auto;max-width:1160px;padding:0 16px;"
    "line-height:1.4}\n"
    "h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ccc;padding-bottom:4px;"
    "margin-top:1.8em}\n"
    "h3{font-size:1.05em;margin:.6em 0 .3em}figure{margin:1em 0 1.6em}\n"
    "svg.chart{max-width:100%;height:auto;background:#fff;border:1px solid #ddd}\n"
    "svg text{font-family:sans-serif;font-size:12px;fill:#333}svg text.empty{font-size:14px;"
    "fill:#a00}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:4px 16px;font-size:.9em;margin:.4em 0}\n"
    ".sw{display:inline-block;width:14px;height:4px;margin:0 5px 3px 0;vertical-align:middle}\n"
    ".sw.dash{border-top:2px dashed #000;height:0;background:none}\n"
    ".note{font-size:.88em;color:#555;margin:.3em 0}.nodata{font-weight:bold;color:#a00}\n"
    ".tablewrap{max-width:100%}\n"
    "table{border-collapse:collapse;font-size:.76em;margin:.4em 0 1.4em;width:100%;"
    "table-layout:auto}\n"
    "th,td{border:1px solid #ccc;padding:2px 4px;text-align:right}\n"
    "td{white-space:nowrap}th{background:#f0f0f0;font-weight:normal;vertical-align:bottom;"
    "overflow-wrap:normal;word-break:normal;min-width:3.2em}\n"
    "td.name,th.name{text-align:left;white-space:normal}tr.tot td{font-weight:bold;"
    "background:#fafafa}\n"
    "td.sup{color:#a00;text-align:center}\n"
    "@page{size:A4;margin:15mm 12mm}\n"
    "@media print{body{max-width:none;margin:0;font-size:10pt}nav{display:none}"
    "figure,table.key{break-inside:avoid}h2{break-before:page}header h2{break-before:auto}"
    "main>section:first-child>h2{break-before:auto}"
    "svg.chart{border:none}a{color:inherit;text-decoration:none}"
    "table{font-size:7pt}}\n";

/* ---- the sections ----------------------------------------------------------------------- */

static void section_open(const kh_rep_t *r, const char *id, const char *title)
{
    fprintf(r->f, "<section id=\"%s\">\n<h2>", id);
    kh_html_esc(r->f, title);
    fprintf(r->f, "</h2>\n");
}

static void para(const kh_rep_t *r, const char *cls, const char *text)
{
    fprintf(r->f, "<p%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
    kh_html_esc(r->f, text);
    fprintf(r->f, "</p>\n");
}

static void muni_label(FILE *f, int kommnr)
{
    char buf[96];
    kh_html_esc(f, kh_muninames_label(kommnr, buf, sizeof buf));
}

static void header_selection(const kh_rep_t *r)
{
    FILE *f = r->f;
    fprintf(f, "<p id=\"selection\">");
    if (r->focus) {
        fprintf(f, "A page for ");
        muni_label(f, r->focus);
        if (!kh_rep_has_rows(r, r->focus))
            fprintf(f, " (no rows in reference year %d)", r->ref_year);
        if (r->opts->nkommuner > 1) {
            fprintf(f, ", against its peers ");
            for (int i = 1; i < r->opts->nkommuner; i++) {
                fprintf(f, "%s", i > 1 ? ", " : "");
                muni_label(f, r->opts->kommuner[i]);
                if (!kh_rep_has_rows(r, r->opts->kommuner[i]))
                    fprintf(f, " (no rows in reference year %d)", r->ref_year);
            }
        }
        fprintf(f, ", all municipalities and the national figures.");
    } else if (r->opts->kommuner) {
        fprintf(f, "Municipalities asked for: ");
        for (int i = 0; i < r->opts->nkommuner; i++) {
            fprintf(f, "%s", i ? ", " : "");
            muni_label(f, r->opts->kommuner[i]);
            if (!kh_rep_has_rows(r, r->opts->kommuner[i]))
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
}

static void header(const kh_rep_t *r)
{
    FILE *f = r->f;
    char name[96];
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>");
    if (r->focus) {
        kh_html_esc(f, kh_rep_name(r->focus, name, sizeof name));
        fprintf(f, ": ");
    }
    fprintf(f, "kohort report, reference year %d</title>\n<style>\n%s</style>\n</head>\n<body>\n",
            r->ref_year, css);
    fprintf(f, "<header id=\"summary\">\n<h1>");
    if (r->focus) {
        kh_html_esc(f, kh_rep_name(r->focus, name, sizeof name));
        fprintf(f, ": i");
    } else {
        fprintf(f, "I");
    }
    fprintf(f, "ntroduction programme results, reference year %d</h1>\n", r->ref_year);
    fprintf(f, "<p>Indicators from the kohort store <code>");
    kh_html_esc(f, r->opts->store_label ? r->opts->store_label : "");
    fprintf(f, "</code>: persons who left the introduction programme in %d&#8211;%d, by home "
               "municipality and exit year (cohort), and where they stood in %d.",
            r->cfrom, r->cto, r->ref_year);
    if (r->have_run) {
        char when[32];
        kh_cli_time(when, sizeof when, r->run.finished_ms);
        fprintf(f, " Run <code>");
        kh_html_esc(f, r->run.run);
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
    fprintf(f, "</p>\n");
    header_selection(r);
    para(r, "note",
         "Small counts are suppressed before anything is stored (disclosure control): a "
         "suppressed value is shown as \":\" in the tables and is left out of the charts, as is "
         "a value that is unavailable (an empty cell). A line breaks where a value is missing; "
         "nothing missing is drawn as zero. Every line is named at its end.");
    fprintf(f, "<nav><p>Sections: <a href=\"#attainment\">goal attainment</a> &#183; "
               "<a href=\"#predicted\">attainment against prediction</a> &#183; "
               "<a href=\"#longterm\">long-term status</a> &#183; "
               "<a href=\"#duration\">programme length</a> &#183; "
               "<a href=\"#cost\">what does the money buy?</a> &#183; "
               "<a href=\"#followup\">one year after</a> &#183; "
               "<a href=\"#tables\">tables</a></p></nav>\n</header>\n");
}

static void section_attainment(const kh_rep_t *r)
{
    section_open(r, "attainment", "Goal attainment by exit year");
    char codes[64], text[320];
    snprintf(text, sizeof text,
             "Share of those who left the programme in each year who went on to work or education "
             "(sluttstatus %s): the official goal attainment, per municipality, "
             "against the national figure for all municipalities of Norway.",
             kh_slutt_list(KH_SLUTT_ATTAINED, codes, sizeof codes));
    para(r, NULL, text);
    kh_line_spec_t s = {
        .id = "attainment", .title = "Goal attainment by exit year",
        .xtitle = "Exit year (cohort)", .ytitle = "Goal attainment",
        .note = "Dashed black: the national goal attainment of each year "
                "(ref_nasjonal); grey: all municipalities in this store.",
        .t = KH_IND_EXIT, .col = KH_EXIT_ATTAINED_SHARE, .from = r->cfrom, .to = r->cto,
        .yax = KH_AX_SHARE, .total = 1, .national = 1};
    kh_report_line_chart(r, &s);
    fprintf(r->f, "</section>\n");
}

static void section_predicted(const kh_rep_t *r)
{
    section_open(r, "predicted", "Goal attainment against prediction");
    para(r, NULL,
         "Predicted attainment accounts for who the participants were: the national attainment of "
         "their exit year, weighted by the relative attainment of their country background and sex. "
         "Each bar is a municipality's attainment minus its prediction over all exit years "
         "together, sorted from the best to the worst.");
    kh_report_residual_chart(r);
    fprintf(r->f, "</section>\n");
}

static void section_longterm(const kh_rep_t *r)
{
    char text[400], text2[200];
    section_open(r, "longterm", "Long-term status: work, education and social assistance");
    snprintf(text, sizeof text,
             "Where the participants of each cohort stood in %d, counting only those who still "
             "lived in their home municipality on 1 January %d: in work (a job at any time of the "
             "year) or in education, and receiving social assistance.",
             r->ref_year, r->ref_year);
    para(r, NULL, text);
    snprintf(text, sizeof text, "Share in work or education in %d, by exit year", r->ref_year);
    kh_line_spec_t w = {
        .id = "work-education", .title = text,
        .xtitle = "Exit year (cohort)", .ytitle = "In work or education",
        .note = "Grey: all municipalities in this store.",
        .t = KH_IND_STATUS, .col = KH_STATUS_WORK_OR_EDUCATION_SHARE, .from = r->cfrom, .to = r->cto,
        .yax = KH_AX_SHARE, .total = 1};
    kh_report_line_chart(r, &w);
    snprintf(text2, sizeof text2, "Share receiving social assistance in %d, by exit year", r->ref_year);
    kh_line_spec_t sa = {
        .id = "social-assistance", .title = text2,
        .xtitle = "Exit year (cohort)", .ytitle = "Receiving social assistance",
        .note = "Grey: all municipalities in this store.",
        .t = KH_IND_STATUS, .col = KH_STATUS_SA_SHARE, .from = r->cfrom, .to = r->cto,
        .yax = KH_AX_SHARE, .total = 1};
    kh_report_line_chart(r, &sa);
    fprintf(r->f, "</section>\n");
}

static void section_duration(const kh_rep_t *r)
{
    section_open(r, "duration", "Programme length and extensions");
    para(r, NULL,
         "The programme normally lasts up to two years. Mean time from start to exit, and the share "
         "of participants whose programme was extended beyond two years.");
    kh_line_spec_t d = {
        .id = "duration", .title = "Mean programme length by exit year",
        .xtitle = "Exit year (cohort)", .ytitle = "Mean length (days)",
        .note = "Grey: all municipalities in this store.",
        .t = KH_IND_EXIT, .col = KH_EXIT_MEAN_DURATION_DAYS, .from = r->cfrom, .to = r->cto,
        .yax = KH_AX_NUM, .total = 1, .ref_y = 730, .ref_label = "two years (730 days)"};
    kh_report_line_chart(r, &d);
    kh_line_spec_t e = {
        .id = "extended", .title = "Share extended beyond two years, by exit year",
        .xtitle = "Exit year (cohort)", .ytitle = "Extended",
        .note = "Grey: all municipalities in this store.",
        .t = KH_IND_EXIT, .col = KH_EXIT_EXTENDED_SHARE, .from = r->cfrom, .to = r->cto,
        .yax = KH_AX_SHARE, .total = 1};
    kh_report_line_chart(r, &e);
    fprintf(r->f, "</section>\n");
}

/* A table cell: the text people read, the stored value (as `kohort query`
 * prints it) in data-v. */
static void td(FILE *f, int t, const kh_indrow_t *row, int col)
{
    char text[48], v[32];
    kh_html_cell(text, sizeof text, (kh_indtable_t)t, row, col);
    kh_rep_cell_text(v, sizeof v, t, row, col);
    if (strcmp(text, ":") == 0)
        fprintf(f, "<td class=\"sup\" title=\"suppressed\" data-v=\":\">:</td>");
    else
        fprintf(f, "<td data-v=\"%s\">%s</td>", v, text);
}

/* A column head: the readable label, the column's name in data-col and as
 * a tooltip. */
static void th(FILE *f, const char *col, const char *label)
{
    fprintf(f, "<th data-col=\"%s\" title=\"%s\">", col, col);
    kh_html_esc(f, label);
    fprintf(f, "</th>");
}

static void key_figures(const kh_rep_t *r, int year)
{
    FILE *f = r->f;
    static const struct {
        int t, col;
    } cols[] = {{KH_IND_COST, KH_COST_COST_INDEX},     {KH_IND_COST, KH_COST_ADMIN_INDEX},
                {KH_IND_COST, KH_COST_COST_PER_PERSON}, {KH_IND_EXIT, KH_EXIT_ATTAINED_SHARE},
                {KH_IND_EXIT, KH_EXIT_EXITS},           {KH_IND_COST, KH_COST_COST_PER_ATTAINED}};
    fprintf(f, "<h3>Key figures, %d</h3>\n<div class=\"tablewrap\"><table class=\"key\" "
               "id=\"key-figures\"><thead><tr><th class=\"name\">Municipality</th>",
            year);
    for (size_t j = 0; j < sizeof cols / sizeof cols[0]; j++) {
        const kh_label_t *l = kh_label_column((kh_indtable_t)cols[j].t, cols[j].col);
        char label[160];
        snprintf(label, sizeof label, "%s%s%s%s", l->label, strcmp(l->unit, "NOK") == 0 ? " (" : "",
                 strcmp(l->unit, "NOK") == 0 ? l->unit : "", strcmp(l->unit, "NOK") == 0 ? ")" : "");
        th(f, kh_schema_indtable((kh_indtable_t)cols[j].t)->cols[cols[j].col].name, label);
    }
    fprintf(f, "</tr></thead>\n<tbody>\n");
    for (int i = 0; i < r->nchart; i++) {
        int k = r->chart[i];
        const kh_indrow_t *c = kh_rep_row(r, KH_IND_COST, k, year), *e = kh_rep_row(r, KH_IND_EXIT, k, year);
        fprintf(f, "<tr><td class=\"name\">");
        muni_label(f, k);
        fprintf(f, "</td>");
        for (size_t j = 0; j < sizeof cols / sizeof cols[0]; j++)
            td(f, cols[j].t, cols[j].t == KH_IND_COST ? c : e, cols[j].col);
        fprintf(f, "</tr>\n");
    }
    fprintf(f, "</tbody></table></div>\n");
}

static void section_cost(const kh_rep_t *r)
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
    kh_report_cost_results(r);
    kh_line_spec_t ci = {
        .id = "cost-index", .title = "Spending index by year",
        .xtitle = "Year", .ytitle = "Spending index (mean = 100)",
        .t = KH_IND_COST, .col = KH_COST_COST_INDEX, .from = r->yfrom, .to = r->yto,
        .yax = KH_AX_NUM, .ref_y = 100, .ref_label = "mean = 100"};
    kh_report_line_chart(r, &ci);
    kh_line_spec_t cpa = {
        .id = "cost-per-attained", .title = "Spending per attained exit, by year",
        .xtitle = "Year", .ytitle = "NOK per attained exit",
        .note = "Suppressed wherever the number of attained exits is.",
        .t = KH_IND_COST, .col = KH_COST_COST_PER_ATTAINED, .from = r->yfrom, .to = r->yto,
        .yax = KH_AX_NUM};
    kh_report_line_chart(r, &cpa);
    key_figures(r, r->yto);
    fprintf(r->f, "</section>\n");
}

static const char *const table_titles[KH_IND_COUNT] = {
    "Table exit: status at exit, per municipality and exit year",
    "Table status: long-term status in the reference year, per municipality and exit year",
    "Table cost: resources against results, per municipality and year",
    "Table followup: status 1, 2 and 5 years after exit, per municipality, exit year and gender"};

static void data_table(const kh_rep_t *r, int t)
{
    FILE *f = r->f;
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)t);
    fprintf(f, "<h3>");
    kh_html_esc(f, table_titles[t]);
    fprintf(f, "</h3>\n");
    int n = 0;
    for (size_t i = 0; i < r->tab[t].n; i++)
        n += r->tab[t].rows[i].kommnr == 0 || kh_rep_wanted(r, r->tab[t].rows[i].kommnr);
    if (!n) {
        fprintf(f, "<p class=\"nodata\" id=\"table-%s-empty\">No rows.</p>\n", def->name);
        return;
    }
    fprintf(f, "<div class=\"tablewrap\"><table class=\"data\" id=\"table-%s\" data-t=\"%s\">\n"
               "<thead><tr><th class=\"name\" data-col=\"municipality\">Municipality</th>",
            def->name, def->name);
    th(f, "kommnr", "Code");
    th(f, def->key2, kh_label_key(def->key2));
    if (def->key3) {
        th(f, def->key3, kh_label_key(def->key3));
        th(f, def->key4, kh_label_key(def->key4));
    }
    for (int c = 0; c < def->ncols; c++)
        th(f, def->cols[c].name, kh_label_column((kh_indtable_t)t, c)->label);
    th(f, "suppressed", "Suppressed");
    fprintf(f, "</tr></thead>\n<tbody>\n");
    char buf[96];
    for (size_t i = 0; i < r->tab[t].n; i++) {
        const kh_indrow_t *row = &r->tab[t].rows[i];
        if (row->kommnr && !kh_rep_wanted(r, row->kommnr))
            continue;
        fprintf(f, "<tr%s data-k=\"%04d\" data-y=\"%04d\"",
                row->kommnr == 0 || row->key2 == 0 ? " class=\"tot\"" : "", row->kommnr, row->key2);
        if (def->key3)
            fprintf(f, " data-h=\"%d\" data-g=\"%d\"", row->key3, row->key4);
        fprintf(f, "><td class=\"name\">");
        kh_html_esc(f, kh_rep_name(row->kommnr, buf, sizeof buf));
        fprintf(f, "</td><td>%04d</td><td>%04d</td>", row->kommnr, row->key2);
        if (def->key3)
            fprintf(f, "<td>%d</td><td>%d</td>", row->key3, row->key4);
        for (int c = 0; c < def->ncols; c++)
            td(f, t, row, c);
        fprintf(f, "<td data-v=\"%d\">%s</td></tr>\n", row->suppressed ? 1 : 0,
                row->suppressed ? "yes" : "");
    }
    fprintf(f, "</tbody></table></div>\n");
}

static void section_tables(const kh_rep_t *r)
{
    section_open(r, "tables", "The tables");
    para(r, NULL,
         "The stored indicators: shares as percentages, attainment above prediction (a "
         "difference of two shares) in percentage points (p.p.), days and indexes with one "
         "decimal, counts and NOK whole, with thousands separated by a space (kohort query "
         "prints them for machines). Cohort or year 0000 is all cohorts together, municipality 0000 all "
         "municipalities together. \":\" marks a suppressed value; an empty cell is unavailable (a "
         "share whose denominator is zero, or a figure without its reference table).");
    for (int t = 0; t < KH_IND_COUNT; t++)
        data_table(r, t);
    fprintf(r->f, "</section>\n");
}

/* ---- entry points ------------------------------------------------------------------------ */

int kh_report_write(kh_store_t *store, const kh_report_opts_t *opts, FILE *out, char *why, size_t cap)
{
    kh_rep_t r;
    int rc = kh_rep_load(&r, store, opts, out, why, cap);
    if (rc == 0) {
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
    }
    kh_rep_free(&r);
    return rc;
}

static void report_usage(FILE *f)
{
    fprintf(f, "usage: kohort report --store DIR --out FILE.html [--ref-year R]\n"
               "                     [--kommune K [--peers K,...] | --kommune K,K,...]\n"
               "Writes one self-contained HTML page with charts and tables of the stored indicators of\n"
               "one reference year (default: the newest): for the whole country, or for one\n"
               "municipality against its peers.\n"
               "  --ref-year R        the reference year to report on\n"
               "  --kommune K         a page for municipality K (4-digit code)\n"
               "  --peers K,...       municipalities to set beside K (at most %d in all)\n"
               "  --kommune K,K,...   several municipalities, none singled out\n"
               "Without --kommune the charts show the %d municipalities with the most exits.\n",
            KH_REPORT_MAX_CHART, KH_REPORT_MAX_CHART);
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

/* Writes the report to a temporary file beside out_path and renames it,
 * so that a reader never sees half a page. Returns the exit status. */
static int write_atomically(kh_store_t *store, const kh_report_opts_t *ro, const char *out_path)
{
    size_t tlen = strlen(out_path) + 32;
    char *tmp = kh_xmalloc(tlen);
    snprintf(tmp, tlen, "%s.tmp.%ld", out_path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int status = 0;
    if (!f) {
        fprintf(stderr, "kohort: cannot write %s: %s\n", tmp, strerror(errno));
        free(tmp);
        return 1;
    }
    char why[256] = "";
    int rc = kh_report_write(store, ro, f, why, sizeof why);
    int werr = ferror(f);
    if (fclose(f) != 0)
        werr = 1;
    if (rc) {
        fprintf(stderr, "kohort: %s\n", why);
        status = 1;
    } else if (werr || rename(tmp, out_path) != 0) {
        fprintf(stderr, "kohort: cannot write %s: %s\n", out_path, strerror(errno));
        status = 1;
    }
    if (status)
        unlink(tmp);
    free(tmp);
    return status;
}

int kh_report_main(int argc, char **argv)
{
    static const struct option opts[] = {{"store", required_argument, 0, 's'},
                                         {"out", required_argument, 0, 'o'},
                                         {"ref-year", required_argument, 0, 'r'},
                                         {"kommune", required_argument, 0, 'k'},
                                         {"peers", required_argument, 0, 'p'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *store_path = NULL, *out_path = NULL;
    int ref_year = 0, *kommuner = NULL, nkommuner = 0, *peers = NULL, npeers = 0, opt;
    optind = 1;
    int status = -1;
    while (status < 0 && (opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's': store_path = optarg; break;
        case 'o': out_path = optarg; break;
        case 'r':
            if (kh_cli_int(optarg, 1900, 2100, &ref_year))
                status = kh_cli_usage("--ref-year wants a year");
            break;
        case 'k':
            if (parse_kommuner(optarg, &kommuner, &nkommuner))
                status = kh_cli_usage("--kommune wants 4-digit municipality codes separated by commas");
            break;
        case 'p':
            if (parse_kommuner(optarg, &peers, &npeers))
                status = kh_cli_usage("--peers wants 4-digit municipality codes separated by commas");
            break;
        case 'h': report_usage(stdout); status = 0; break;
        default: report_usage(stderr); status = 2;
        }
    }
    store_path = kh_cli_store(store_path);
    if (status < 0 && (!store_path || !out_path || optind < argc))
        status = kh_cli_usage("kohort report needs --store DIR (or KOHORT_STORE) and --out FILE.html "
                              "(see --help)");
    if (status < 0 && npeers && nkommuner != 1)
        status = kh_cli_usage("--peers goes with one --kommune K");
    kh_store_t *store = NULL;
    if (status < 0) {
        int open_rc = kh_cli_open_store(store_path, &store);
        status = open_rc ? open_rc : status;
    }
    if (status < 0) {
        /* one municipality (with or without peers) gets a page of its own */
        int focus = nkommuner == 1;
        for (int i = 0; i < npeers; i++) {
            kommuner = kh_xrealloc(kommuner, (size_t)(nkommuner + 1) * sizeof *kommuner);
            kommuner[nkommuner++] = peers[i];
        }
        kh_report_opts_t ro = {ref_year, kommuner, nkommuner, store_path, focus};
        status = write_atomically(store, &ro, out_path);
    }
    kh_store_close(&store);
    free(kommuner);
    free(peers);
    return status;
}
