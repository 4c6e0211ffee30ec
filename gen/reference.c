/* reference.c - the reference tables of `kohort gen`, each with a few
 * bad rows of its own. See reference.h. */
#include "gen/reference.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gen/muni.h"
#include "gen/population.h"
#include "gen/rng.h"
#include "gen/write.h"

static void raw_line(kh_gen_t *g, kh_table_t t, const char *line, kh_reason_t reason)
{
    kh_gen_out_records(g->out[t], line, strlen(line));
    if (reason != KH_R_NONE)
        g->stats->bad[t][reason]++;
}

/* A decimal with `decimals` places from a value scaled by 10^decimals, with
 * '.' or ',' as separator; trailing ".0" dropped when `trim`. */
static size_t fmt_decimal(char *dst, uint64_t scaled, int decimals, char sep, int trim)
{
    uint64_t div = 1;
    for (int i = 0; i < decimals; i++)
        div *= 10;
    size_t n = kh_gen_fmt_uint(dst, scaled / div, 0);
    if (decimals > 0 && !(trim && scaled % div == 0)) {
        dst[n++] = sep;
        n += kh_gen_fmt_uint(dst + n, scaled % div, decimals);
    }
    return n;
}

static void write_ref_kommuneendringer(kh_gen_t *g)
{
    const kh_gen_muni_change_t *changes;
    int n = kh_gen_muni_changes(&changes);
    kh_gen_row_t row;
    for (int i = 0; i < n; i++) {
        kh_gen_row_reset(&row);
        kh_gen_row_add_uint(&row, (uint64_t)changes[i].old_code, 4);
        kh_gen_row_add_uint(&row, (uint64_t)changes[i].new_code, 4);
        kh_gen_row_add_date(&row, kh_gen_jan1(changes[i].year), i == 3);
        kh_gen_out_row(g->out[KH_TAB_REF_KOMMUNEENDRINGER], &row);
        if (i == 8) /* a row with gammel = ny: ignored by the pipeline */
            raw_line(g, KH_TAB_REF_KOMMUNEENDRINGER, "0301;0301;2020-01-01\n", KH_R_NONE);
    }
    if (!g->opt.bad_rows)
        return;
    kh_table_t t = KH_TAB_REF_KOMMUNEENDRINGER;
    raw_line(g, t, "1601;5001;2019-01-01\n", KH_R_DUPLICATE);
    raw_line(g, t, "0000;0301;2020-01-01\n", KH_R_BAD_KOMMNR);
    raw_line(g, t, "1103;311;2020-01-01\n", KH_R_BAD_KOMMNR);
    raw_line(g, t, "1106;1149;2020-02-30\n", KH_R_BAD_DATE);
    raw_line(g, t, "1124;1103;\n", KH_R_MISSING);
    raw_line(g, t, "1505;1507\n", KH_R_FIELD_COUNT);
}

static void write_ref_monitor(kh_gen_t *g)
{
    kh_table_t t = KH_TAB_REF_MONITOR;
    char line[64];
    int k = 0;
    for (int i = 0; i < KH_GEN_NREFUGEE; i++) {
        const kh_gen_country_t *c = &kh_gen_refugee_countries[i];
        for (int kjonn = 1; kjonn <= 2 && c->in_monitor; kjonn++, k++) {
            double share = KH_GEN_NATIONAL_MONITOR_SHARE * (kjonn == 1 ? c->r_man : c->r_woman);
            size_t n = kh_gen_fmt_uint(line, (uint64_t)c->code, 3);
            line[n++] = ';';
            line[n++] = (char)('0' + kjonn);
            line[n++] = ';';
            n += fmt_decimal(line + n, (uint64_t)llround(share * 10000), 4, k % 3 == 1 ? ',' : '.', 0);
            line[n++] = '\n';
            kh_gen_out_records(g->out[t], line, n);
            if (k == 6) /* the all-country rows, not first */
                raw_line(g, t, "*;*;0.6400\n*;1;0,6900\n*;2;0.5700\n", KH_R_NONE);
        }
    }
    if (!g->opt.bad_rows)
        return;
    raw_line(g, t, "475;1;0,7000\n", KH_R_DUPLICATE);
    raw_line(g, t, "106;1;1.15\n", KH_R_BAD_SHARE);
    raw_line(g, t, "45;1;0.5\n", KH_R_BAD_LANDBAKGRUNN);
    raw_line(g, t, "404;3;0.5\n", KH_R_BAD_KJONN);
    raw_line(g, t, "456;;0.6\n", KH_R_MISSING);
    raw_line(g, t, "283;2\n", KH_R_FIELD_COUNT);
}

static void write_ref_nasjonal(kh_gen_t *g)
{
    kh_table_t t = KH_TAB_REF_NASJONAL;
    int ry = g->opt.ref_year;
    char line[64];
    for (int y = ry - 12; y <= ry; y++) {
        size_t n = kh_gen_fmt_uint(line, (uint64_t)y, 4);
        line[n++] = ';';
        n += fmt_decimal(line + n, (uint64_t)llround(kh_gen_national_share(y) * 10000), 4,
                         y % 4 == 0 ? ',' : '.', 0);
        line[n++] = '\n';
        kh_gen_out_records(g->out[t], line, n);
    }
    if (!g->opt.bad_rows)
        return;
    snprintf(line, sizeof line, "%d;0.4999\n", ry - 3);
    raw_line(g, t, line, KH_R_DUPLICATE);
    snprintf(line, sizeof line, "%d;1.4\n", ry - 20);
    raw_line(g, t, line, KH_R_BAD_SHARE);
    raw_line(g, t, "20x0;0.5\n", KH_R_BAD_YEAR);
    snprintf(line, sizeof line, "%d;\n", ry - 21);
    raw_line(g, t, line, KH_R_MISSING);
}

