/* badrows.c - how `kohort gen` writes a row: good rows now and then quoted,
 * and now and then followed by a broken copy made by a recipe of the
 * table below, one for every rule the validator applies. See badrows.h. */
#include "gen/badrows.h"

#include <stdio.h>
#include <string.h>

#include "gen/ids.h"
#include "gen/rng.h"
#include "proto/codes.h"
#include "proto/date.h"
#include "proto/util.h"
#include "transform/idnum.h"

/* ---- Bad-row recipes, per table ---------------------------------------------- */

/* A recipe: which rule a copy of a good row is made to break, and in which
 * column (ROW: the row as a whole). */
typedef struct {
    kh_reason_t reason;
    int col;
} recipe_t;

#define ROW (-1)

/* Every table's recipes share the row-level ones (too few or many fields,
 * a broken quote or byte sequence in column q / e, a missing id) and the
 * five ways an id column c can be wrong. */
#define ROW_RECIPES(id, q, e)                                                                 \
    {KH_R_FIELD_COUNT, ROW}, {KH_R_BAD_QUOTING, q}, {KH_R_ENCODING, e}, {KH_R_MISSING, id}
#define ID_RECIPES(c)                                                                         \
    {KH_R_ID_FORMAT, c}, {KH_R_ID_CHECK_DIGIT, c}, {KH_R_ID_DATE, c}, {KH_R_ID_H_NUMBER, c}, \
        {KH_R_ID_FH_NUMBER, c}

typedef struct {
    int count;
    recipe_t list[KH_GEN_MAX_RECIPES];
} recipes_t;

#define RECIPES(...)                                                                          \
    {.count = (int)(sizeof((recipe_t[]){__VA_ARGS__}) / sizeof(recipe_t)), .list = {__VA_ARGS__}}

/* The reference tables have bad rows of their own (gen/reference.c). */
static const recipes_t recipes[KH_TAB_COUNT] = {
    [KH_TAB_F_INTRO] = RECIPES(
        ROW_RECIPES(KH_F_INTRO_FNR, KH_F_INTRO_STARTDATO, KH_F_INTRO_STARTDATO),
        ID_RECIPES(KH_F_INTRO_FNR),
        {KH_R_MISSING, KH_F_INTRO_STARTDATO}, {KH_R_MISSING, KH_F_INTRO_SLUTTSTATUS},
        {KH_R_BAD_DATE, KH_F_INTRO_STARTDATO}, {KH_R_BAD_DATE, KH_F_INTRO_AVGANGSDATO},
        {KH_R_END_BEFORE_START, KH_F_INTRO_AVGANGSDATO},
        {KH_R_UNKNOWN_STATUS, KH_F_INTRO_SLUTTSTATUS}, {KH_R_UNKNOWN_STATUS, KH_F_INTRO_SLUTTSTATUS},
        {KH_R_BAD_QUOTING, KH_F_INTRO_FNR}),
    [KH_TAB_BOSATTE] = RECIPES(
        ROW_RECIPES(KH_BOSATTE_FNR, KH_BOSATTE_KOMMNR, KH_BOSATTE_KOMMNR),
        ID_RECIPES(KH_BOSATTE_FNR),
        {KH_R_MISSING, KH_BOSATTE_AAR}, {KH_R_MISSING, KH_BOSATTE_KOMMNR},
        {KH_R_BAD_YEAR, KH_BOSATTE_AAR}, {KH_R_BAD_KOMMNR, KH_BOSATTE_KOMMNR},
        {KH_R_BAD_KOMMNR, KH_BOSATTE_KOMMNR}),
    [KH_TAB_SHJ] = RECIPES(
        ROW_RECIPES(KH_SHJ_FNR, KH_SHJ_AAR, KH_SHJ_BELOP),
        ID_RECIPES(KH_SHJ_FNR),
        {KH_R_MISSING, KH_SHJ_BELOP}, {KH_R_BAD_YEAR, KH_SHJ_AAR},
        {KH_R_BAD_AMOUNT, KH_SHJ_BELOP}, {KH_R_BAD_AMOUNT, KH_SHJ_BELOP}),
    [KH_TAB_UTDANNING] = RECIPES(
        ROW_RECIPES(KH_UTDANNING_FNR, KH_UTDANNING_NUS2000, KH_UTDANNING_NUS2000),
        ID_RECIPES(KH_UTDANNING_FNR),
        {KH_R_MISSING, KH_UTDANNING_NUS2000}, {KH_R_BAD_YEAR, KH_UTDANNING_AAR},
        {KH_R_BAD_NUS, KH_UTDANNING_NUS2000}, {KH_R_BAD_NUS, KH_UTDANNING_NUS2000}),
    [KH_TAB_F_JOBBER] = RECIPES(
        ROW_RECIPES(KH_F_JOBBER_FNR, KH_F_JOBBER_ORGNR, KH_F_JOBBER_STARTDATO),
        ID_RECIPES(KH_F_JOBBER_FNR),
        {KH_R_MISSING, KH_F_JOBBER_ORGNR}, {KH_R_MISSING, KH_F_JOBBER_STARTDATO},
        {KH_R_BAD_ORGNR, KH_F_JOBBER_ORGNR}, {KH_R_BAD_ORGNR, KH_F_JOBBER_ORGNR},
        {KH_R_BAD_DATE, KH_F_JOBBER_STARTDATO}, {KH_R_BAD_DATE, KH_F_JOBBER_SLUTTDATO},
        {KH_R_END_BEFORE_START, KH_F_JOBBER_SLUTTDATO}),
    [KH_TAB_BEFOLKNING] = RECIPES(
        ROW_RECIPES(KH_BEFOLKNING_FNR, KH_BEFOLKNING_LANDBAKGRUNN, KH_BEFOLKNING_KJONN),
        ID_RECIPES(KH_BEFOLKNING_FNR),
        {KH_R_MISSING, KH_BEFOLKNING_KJONN}, {KH_R_MISSING, KH_BEFOLKNING_FODSELSDATO},
        {KH_R_BAD_KJONN, KH_BEFOLKNING_KJONN}, {KH_R_BAD_DATE, KH_BEFOLKNING_FODSELSDATO},
        {KH_R_BAD_LANDBAKGRUNN, KH_BEFOLKNING_LANDBAKGRUNN},
        {KH_R_BAD_LANDBAKGRUNN, KH_BEFOLKNING_LANDBAKGRUNN}),
    [KH_TAB_ID_HISTORIKK] = RECIPES(
        ROW_RECIPES(KH_ID_HISTORIKK_GAMMELT_ID, KH_ID_HISTORIKK_NYTT_ID, KH_ID_HISTORIKK_NYTT_ID),
        ID_RECIPES(KH_ID_HISTORIKK_GAMMELT_ID), ID_RECIPES(KH_ID_HISTORIKK_NYTT_ID),
        {KH_R_MISSING, KH_ID_HISTORIKK_NYTT_ID}),
};