/* Spending per municipality code and year: merged places each have their
 * own rows before the merger and one row together after it. */
static void write_ref_kostnader(kh_gen_t *g)
{
    kh_table_t t = KH_TAB_REF_KOSTNADER;
    int ry = g->opt.ref_year;
    int nplaces = kh_gen_muni_count();
    double participants = (double)g->opt.persons * KH_GEN_PARTICIPANT_SHARE;
    char line[128];
    for (int y = ry - 12; y <= ry; y++) {
        for (int i = 0; i < nplaces; i++) {
            if (!kh_gen_muni_first_of_code(i, y))
                continue;
            int code = kh_gen_muni_code(i, y);
            double persons = 0, total = 0, admin = 0;
            for (int j = i; j < nplaces; j++) {
                if (kh_gen_muni_code(j, y) != code)
                    continue;
                double pj = participants * kh_gen_muni_participant_share(j) * 0.35 * kh_gen_year_factor(y) *
                            (0.9 + 0.2 * kh_rng_unit(&g->rng));
                double tj = pj * kh_gen_muni_cost_per_person(j) * (0.9 + 0.2 * kh_rng_unit(&g->rng));
                persons += pj;
                total += tj;
                admin += tj * kh_gen_muni_admin_permille(j) / 1000.0;
            }
            uint64_t persons10 = (uint64_t)llround(persons * 10);
            if (persons10 < 5)
                persons10 = 5;
            char sep = (y + i) % 5 == 0 ? ',' : '.';
            size_t n = kh_gen_fmt_uint(line, (uint64_t)code, 4);
            line[n++] = ';';
            n += kh_gen_fmt_uint(line + n, (uint64_t)y, 4);
            line[n++] = ';';
            n += kh_gen_fmt_uint(line + n, (uint64_t)llround(total), 0);
            line[n++] = ';';
            n += fmt_decimal(line + n, (uint64_t)llround(admin * 2) * 5, 1, sep, 1); /* halves */
            line[n++] = ';';
            n += fmt_decimal(line + n, persons10, 1, sep, 1);
            line[n++] = '\n';
            kh_gen_out_records(g->out[t], line, n);
        }
    }
    if (!g->opt.bad_rows)
        return;
    snprintf(line, sizeof line, "0301;%d;12345678;1234567;47\n", ry - 1);
    raw_line(g, t, line, KH_R_DUPLICATE);
    snprintf(line, sizeof line, "1151;%d;1200000;150000;0\n", ry - 15);
    raw_line(g, t, line, KH_R_ZERO_PERSONS);
    snprintf(line, sizeof line, "1144;%d;12.000.000;100000;3\n", ry - 15);
    raw_line(g, t, line, KH_R_BAD_AMOUNT);
    snprintf(line, sizeof line, "0000;%d;900000000;90000000;3000\n", ry - 1);
    raw_line(g, t, line, KH_R_BAD_KOMMNR);
    raw_line(g, t, "0301;20x4;900000;90000;30\n", KH_R_BAD_YEAR);
    snprintf(line, sizeof line, "1835;%d;800000;;2.5\n", ry - 15);
    raw_line(g, t, line, KH_R_MISSING);
    snprintf(line, sizeof line, "1856;%d;800000;80000\n", ry - 15);
    raw_line(g, t, line, KH_R_FIELD_COUNT);
}

/* The name of every code valid on 1 January of R, not in code order, a
 * name quoted now and then as exports do. */
static void write_ref_kommunenavn(kh_gen_t *g)
{
    kh_table_t t = KH_TAB_REF_KOMMUNENAVN;
    int ry = g->opt.ref_year;
    char line[512];
    for (int i = 0; i < kh_gen_muni_count(); i++) {
        if (!kh_gen_muni_first_of_code(i, ry))
            continue;
        int n = snprintf(line, sizeof line, i % 4 == 1 ? "%04d;\"%s\"\n" : "%04d;%s\n",
                         kh_gen_muni_code(i, ry), kh_gen_muni_name_in(i, ry));
        kh_gen_out_records(g->out[t], line, (size_t)n);
        if (i == 2 && g->opt.bad_rows) /* the same code again: the first row wins */
            raw_line(g, t, "0301;Christiania\n", KH_R_DUPLICATE);
    }
    if (!g->opt.bad_rows)
        return;
    /* 101 characters (202 bytes): one too many */
    size_t n = (size_t)snprintf(line, sizeof line, "1151;");
    for (int k = 0; k < KH_NAVN_MAX_CHARS + 1; k++)
        n += (size_t)snprintf(line + n, sizeof line - n, "ø");
    snprintf(line + n, sizeof line - n, "\n");
    raw_line(g, t, line, KH_R_BAD_NAME);
    raw_line(g, t, "1144;Kvit\001søy\n", KH_R_BAD_NAME);
    raw_line(g, t, "1835;  \n", KH_R_MISSING);
    raw_line(g, t, "301;Oslo\n", KH_R_BAD_KOMMNR);
    raw_line(g, t, "0000;Hele landet\n", KH_R_BAD_KOMMNR);
    raw_line(g, t, "1856\n", KH_R_FIELD_COUNT);
}

void kh_gen_reference_write(kh_gen_t *g)
{
    write_ref_kommuneendringer(g);
    write_ref_monitor(g);
    write_ref_nasjonal(g);
    write_ref_kostnader(g);
    write_ref_kommunenavn(g);
}