/* ---- Row emission and bad rows ---------------------------------------------- */

static int64_t parse_date_field(const kh_gen_row_t *row, int col)
{
    int64_t days = 0;
    if (kh_date_parse(row->text[col], row->len[col], &days) != 0)
        return KH_NULL;
    return days;
}

static void set_str(kh_gen_row_t *row, int col, const char *s)
{
    kh_gen_row_set(row, col, s, strlen(s));
    row->quote_mask &= ~(1u << col);
}

static void set_date(kh_gen_row_t *row, int col, int64_t days)
{
    kh_gen_row_t tmp;
    kh_gen_row_reset(&tmp);
    kh_gen_row_add_date(&tmp, days, 0);
    kh_gen_row_set(row, col, tmp.text[0], tmp.len[0]);
    row->quote_mask &= ~(1u << col);
}

const char *kh_gen_pick(kh_gen_t *g, const char *const *list, int n)
{
    return list[kh_rng_below(&g->rng, (uint32_t)n)];
}

/* f_intro rows that must carry an exit for the rule to bite (end before
 * start, empty sluttstatus) get one when the template was still ongoing. */
static void ensure_exit(kh_gen_t *g, kh_gen_row_t *row)
{
    if (row->len[KH_F_INTRO_AVGANGSDATO] == 0) {
        int64_t start = parse_date_field(row, KH_F_INTRO_STARTDATO);
        set_date(row, KH_F_INTRO_AVGANGSDATO, (start == KH_NULL ? g->end_of_r - 400 : start) + 400);
    }
    if (row->len[KH_F_INTRO_SLUTTSTATUS] == 0) {
        char code[4];
        snprintf(code, sizeof code, "%d", KH_SLUTT_JOB_SEEKER);
        set_str(row, KH_F_INTRO_SLUTTSTATUS, code);
    }
}

static void mutate_quoting(kh_gen_t *g, kh_gen_row_t *row, int col)
{
    char buf[KH_GEN_FIELD_MAX];
    size_t n = row->len[col] > KH_GEN_FIELD_MAX - 3 ? KH_GEN_FIELD_MAX - 3 : row->len[col];
    if (kh_rng_chance(&g->rng, 0.5) && n >= 2) { /* a quote inside an unquoted field */
        memcpy(buf, row->text[col], n);
        buf[n / 2] = '"';
    } else { /* text after the closing quote */
        buf[0] = '"';
        memcpy(buf + 1, row->text[col], n);
        buf[n + 1] = '"';
        buf[n + 2] = 'x';
        n += 3;
    }
    kh_gen_row_set(row, col, buf, n);
    row->quote_mask &= ~(1u << col);
}

static void mutate_encoding(kh_gen_t *g, kh_gen_row_t *row, int col)
{
    static const char *const invalid[] = {"\xff", "\xc3\x28", "\x80", "\xc0\xaf", "\xed\xa0\x80",
                                          "\xf8\x88\x80\x80\x80"};
    const char *bytes = KH_GEN_PICK(g, invalid);
    char buf[KH_GEN_FIELD_MAX];
    size_t n = row->len[col] > KH_GEN_FIELD_MAX - 6 ? KH_GEN_FIELD_MAX - 6 : row->len[col];
    size_t at = n / 2, blen = strlen(bytes);
    memcpy(buf, row->text[col], at);
    memcpy(buf + at, bytes, blen);
    memcpy(buf + at + blen, row->text[col] + at, n - at);
    kh_gen_row_set(row, col, buf, n + blen);
}

static void mutate_orgnr(kh_gen_t *g, kh_gen_row_t *row, int col)
{
    char buf[16];
    int v = kh_rng_range(&g->rng, 0, 2);
    if (v == 0) { /* wrong check digit */
        uint32_t org = kh_gen_pick_employer(g);
        uint32_t wrong = org / 10 * 10 + (org % 10 + (uint32_t)kh_rng_range(&g->rng, 1, 9)) % 10;
        kh_gen_row_set(row, col, buf, kh_gen_fmt_uint(buf, wrong, 9));
    } else if (v == 1) { /* eight digits */
        kh_gen_row_set(row, col, buf, kh_gen_fmt_uint(buf, kh_gen_pick_employer(g) / 10, 8));
    } else { /* first eight digits whose check would be 10 */
        uint32_t first8;
        do
            first8 = (uint32_t)(80000000u + kh_rng_below(&g->rng, 20000000u));
        while (kh_idnum_orgnr_check_digit(first8) >= 0);
        kh_gen_row_set(row, col, buf, kh_gen_fmt_uint(buf, first8 * 10u + 1, 9));
    }
    row->quote_mask &= ~(1u << col);
}

/* Turn `row` (a copy of a good row of table t) into a row the validator
 * rejects for m->reason. */
static void mutate(kh_gen_t *g, kh_table_t t, kh_gen_row_t *row, const recipe_t *m)
{
    static const char *const bad_dates[] = {"2021-02-30", "2019-13-01", "20180231", "2020/05/01",
                                            "21-05-01",   "2022-5-1",   "2023-00-10", "2017-06-31"};
    static const char *const bad_years[] = {"1899", "2101", "20", "2O20", "20201", "0"};
    static const char *const bad_kommnr[] = {"0000", "301", "03011", "03a1", "-301"};
    static const char *const bad_amounts[] = {"-1500", "1500.50", "12 000", "15e3", "abc", "1,5"};
    static const char *const bad_nus[] = {"41110", "4111011", "4a1110", "-41110"};
    static const char *const bad_kjonn[] = {"0", "3", "M", "K", "12"};
    static const char *const bad_land[] = {"45", "4750", "S75", "-45"};
    static const char *const bad_status[] = {"010", "12", "99", "80", "1", "A0"};
    int col = m->col;
    switch (m->reason) {
    case KH_R_FIELD_COUNT:
        if (row->nfields > 1 && kh_rng_chance(&g->rng, 0.5))
            row->nfields--;
        else
            kh_gen_row_add(row, "x", 1);
        break;
    case KH_R_BAD_QUOTING: mutate_quoting(g, row, col); break;
    case KH_R_ENCODING: mutate_encoding(g, row, col); break;
    case KH_R_MISSING:
        if (t == KH_TAB_F_INTRO && col == KH_F_INTRO_SLUTTSTATUS)
            ensure_exit(g, row);
        set_str(row, col, "");
        break;
    case KH_R_ID_FORMAT:
    case KH_R_ID_CHECK_DIGIT:
    case KH_R_ID_DATE:
    case KH_R_ID_H_NUMBER:
    case KH_R_ID_FH_NUMBER: {
        char id[12];
        kh_gen_row_set(row, col, id, kh_gen_bad_id(g, m->reason, row->text[col], id));
        row->quote_mask &= ~(1u << col);
        break;
    }
    case KH_R_BAD_DATE: set_str(row, col, KH_GEN_PICK(g, bad_dates)); break;
    case KH_R_END_BEFORE_START: {
        int start_col = t == KH_TAB_F_INTRO ? KH_F_INTRO_STARTDATO : KH_F_JOBBER_STARTDATO;
        if (t == KH_TAB_F_INTRO)
            ensure_exit(g, row);
        int64_t start = parse_date_field(row, start_col);
        if (start == KH_NULL) {
            start = g->end_of_r - 800;
            set_date(row, start_col, start);
        }
        set_date(row, col, start - kh_rng_range(&g->rng, 1, 400));
        break;
    }
    case KH_R_UNKNOWN_STATUS: set_str(row, col, KH_GEN_PICK(g, bad_status)); break;
    case KH_R_BAD_YEAR: set_str(row, col, KH_GEN_PICK(g, bad_years)); break;
    case KH_R_BAD_KOMMNR: set_str(row, col, KH_GEN_PICK(g, bad_kommnr)); break;
    case KH_R_BAD_AMOUNT: set_str(row, col, KH_GEN_PICK(g, bad_amounts)); break;
    case KH_R_BAD_NUS: set_str(row, col, KH_GEN_PICK(g, bad_nus)); break;
    case KH_R_BAD_ORGNR: mutate_orgnr(g, row, col); break;
    case KH_R_BAD_KJONN: set_str(row, col, KH_GEN_PICK(g, bad_kjonn)); break;
    case KH_R_BAD_LANDBAKGRUNN: set_str(row, col, KH_GEN_PICK(g, bad_land)); break;
    default:
        break;
    }
}

static void write_bad(kh_gen_t *g, kh_table_t t, const kh_gen_row_t *good, int which)
{
    const recipe_t *list = recipes[t].list;
    kh_gen_row_t bad = *good;
    mutate(g, t, &bad, &list[which]);
    kh_gen_out_row(g->out[t], &bad);
    g->mutation_count[t][which]++;
    g->stats->bad[t][list[which].reason]++;
}

/* Write a good row, now and then with one field quoted, and now and then
 * follow it with a broken copy. */
void kh_gen_emit(kh_gen_t *g, kh_table_t t, kh_gen_row_t *row)
{
    kh_rng_t *r = &g->rng;
    if (kh_rng_chance(r, KH_GEN_QUOTED_SHARE)) {
        int col = (int)kh_rng_below(r, (uint32_t)row->nfields);
        if (row->len[col] > 0)
            row->quote_mask |= 1u << col;
    }
    kh_gen_out_row(g->out[t], row);
    if (!g->have_template[t]) {
        g->template_row[t] = *row;
        g->have_template[t] = 1;
    }
    if (g->opt.bad_rows && kh_rng_chance(r, KH_GEN_BAD_ROW_SHARE)) {
        int count = recipes[t].count;
        if (count > 0)
            write_bad(g, t, row, (int)kh_rng_below(r, (uint32_t)count));
    }
}

/* Every recipe at least once, also in a small generation. */
void kh_gen_write_missing_kinds(kh_gen_t *g)
{
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        int count = recipes[t].count;
        for (int i = 0; i < count && g->have_template[t]; i++)
            if (g->mutation_count[t][i] == 0)
                write_bad(g, (kh_table_t)t, &g->template_row[t], i);
    }
}

void kh_gen_add_date(kh_gen_t *g, kh_gen_row_t *row, int64_t days)
{
    kh_gen_row_add_date(row, days, kh_rng_chance(&g->rng, KH_GEN_COMPACT_DATE_SHARE));
}

void kh_gen_add_id(kh_gen_row_t *row, const char *id)
{
    kh_gen_row_add(row, id, 11);
}
