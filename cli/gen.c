/* gen.c - `kohort gen`: a seeded synthetic population written as an extract
 * directory, in the `kohort` process. Persons are generated one at a time and
 * written at once to every table (memory does not grow with the population);
 * owns the output files, the PRNG and the per-birthday id counters that keep
 * synthetic ids unique. See gen.h. */
#define _GNU_SOURCE /* getopt_long */
#include "cli/gen.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/gen_muni.h"
#include "cli/gen_write.h"
#include "proto/codes.h"
#include "proto/date.h"
#include "proto/err.h"
#include "proto/util.h"
#include "transform/idnum.h"

/* ---- Shape of the synthetic population ------------------------------------ */

#define PARTICIPANT_SHARE 0.03
#define BAD_ROW_SHARE 0.009     /* bad rows injected after good rows */
#define QUOTED_SHARE 0.003      /* good rows with one field quoted */
#define COMPACT_DATE_SHARE 0.03 /* dates written YYYYMMDD */
#define EMPLOYERS 50000
#define NATIONAL_MONITOR_SHARE 0.64 /* ref_monitor's (*, *) andel */
#define MAX_PERSONS 10000000ULL     /* the id space per birthday holds this */

typedef struct {
    int code;          /* SSB 3-digit country code */
    double weight;     /* share among participants */
    double r_man;      /* attainment relative to all countries, men */
    double r_woman;
    int in_monitor;    /* 0: left out of ref_monitor, so r = 1 downstream */
} country_t;

/* Plausible SSB codes. Attainment differs by country and gender as in the
 * SSB monitor (e.g. Ethiopian women above, Iraqi women far below average). */
static const country_t refugee_countries[] = {
    {475, 30, 1.10, 0.72, 1}, /* Syria */
    {241, 16, 1.15, 0.86, 1}, /* Eritrea */
    {148, 15, 1.20, 1.08, 1}, /* Ukraine (arrivals from 2022) */
    {404, 12, 1.05, 0.78, 1}, /* Afghanistan */
    {452, 7, 1.00, 0.66, 1},  /* Iraq */
    {283, 6, 0.85, 0.55, 1},  /* Somalia */
    {246, 3, 1.08, 1.15, 1},  /* Ethiopia */
    {276, 3, 0.95, 0.70, 1},  /* Sudan */
    {456, 3, 1.10, 0.95, 1},  /* Iran */
    {420, 2, 1.02, 0.90, 1},  /* Myanmar */
    {279, 3, 0.92, 0.80, 0},  /* DR Congo: not in ref_monitor */
};
#define NREFUGEE ((int)KH_ARRAY_LEN(refugee_countries))
#define UKRAINE 2

/* Other immigrants (not participants): labour migrants and neighbours. */
static const int other_countries[] = {131, 131, 131, 136, 136, 106, 106, 101, 144, 139, 428};

/* Sluttstatus given attained / not attained, weights in per cent of all
 * exits (so the overall mix is roughly the register's), in the ascending
 * order of the codes that count as attained (10 11 20 21 30) and of the
 * others (22 40 50 60 70 90): proto/codes.h says which is which. */
static const double attained_weight[] = {25, 10, 10, 5, 5};
static const double other_weight_man[] = {5, 17, 9, 1.5, 3, 7};
static const double other_weight_woman[] = {5, 13, 7, 13, 3, 7};

/* NUS2000 codes per level (first digit); levels 3-8 count as education. */
static const char *const nus_codes[10][4] = {
    {"000000", "001199", "000000", "001199"}, {"101199", "111199", "101199", "111199"},
    {"211111", "211199", "251999", "211111"}, {"311101", "341199", "357101", "371101"},
    {"441101", "457103", "441101", "457103"}, {"551101", "551199", "551101", "551199"},
    {"641101", "654101", "671199", "662101"}, {"741101", "761101", "771105", "741101"},
    {"841199", "851101", "841199", "851101"}, {"999999", "999999", "999999", "999999"},
};

/* ---- PRNG: xoshiro256** seeded by splitmix64 (never rand()) --------------- */

typedef struct {
    uint64_t s[4];
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n < 2^32 (Lemire's multiply-shift; bias < 2^-32). */
static uint32_t rng_below(rng_t *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform integer in [lo, hi]. */
static int rng_range(rng_t *r, int lo, int hi)
{
    return lo + (int)rng_below(r, (uint32_t)(hi - lo + 1));
}

static double rng_unit(rng_t *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static int rng_chance(rng_t *r, double p)
{
    return rng_unit(r) < p;
}

static double rng_normal(rng_t *r)
{
    double u1 = 1.0 - rng_unit(r);
    double u2 = rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

static int rng_weighted(rng_t *r, const double *weights, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += weights[i];
    double target = rng_unit(r) * sum;
    for (int i = 0; i < n; i++) {
        target -= weights[i];
        if (target < 0)
            return i;
    }
    return n - 1;
}

/* ---- Generator state ------------------------------------------------------- */

/* A bad-row recipe: which rule a copy of a good row is made to break, and in
 * which column (-1: the row as a whole). */
typedef struct {
    kh_reason_t reason;
    int col;
} mutation_t;

#define MAX_MUTATIONS 24

typedef struct {
    kh_gen_opts_t opt;
    rng_t rng;
    kh_gen_out_t *out[KH_TAB_COUNT];
    kh_gen_stats_t *stats;
    int64_t id_first_day;       /* birthdays the id counters cover */
    int32_t id_ndays;
    uint16_t *id_used[2];       /* per birthday: slots tried, [0] fnr, [1] D-number */
    uint32_t orgnr[EMPLOYERS];
    int64_t end_of_r;           /* 31 December of R */
    kh_gen_row_t template_row[KH_TAB_COUNT];
    int have_template[KH_TAB_COUNT];
    uint64_t mutation_count[KH_TAB_COUNT][MAX_MUTATIONS];
    uint64_t participant_no;    /* participants generated so far */
    int history_trouble_done[3];
} gen_t;

/* A person's life as far as the registers see it. */
typedef struct {
    int64_t birth;
    int kjonn;
    int land;
    int country;                /* index in refugee_countries, or -1 */
    int place, new_place, move_year; /* new_place from 1 January move_year (0: never) */
    int first_year, last_year;  /* resident on 1 January of these years */
    int skip_year;              /* no bosatte row this year (0: none) */
    int away_year;              /* abroad on 1 January of this year only (0: never) */
    int nids;
    char ids[3][11];
    int64_t id_from[3];         /* first day each id is in use */
} person_t;

typedef struct {
    int64_t start;
    int64_t exit;               /* KH_NULL: still in the programme */
    int status;                 /* 0: empty */
} stay_t;

/* ---- Mutation recipes per table -------------------------------------------- */

#define ID_MUTATIONS(c)                                                                   \
    {KH_R_ID_FORMAT, c}, {KH_R_ID_CHECK_DIGIT, c}, {KH_R_ID_DATE, c}, {KH_R_ID_H_NUMBER, c}, \
        {KH_R_ID_FH_NUMBER, c}
#define ROW_MUTATIONS(q, e)                                                               \
    {KH_R_FIELD_COUNT, -1}, {KH_R_BAD_QUOTING, q}, {KH_R_ENCODING, e}, {KH_R_MISSING, 0}

static const mutation_t mut_f_intro[] = {
    ROW_MUTATIONS(1, 1), ID_MUTATIONS(0), {KH_R_MISSING, 1}, {KH_R_MISSING, 3},
    {KH_R_BAD_DATE, 1}, {KH_R_BAD_DATE, 2}, {KH_R_END_BEFORE_START, 2},
    {KH_R_UNKNOWN_STATUS, 3}, {KH_R_UNKNOWN_STATUS, 3}, {KH_R_BAD_QUOTING, 0}};
static const mutation_t mut_bosatte[] = {
    ROW_MUTATIONS(2, 2), ID_MUTATIONS(0), {KH_R_MISSING, 1}, {KH_R_MISSING, 2},
    {KH_R_BAD_YEAR, 1}, {KH_R_BAD_KOMMNR, 2}, {KH_R_BAD_KOMMNR, 2}};
static const mutation_t mut_shj[] = {
    ROW_MUTATIONS(1, 2), ID_MUTATIONS(0), {KH_R_MISSING, 2}, {KH_R_BAD_YEAR, 1},
    {KH_R_BAD_AMOUNT, 2}, {KH_R_BAD_AMOUNT, 2}};
static const mutation_t mut_utdanning[] = {
    ROW_MUTATIONS(2, 2), ID_MUTATIONS(0), {KH_R_MISSING, 2}, {KH_R_BAD_YEAR, 1},
    {KH_R_BAD_NUS, 2}, {KH_R_BAD_NUS, 2}};
static const mutation_t mut_f_jobber[] = {
    ROW_MUTATIONS(1, 2), ID_MUTATIONS(0), {KH_R_MISSING, 1}, {KH_R_MISSING, 2},
    {KH_R_BAD_ORGNR, 1}, {KH_R_BAD_ORGNR, 1}, {KH_R_BAD_DATE, 2}, {KH_R_BAD_DATE, 3},
    {KH_R_END_BEFORE_START, 3}};
static const mutation_t mut_befolkning[] = {
    ROW_MUTATIONS(3, 1), ID_MUTATIONS(0), {KH_R_MISSING, 1}, {KH_R_MISSING, 2},
    {KH_R_BAD_KJONN, 1}, {KH_R_BAD_DATE, 2}, {KH_R_BAD_LANDBAKGRUNN, 3},
    {KH_R_BAD_LANDBAKGRUNN, 3}};
static const mutation_t mut_id_historikk[] = {
    ROW_MUTATIONS(1, 1), ID_MUTATIONS(0), ID_MUTATIONS(1), {KH_R_MISSING, 1}};

static const mutation_t *mutations(kh_table_t t, int *count)
{
#define LIST(a) (*count = (int)KH_ARRAY_LEN(a), a)
    switch (t) {
    case KH_TAB_F_INTRO: return LIST(mut_f_intro);
    case KH_TAB_BOSATTE: return LIST(mut_bosatte);
    case KH_TAB_SHJ: return LIST(mut_shj);
    case KH_TAB_UTDANNING: return LIST(mut_utdanning);
    case KH_TAB_F_JOBBER: return LIST(mut_f_jobber);
    case KH_TAB_BEFOLKNING: return LIST(mut_befolkning);
    case KH_TAB_ID_HISTORIKK: return LIST(mut_id_historikk);
    default: *count = 0; return NULL;
    }
#undef LIST
}

/* ---- Identifiers ------------------------------------------------------------ */

static void put2(char *d, int v)
{
    d[0] = (char)('0' + v / 10 % 10);
    d[1] = (char)('0' + v % 10);
}

/* DDMMYY + 3-digit individual number + check digits; -1 when not valid. */
static int compose_id(char d[11], int dd, int mm, int yy, int individual)
{
    put2(d, dd);
    put2(d + 2, mm);
    put2(d + 4, yy);
    d[6] = (char)('0' + individual / 100);
    put2(d + 7, individual % 100);
    return kh_idnum_fnr_check_digits(d);
}

/* A new synthetic national id (month + 80) or D-number (day + 40 too) for
 * someone born on *birth, unique in this generation. Individual numbers follow
 * the century ranges (000-499 for 1900-1999, 500-999 from 2000); when a
 * birthday's numbers are used up, the next day is taken and *birth moves. */
static void alloc_id(gen_t *g, int dnumber, int64_t *birth, char out[11])
{
    for (;;) {
        int64_t idx = *birth - g->id_first_day;
        if (idx < 0 || idx >= g->id_ndays) {
            *birth = g->id_first_day + (idx < 0 ? 0 : idx % g->id_ndays);
            continue;
        }
        int y, m, d;
        kh_date_to_ymd(*birth, &y, &m, &d);
        uint16_t *used = &g->id_used[dnumber][idx];
        int base = y >= 2000 ? 500 : 0;
        while (*used < 500) {
            /* A fixed permutation of the 500 slots so numbers do not run in order. */
            int slot = (int)((*used * 173u + (uint32_t)(idx % 500)) % 500);
            (*used)++;
            if (compose_id(out, dnumber ? d + 40 : d, m + 80, y % 100, base + slot) == 0)
                return;
        }
        (*birth)++;
    }
}

/* An id that breaks exactly one identity rule, with valid check digits where
 * the rule is not the check digits. Never a real person's number: invalid
 * dates, help numbers (month + 40) or FH-numbers (first digit 8 or 9). */
static size_t bad_id(gen_t *g, kh_reason_t reason, const char *good, char *out)
{
    rng_t *r = &g->rng;
    if (reason == KH_R_ID_FORMAT) {
        int v = rng_range(r, 0, 3);
        memcpy(out, good, 11);
        if (v == 0)
            return 10;
        if (v == 1) {
            out[11] = '7';
            return 12;
        }
        out[rng_range(r, 1, 9)] = v == 2 ? 'X' : ' ';
        return 11;
    }
    if (reason == KH_R_ID_CHECK_DIGIT) {
        memcpy(out, good, 11);
        out[10] = (char)('0' + (good[10] - '0' + rng_range(r, 1, 9)) % 10);
        return 11;
    }
    static const int bad_dates[][2] = {{30, 2}, {31, 4}, {0, 5}, {12, 13}, {32, 1}, {31, 11}};
    for (;;) {
        int rc;
        if (reason == KH_R_ID_DATE) {
            int v = rng_range(r, 0, 6);
            if (v == 6) /* 29 February in a year ending 01: never a leap year */
                rc = compose_id(out, 29, 2, 1, rng_range(r, 0, 999));
            else
                rc = compose_id(out, bad_dates[v][0], bad_dates[v][1], rng_range(r, 50, 99),
                                rng_range(r, 0, 499));
        } else if (reason == KH_R_ID_H_NUMBER) {
            rc = compose_id(out, rng_range(r, 1, 28), rng_range(r, 1, 12) + 40, rng_range(r, 50, 99),
                            rng_range(r, 0, 499));
        } else { /* KH_R_ID_FH_NUMBER */
            out[0] = (char)('8' + rng_range(r, 0, 1));
            for (int i = 1; i < 9; i++)
                out[i] = (char)('0' + rng_range(r, 0, 9));
            rc = kh_idnum_fnr_check_digits(out);
        }
        if (rc == 0)
            return 11;
    }
}

/* The id `p` was known under on `day`. */
static const char *id_at(const person_t *p, int64_t day)
{
    int k = 0;
    for (int i = 1; i < p->nids; i++)
        if (p->id_from[i] <= day)
            k = i;
    return p->ids[k];
}

/* ---- Organisation numbers --------------------------------------------------- */

static void make_employers(gen_t *g)
{
    for (int i = 0; i < EMPLOYERS; i++) {
        uint32_t first8;
        int check;
        do {
            first8 = (uint32_t)(80000000u + rng_below(&g->rng, 20000000u)); /* 8xxxxxxx/9xxxxxxx */
            check = kh_idnum_orgnr_check_digit(first8);
        } while (check < 0);
        g->orgnr[i] = first8 * 10u + (uint32_t)check;
    }
}

/* Big employers get more of the jobs. */
static uint32_t pick_employer(gen_t *g)
{
    double u = rng_unit(&g->rng);
    return g->orgnr[(int)(u * u * EMPLOYERS)];
}

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

static const char *pick(gen_t *g, const char *const *list, int n)
{
    return list[rng_below(&g->rng, (uint32_t)n)];
}
#define PICK(g, list) pick(g, list, (int)KH_ARRAY_LEN(list))

/* f_intro rows that must carry an exit for the rule to bite (end before
 * start, empty sluttstatus) get one when the template was still ongoing. */
static void ensure_exit(gen_t *g, kh_gen_row_t *row)
{
    if (row->len[KH_F_INTRO_AVGANGSDATO] == 0) {
        int64_t start = parse_date_field(row, KH_F_INTRO_STARTDATO);
        set_date(row, KH_F_INTRO_AVGANGSDATO, (start == KH_NULL ? g->end_of_r - 400 : start) + 400);
    }
    if (row->len[KH_F_INTRO_SLUTTSTATUS] == 0)
        set_str(row, KH_F_INTRO_SLUTTSTATUS, "40"); /* KH_SLUTT_JOB_SEEKER */
}

static void mutate_quoting(gen_t *g, kh_gen_row_t *row, int col)
{
    char buf[KH_GEN_FIELD_MAX];
    size_t n = row->len[col] > KH_GEN_FIELD_MAX - 3 ? KH_GEN_FIELD_MAX - 3 : row->len[col];
    if (rng_chance(&g->rng, 0.5) && n >= 2) { /* a quote inside an unquoted field */
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

static void mutate_encoding(gen_t *g, kh_gen_row_t *row, int col)
{
    static const char *const invalid[] = {"\xff", "\xc3\x28", "\x80", "\xc0\xaf", "\xed\xa0\x80",
                                          "\xf8\x88\x80\x80\x80"};
    const char *bytes = PICK(g, invalid);
    char buf[KH_GEN_FIELD_MAX];
    size_t n = row->len[col] > KH_GEN_FIELD_MAX - 6 ? KH_GEN_FIELD_MAX - 6 : row->len[col];
    size_t at = n / 2, blen = strlen(bytes);
    memcpy(buf, row->text[col], at);
    memcpy(buf + at, bytes, blen);
    memcpy(buf + at + blen, row->text[col] + at, n - at);
    kh_gen_row_set(row, col, buf, n + blen);
}

static void mutate_orgnr(gen_t *g, kh_gen_row_t *row, int col)
{
    char buf[16];
    int v = rng_range(&g->rng, 0, 2);
    if (v == 0) { /* wrong check digit */
        uint32_t org = pick_employer(g);
        uint32_t wrong = org / 10 * 10 + (org % 10 + (uint32_t)rng_range(&g->rng, 1, 9)) % 10;
        kh_gen_row_set(row, col, buf, kh_gen_fmt_uint(buf, wrong, 9));
    } else if (v == 1) { /* eight digits */
        kh_gen_row_set(row, col, buf, kh_gen_fmt_uint(buf, pick_employer(g) / 10, 8));
    } else { /* first eight digits whose check would be 10 */
        uint32_t first8;
        do
            first8 = (uint32_t)(80000000u + rng_below(&g->rng, 20000000u));
        while (kh_idnum_orgnr_check_digit(first8) >= 0);
        kh_gen_row_set(row, col, buf, kh_gen_fmt_uint(buf, first8 * 10u + 1, 9));
    }
    row->quote_mask &= ~(1u << col);
}

/* Turn `row` (a copy of a good row of table t) into a row the validator
 * rejects for m->reason. */
static void mutate(gen_t *g, kh_table_t t, kh_gen_row_t *row, const mutation_t *m)
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
        if (row->nfields > 1 && rng_chance(&g->rng, 0.5))
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
        kh_gen_row_set(row, col, id, bad_id(g, m->reason, row->text[col], id));
        row->quote_mask &= ~(1u << col);
        break;
    }
    case KH_R_BAD_DATE: set_str(row, col, PICK(g, bad_dates)); break;
    case KH_R_END_BEFORE_START: {
        int start_col = t == KH_TAB_F_INTRO ? KH_F_INTRO_STARTDATO : KH_F_JOBBER_STARTDATO;
        if (t == KH_TAB_F_INTRO)
            ensure_exit(g, row);
        int64_t start = parse_date_field(row, start_col);
        if (start == KH_NULL) {
            start = g->end_of_r - 800;
            set_date(row, start_col, start);
        }
        set_date(row, col, start - rng_range(&g->rng, 1, 400));
        break;
    }
    case KH_R_UNKNOWN_STATUS: set_str(row, col, PICK(g, bad_status)); break;
    case KH_R_BAD_YEAR: set_str(row, col, PICK(g, bad_years)); break;
    case KH_R_BAD_KOMMNR: set_str(row, col, PICK(g, bad_kommnr)); break;
    case KH_R_BAD_AMOUNT: set_str(row, col, PICK(g, bad_amounts)); break;
    case KH_R_BAD_NUS: set_str(row, col, PICK(g, bad_nus)); break;
    case KH_R_BAD_ORGNR: mutate_orgnr(g, row, col); break;
    case KH_R_BAD_KJONN: set_str(row, col, PICK(g, bad_kjonn)); break;
    case KH_R_BAD_LANDBAKGRUNN: set_str(row, col, PICK(g, bad_land)); break;
    default:
        break;
    }
}

static void write_bad(gen_t *g, kh_table_t t, const kh_gen_row_t *good, int which)
{
    int count;
    const mutation_t *list = mutations(t, &count);
    kh_gen_row_t bad = *good;
    mutate(g, t, &bad, &list[which]);
    kh_gen_out_row(g->out[t], &bad);
    g->mutation_count[t][which]++;
    g->stats->bad[t][list[which].reason]++;
}

/* Write a good row, now and then with one field quoted, and now and then
 * follow it with a broken copy. */
static void emit(gen_t *g, kh_table_t t, kh_gen_row_t *row)
{
    rng_t *r = &g->rng;
    if (rng_chance(r, QUOTED_SHARE)) {
        int col = (int)rng_below(r, (uint32_t)row->nfields);
        if (row->len[col] > 0)
            row->quote_mask |= 1u << col;
    }
    kh_gen_out_row(g->out[t], row);
    if (!g->have_template[t]) {
        g->template_row[t] = *row;
        g->have_template[t] = 1;
    }
    if (g->opt.bad_rows && rng_chance(r, BAD_ROW_SHARE)) {
        int count;
        mutations(t, &count);
        if (count > 0)
            write_bad(g, t, row, (int)rng_below(r, (uint32_t)count));
    }
}

/* Every recipe at least once, also in a small generation. */
static void write_missing_kinds(gen_t *g)
{
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        int count;
        mutations((kh_table_t)t, &count);
        for (int i = 0; i < count && g->have_template[t]; i++)
            if (g->mutation_count[t][i] == 0)
                write_bad(g, (kh_table_t)t, &g->template_row[t], i);
    }
}

static void add_date(gen_t *g, kh_gen_row_t *row, int64_t days)
{
    kh_gen_row_add_date(row, days, rng_chance(&g->rng, COMPACT_DATE_SHARE));
}

static void add_id(kh_gen_row_t *row, const char *id)
{
    kh_gen_row_add(row, id, 11);
}

/* ---- Writing one person's rows ---------------------------------------------- */

static int year_of(int64_t days)
{
    int y, m, d;
    kh_date_to_ymd(days, &y, &m, &d);
    return y;
}

static int64_t jan1(int year)
{
    return kh_date_from_ymd(year, 1, 1);
}

static int place_in(const person_t *p, int year)
{
    return p->move_year && year >= p->move_year ? p->new_place : p->place;
}

static void write_befolkning(gen_t *g, const person_t *p, const char *id)
{
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    add_id(&row, id);
    kh_gen_row_add_uint(&row, (uint64_t)p->kjonn, 0);
    add_date(g, &row, p->birth);
    kh_gen_row_add_uint(&row, (uint64_t)p->land, 3);
    emit(g, KH_TAB_BEFOLKNING, &row);
}

static void bosatte_row(kh_gen_row_t *row, const char *id, int year, int kommnr)
{
    kh_gen_row_reset(row);
    add_id(row, id);
    kh_gen_row_add_uint(row, (uint64_t)year, 4);
    kh_gen_row_add_uint(row, (uint64_t)kommnr, 4);
}

/* One row per year of residence, under the id of 1 January. dup_year: a
 * second row for that year, under the newest id (a duplicate of the person
 * once identities are resolved). */
static void write_bosatte(gen_t *g, const person_t *p, int dup_year, int dup_other_place)
{
    int r = g->opt.ref_year;
    int from = p->first_year > r - 9 ? p->first_year : r - 9;
    int to = p->last_year < r ? p->last_year : r;
    kh_gen_row_t row;
    for (int y = from; y <= to; y++) {
        if (y == p->skip_year || y == p->away_year)
            continue;
        int code = kh_gen_muni_code(place_in(p, y), y);
        bosatte_row(&row, id_at(p, jan1(y)), y, code);
        emit(g, KH_TAB_BOSATTE, &row);
        if (y == dup_year) {
            if (dup_other_place)
                code = kh_gen_muni_code(kh_gen_muni_pick(rng_unit(&g->rng), 0), y);
            bosatte_row(&row, p->ids[p->nids - 1], y, code);
            kh_gen_out_row(g->out[KH_TAB_BOSATTE], &row);
            g->stats->bad[KH_TAB_BOSATTE][KH_R_DUPLICATE]++;
        }
    }
}

static void write_stay(gen_t *g, const person_t *p, const stay_t *s)
{
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    add_id(&row, id_at(p, s->start));
    add_date(g, &row, s->start);
    if (s->exit != KH_NULL)
        add_date(g, &row, s->exit);
    else
        kh_gen_row_add(&row, "", 0);
    if (s->status)
        kh_gen_row_add_uint(&row, (uint64_t)s->status, 2);
    else
        kh_gen_row_add(&row, "", 0);
    emit(g, KH_TAB_F_INTRO, &row);
}

/* A job from start to end (KH_NULL: ongoing), under the id of its start.
 * Ends after R are not known yet, so such a job is ongoing. */
static void write_job(gen_t *g, const person_t *p, int64_t start, int64_t end)
{
    if (start > g->end_of_r)
        return;
    if (end != KH_NULL && end > g->end_of_r)
        end = KH_NULL;
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    add_id(&row, id_at(p, start));
    kh_gen_row_add_uint(&row, pick_employer(g), 9);
    add_date(g, &row, start);
    if (end != KH_NULL)
        add_date(g, &row, end);
    else
        kh_gen_row_add(&row, "", 0);
    emit(g, KH_TAB_F_JOBBER, &row);
}

static void write_education(gen_t *g, const person_t *p, int year, int level)
{
    if (year < g->opt.ref_year - 9 || year > g->opt.ref_year || year > p->last_year)
        return;
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    add_id(&row, id_at(p, kh_date_from_ymd(year, 10, 1)));
    kh_gen_row_add_uint(&row, (uint64_t)year, 4);
    const char *code = nus_codes[level][rng_below(&g->rng, 4)];
    kh_gen_row_add(&row, code, 6);
    emit(g, KH_TAB_UTDANNING, &row);
}

/* The optional, ignored kommnr column of shj: mostly the paying
 * municipality, sometimes empty, a quoted name, or text with "" inside. */
static void add_shj_kommnr(gen_t *g, kh_gen_row_t *row, int code)
{
    double u = rng_unit(&g->rng);
    if (u < 0.03) {
        kh_gen_row_add(row, "", 0);
    } else if (u < 0.035) {
        const char *name = kh_gen_muni_name(kh_gen_muni_pick(rng_unit(&g->rng), 0));
        kh_gen_row_add(row, name, strlen(name));
        row->quote_mask |= 1u << 3;
    } else if (u < 0.0353) {
        static const char *const odd[] = {"NAV \"sentrum\"", "Oslo; bydel \"Grorud\"",
                                          "overf\xc3\xb8rt\nfra NAV"};
        const char *text = PICK(g, odd);
        kh_gen_row_add(row, text, strlen(text));
        row->quote_mask |= 1u << 3;
    } else {
        kh_gen_row_add_uint(row, (uint64_t)code, 4);
    }
}

/* Social assistance of one year, long-tailed (log-normal), sometimes paid in
 * two or three parts that the pipeline sums. */
static void write_shj_year(gen_t *g, const person_t *p, int year)
{
    rng_t *r = &g->rng;
    double amount = exp(10.3 + 0.95 * rng_normal(r));
    if (amount > 2.5e6)
        amount = 2.5e6;
    int parts = rng_chance(r, 0.15) ? rng_range(r, 2, 3) : 1;
    uint64_t left = rng_chance(r, 0.01) ? 0 : (uint64_t)amount;
    const char *id = id_at(p, kh_date_from_ymd(year, 7, 1));
    int code = kh_gen_muni_code(place_in(p, year), year);
    for (int i = 0; i < parts; i++) {
        uint64_t part = i == parts - 1 ? left : left / (uint64_t)rng_range(r, 2, 4);
        left -= part;
        kh_gen_row_t row;
        kh_gen_row_reset(&row);
        add_id(&row, id);
        kh_gen_row_add_uint(&row, (uint64_t)year, 4);
        kh_gen_row_add_uint(&row, part, 0);
        add_shj_kommnr(g, &row, code);
        emit(g, KH_TAB_SHJ, &row);
    }
}

static void id_history_row(gen_t *g, const char *old_id, const char *new_id, int reason)
{
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    add_id(&row, old_id);
    add_id(&row, new_id);
    if (reason == KH_R_NONE) {
        emit(g, KH_TAB_ID_HISTORIKK, &row);
    } else {
        kh_gen_out_row(g->out[KH_TAB_ID_HISTORIKK], &row);
        g->stats->bad[KH_TAB_ID_HISTORIKK][reason]++;
    }
}

static void fresh_id(gen_t *g, char out[11])
{
    int64_t birth = kh_date_from_ymd(rng_range(&g->rng, 1960, 1999), 1, 1) + rng_range(&g->rng, 0, 364);
    alloc_id(g, 0, &birth, out);
}

/* Identity-history rows the linker rejects: a second row for an old id, a
 * cycle (A -> B, B -> A) with a row leading into it (kept), a self-loop. */
static void write_history_trouble(gen_t *g, const person_t *p, int kind)
{
    char a[11], b[11], c[11];
    g->history_trouble_done[kind] = 1;
    if (kind == 0 && p) {
        fresh_id(g, a);
        id_history_row(g, p->ids[0], a, KH_R_DUPLICATE);
    } else if (kind == 0) { /* no D-number person in a tiny generation */
        fresh_id(g, a);
        fresh_id(g, b);
        fresh_id(g, c);
        id_history_row(g, a, b, KH_R_NONE);
        id_history_row(g, a, c, KH_R_DUPLICATE);
    } else if (kind == 1) {
        fresh_id(g, a);
        fresh_id(g, b);
        fresh_id(g, c);
        id_history_row(g, a, b, KH_R_ID_CYCLE);
        id_history_row(g, c, a, KH_R_NONE);
        id_history_row(g, b, a, KH_R_ID_CYCLE);
    } else {
        fresh_id(g, a);
        id_history_row(g, a, a, KH_R_ID_CYCLE);
    }
}

/* ---- Participants ------------------------------------------------------------ */

static double national_share(int year)
{
    return 0.52 + 0.01 * (double)((year * 7) % 9);
}

/* Refugee arrivals peaked in 2016-2017 and, with Ukraine, from 2022. */
static double year_factor(int year)
{
    if (year == 2016 || year == 2017)
        return 1.5;
    if (year >= 2022)
        return 1.4;
    return 1.0;
}

static int pick_status(gen_t *g, const person_t *p, int exit_year)
{
    const country_t *c = &refugee_countries[p->country];
    double r = p->kjonn == 1 ? c->r_man : c->r_woman;
    double attain = national_share(exit_year) * r;
    if (attain > 0.95)
        attain = 0.95;
    if (rng_chance(&g->rng, attain))
        return kh_slutt_nth(KH_SLUTT_ATTAINED, 0,
                            rng_weighted(&g->rng, attained_weight, (int)KH_ARRAY_LEN(attained_weight)));
    const double *w = p->kjonn == 1 ? other_weight_man : other_weight_woman;
    return kh_slutt_nth(KH_SLUTT_LISTED, KH_SLUTT_ATTAINED,
                        rng_weighted(&g->rng, w, (int)KH_ARRAY_LEN(other_weight_man)));
}

static int pick_start_year(gen_t *g, int country)
{
    int r = g->opt.ref_year;
    if (country == UKRAINE)
        return r >= 2022 ? rng_range(&g->rng, 2022, r) : r;
    double w[12];
    for (int i = 0; i < 12; i++)
        w[i] = year_factor(r - 11 + i);
    return r - 11 + rng_weighted(&g->rng, w, 12);
}

/* Mostly one to two years, a quarter extended beyond two, a few short. */
static int64_t programme_exit(gen_t *g, int64_t start)
{
    rng_t *r = &g->rng;
    double u = rng_unit(r);
    if (u < 0.01) /* exactly two calendar years: not extended */
        return kh_date_add_years(start, 2);
    if (u < 0.02) /* one day more: extended */
        return kh_date_add_years(start, 2) + 1;
    if (u < 0.07)
        return start + rng_range(r, 60, 364);
    if (u < 0.75)
        return start + rng_range(r, 365, 729);
    return start + rng_range(r, 731, 1100);
}

/* Features every generation has at least once, forced onto the first few
 * participants so that small generations still cover them. */
enum { FORCE_FEB29, FORCE_CHAIN, FORCE_DECEMBER, FORCE_AFTER_R, FORCE_ONGOING_STATUS,
       FORCE_D_DUP, FORCE_NO_HOME, FORCE_TWO_STAYS, FORCE_COUNT };

static void plan_main_stay(gen_t *g, person_t *p, stay_t *s, int force)
{
    rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int start_year = pick_start_year(g, p->country);
    s->start = jan1(start_year) + rng_range(r, 0, 364);
    int feb29 = force == FORCE_FEB29 || rng_chance(r, 0.003);
    if (feb29) {
        int leaps[4], nleaps = 0;
        for (int y = ry - 11; y <= ry - 2 && nleaps < 4; y++)
            if (kh_date_is_leap(y))
                leaps[nleaps++] = y;
        if (nleaps > 0)
            s->start = kh_date_from_ymd(leaps[rng_below(r, (uint32_t)nleaps)], 2, 29);
    }
    if (force == FORCE_ONGOING_STATUS || force == FORCE_CHAIN || force == FORCE_D_DUP)
        s->start = g->end_of_r - 1400 + rng_range(r, 0, 200);
    s->exit = programme_exit(g, s->start);
    if (force == FORCE_FEB29) /* 29 February + 2 years = 28 February: not extended */
        s->exit = kh_date_add_years(s->start, 2);
    if (force == FORCE_DECEMBER) {
        s->exit = kh_date_from_ymd(ry, 12, rng_range(r, 1, 31));
        s->start = s->exit - 600;
    }
    if (force == FORCE_AFTER_R) {
        s->exit = g->end_of_r + rng_range(r, 1, 60);
        s->start = s->exit - 500;
    }
    if (s->start > g->end_of_r - 10)
        s->start = g->end_of_r - rng_range(r, 10, 300);
    if (s->exit > g->end_of_r && force != FORCE_AFTER_R) {
        /* The register knows planned exits only shortly ahead. */
        if (rng_chance(r, 0.04))
            s->exit = g->end_of_r + rng_range(r, 1, 120);
        else
            s->exit = KH_NULL;
    }
    if (force == FORCE_ONGOING_STATUS)
        s->exit = KH_NULL;
    if (s->exit == KH_NULL)
        s->status = force == FORCE_ONGOING_STATUS || rng_chance(r, 0.05) ? KH_SLUTT_JOB_SEEKER : 0;
    else
        s->status = pick_status(g, p, year_of(s->exit));
}

/* Identity: some participants arrive with a D-number that later becomes a
 * national id (a few change twice: A -> B -> C). */
static void plan_ids(gen_t *g, person_t *p, const stay_t *main_stay, int force)
{
    rng_t *r = &g->rng;
    int dnumber = force == FORCE_CHAIN || force == FORCE_D_DUP || rng_chance(r, 0.22);
    p->nids = 1;
    p->id_from[0] = INT64_MIN;
    alloc_id(g, dnumber, &p->birth, p->ids[0]);
    if (!dnumber)
        return;
    int64_t change = main_stay->start + rng_range(r, -300, 800);
    if (force)
        change = main_stay->start + 30;
    if (change > g->end_of_r)
        return; /* still known only by the D-number */
    int64_t birth = p->birth;
    alloc_id(g, 0, &birth, p->ids[1]);
    p->id_from[1] = change;
    p->nids = 2;
    int64_t change2 = change + rng_range(r, 100, 900);
    if ((force == FORCE_CHAIN || rng_chance(r, 0.08)) && change2 <= g->end_of_r) {
        birth = p->birth;
        alloc_id(g, 0, &birth, p->ids[2]);
        p->id_from[2] = change2;
        p->nids = 3;
    }
}

static void write_id_history(gen_t *g, const person_t *p)
{
    if (p->nids == 3 && rng_chance(&g->rng, 0.5)) { /* chain rows out of order */
        id_history_row(g, p->ids[1], p->ids[2], KH_R_NONE);
        id_history_row(g, p->ids[0], p->ids[1], KH_R_NONE);
        return;
    }
    for (int i = 1; i < p->nids; i++)
        id_history_row(g, p->ids[i - 1], p->ids[i], KH_R_NONE);
}

static void write_participant_jobs(gen_t *g, const person_t *p, const stay_t *s)
{
    rng_t *r = &g->rng;
    int work = kh_slutt_work(s->status);
    if (s->exit == KH_NULL) {
        if (rng_chance(r, 0.15))
            write_job(g, p, s->start + rng_range(r, 30, 200), KH_NULL);
        return;
    }
    if (rng_chance(r, 0.3)) /* a short job during the programme */
        write_job(g, p, s->start + rng_range(r, 30, 300), s->start + rng_range(r, 330, 500));
    if (work) {
        int64_t start = s->exit - rng_range(r, 0, 90);
        write_job(g, p, start, rng_chance(r, 0.65) ? KH_NULL : start + rng_range(r, 180, 2500));
    }
    /* men find work after the programme more often than women (the
     * official followup figures show a gap of more than 15 points) */
    if (rng_chance(r, work ? 0.25 : p->kjonn == 1 ? 0.55 : 0.3)) {
        int64_t start = s->exit + rng_range(r, 30, 1500);
        write_job(g, p, start, rng_chance(r, 0.6) ? KH_NULL : start + rng_range(r, 60, 1500));
    }
    if (rng_chance(r, 0.08)) { /* a job starting or ending at the edge of November */
        int y = year_of(s->exit) + kh_followup_horizons[rng_below(r, KH_FOLLOWUP_NHORIZONS)];
        int64_t nov1 = kh_date_from_ymd(y, 11, 1);
        switch (rng_below(r, 5)) {
        case 0: write_job(g, p, nov1 - rng_range(r, 60, 400), nov1 - 1); break;  /* 31 Oct */
        case 1: write_job(g, p, nov1 - rng_range(r, 60, 400), nov1); break;      /* 1 Nov */
        case 2: write_job(g, p, nov1, KH_NULL); break;
        case 3: write_job(g, p, nov1 + 29, KH_NULL); break;                       /* 30 Nov */
        default: write_job(g, p, nov1 + 30, nov1 + rng_range(r, 60, 400)); break; /* 1 Dec */
        }
    }
}

static void write_participant_education(gen_t *g, const person_t *p, const stay_t *s)
{
    rng_t *r = &g->rng;
    if (s->exit == KH_NULL)
        return;
    int c = year_of(s->exit);
    int years = 0, level = 3;
    switch (s->status) {
    case KH_SLUTT_UPPER_SECONDARY: years = rng_range(r, 1, 3); break;
    case KH_SLUTT_HIGHER_EDUCATION: years = rng_range(r, 1, 4), level = rng_chance(r, 0.7) ? 6 : 7; break;
    case KH_SLUTT_WORK_AND_EDUCATION: years = rng_range(r, 1, 2); break;
    case KH_SLUTT_LOWER_SECONDARY: years = rng_range(r, 1, 2), level = 2; break;
    default:
        if (rng_chance(r, 0.12))
            years = 2, c += rng_range(r, 1, 3);
        break;
    }
    for (int y = c; y < c + years; y++)
        write_education(g, p, y, level);
    if (rng_chance(r, 0.03))
        write_education(g, p, c + rng_range(r, 0, 3), 9);
    if (rng_chance(r, 0.05)) /* back to school years later (followup's horizon 5) */
        write_education(g, p, year_of(s->exit) + rng_range(r, 4, 6), rng_range(r, 3, 7));
}

static void write_participant_shj(gen_t *g, const person_t *p, const stay_t *s)
{
    rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int from = year_of(s->start);
    int c = s->exit == KH_NULL ? ry + 1 : year_of(s->exit);
    int attained = kh_slutt_attained(s->status);
    for (int y = from > ry - 9 ? from : ry - 9; y <= ry && y <= p->last_year; y++) {
        double prob = y < c ? 0.12 : s->status == KH_SLUTT_SOCIAL_ASSISTANCE ? 0.6 : attained ? 0.07 : 0.25;
        if (rng_chance(r, prob))
            write_shj_year(g, p, y);
    }
}

static void gen_participant(gen_t *g)
{
    rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int force = g->participant_no < FORCE_COUNT ? (int)g->participant_no : -1;
    g->participant_no++;
    person_t p;
    memset(&p, 0, sizeof p);
    double w[NREFUGEE];
    for (int i = 0; i < NREFUGEE; i++)
        w[i] = refugee_countries[i].weight;
    p.country = rng_weighted(r, w, NREFUGEE);
    if (p.country == UKRAINE && ry < 2022)
        p.country = 0;
    p.land = refugee_countries[p.country].code;
    p.kjonn = rng_chance(r, 0.58) ? 1 : 2;

    stay_t stays[2];
    int nstays = 1;
    plan_main_stay(g, &p, &stays[0], force);
    int64_t first_start = stays[0].start;
    if (force == FORCE_TWO_STAYS || rng_chance(r, 0.08)) {
        stay_t *s = &stays[1];
        if (rng_chance(r, 0.6)) { /* an earlier, broken-off participation */
            s->exit = stays[0].start - rng_range(r, 30, 300);
            s->start = s->exit - rng_range(r, 90, 400);
            static const int early[] = {KH_SLUTT_MOVED, KH_SLUTT_OTHER, KH_SLUTT_JOB_SEEKER,
                                       KH_SLUTT_SOCIAL_ASSISTANCE};
            s->status = early[rng_below(r, 4)];
            first_start = s->start;
        } else { /* a new participation after the exit */
            s->start = (stays[0].exit == KH_NULL ? stays[0].start + 900 : stays[0].exit) +
                       rng_range(r, 60, 500);
            s->exit = s->start + rng_range(r, 100, 500);
            if (s->exit > g->end_of_r)
                s->exit = KH_NULL;
            s->status = s->exit == KH_NULL ? 0 : pick_status(g, &p, year_of(s->exit));
        }
        if (s->start <= g->end_of_r)
            nstays = 2;
    }
    p.birth = first_start - 365 * rng_range(r, 18, 55) - rng_range(r, 0, 364);
    p.first_year = year_of(first_start) - (int)rng_weighted(r, (const double[]){40, 45, 15}, 3);
    p.last_year = ry;
    p.place = kh_gen_muni_pick(rng_unit(r), 1);

    const stay_t *last = &stays[0];
    if (nstays == 2 && stays[1].start > stays[0].start)
        last = &stays[1];
    int exit_year = last->exit == KH_NULL ? 0 : year_of(last->exit);
    if (last->status == KH_SLUTT_MOVED && exit_year && rng_chance(r, 0.6))
        p.last_year = exit_year; /* moved abroad during the exit year */
    else if (rng_chance(r, 0.02))
        p.last_year = rng_range(r, p.first_year, ry);
    else if (exit_year && rng_chance(r, 0.05)) /* emigrated some years after the exit */
        p.last_year = exit_year + rng_range(r, 0, 4);
    if (p.last_year > ry)
        p.last_year = ry;
    if (exit_year && rng_chance(r, 0.01)) /* abroad for a year after the exit */
        p.away_year = exit_year + rng_range(r, 1, 2);
    if (rng_chance(r, 0.07)) {
        p.move_year = rng_range(r, p.first_year + 1, ry + 1);
        p.new_place = kh_gen_muni_pick(rng_unit(r), 1);
    } else if (exit_year && rng_chance(r, 0.1)) { /* moves on in the years after the exit */
        p.move_year = exit_year + rng_range(r, 1, 5);
        p.new_place = kh_gen_muni_pick(rng_unit(r), 1);
    }
    if (exit_year && (force == FORCE_NO_HOME || rng_chance(r, 0.02)))
        p.skip_year = exit_year;

    plan_ids(g, &p, &stays[0], force);
    int dup_year = 0, dup_other = 0;
    if (!g->opt.bad_rows)
        ;
    else if (p.nids > 1 && (force == FORCE_D_DUP || rng_chance(r, 0.1)))
        dup_year = year_of(p.id_from[1]) - (jan1(year_of(p.id_from[1])) < p.id_from[1] ? 0 : 1);
    else if (rng_chance(r, 0.02))
        dup_year = rng_range(r, p.first_year, ry), dup_other = 1;

    /* a few participants have no befolkning row (kjonn 9 in followup) */
    int no_befolkning = rng_chance(r, 0.015);
    if (!no_befolkning)
        write_befolkning(g, &p, rng_chance(r, 0.9) ? p.ids[p.nids - 1] : p.ids[0]);
    if (!no_befolkning && g->opt.bad_rows && rng_chance(r, 0.01)) { /* a duplicate */
        person_t copy = p;
        copy.kjonn = 3 - p.kjonn;
        kh_gen_row_t row;
        kh_gen_row_reset(&row);
        add_id(&row, p.ids[p.nids - 1]);
        kh_gen_row_add_uint(&row, (uint64_t)copy.kjonn, 0);
        add_date(g, &row, copy.birth);
        kh_gen_row_add_uint(&row, (uint64_t)copy.land, 3);
        kh_gen_out_row(g->out[KH_TAB_BEFOLKNING], &row);
        g->stats->bad[KH_TAB_BEFOLKNING][KH_R_DUPLICATE]++;
    }
    write_id_history(g, &p);
    if (g->opt.bad_rows && p.nids > 1 && rng_chance(r, 0.004))
        write_history_trouble(g, &p, rng_range(r, 0, 2));
    for (int k = 0; k < 3 && p.nids > 1 && g->opt.bad_rows; k++)
        if (!g->history_trouble_done[k])
            write_history_trouble(g, &p, k);
    int earlier_first = nstays == 2 && stays[1].start < stays[0].start;
    for (int i = 0; i < nstays; i++)
        write_stay(g, &p, &stays[earlier_first ? nstays - 1 - i : i]);
    write_bosatte(g, &p, dup_year, dup_other);
    for (int i = 0; i < nstays; i++)
        write_participant_jobs(g, &p, &stays[i]);
    write_participant_education(g, &p, last);
    write_participant_shj(g, &p, last);
}

/* ---- The rest of the population ------------------------------------------- */

static int64_t random_birth(gen_t *g)
{
    static const double age_weight[] = {22, 27, 26, 20, 5}; /* per 20 years of age */
    int band = rng_weighted(&g->rng, age_weight, 5);
    int age = band * 20 + rng_range(&g->rng, 0, 19);
    return jan1(g->opt.ref_year - age) + rng_range(&g->rng, 0, 364);
}

static void write_resident_jobs(gen_t *g, const person_t *p)
{
    rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int age = ry - year_of(p->birth);
    if (age < 18 || age > 70 || !rng_chance(r, 0.78))
        return;
    int njobs = rng_weighted(r, (const double[]){55, 30, 15}, 3) + 1;
    int64_t earliest = kh_date_add_years(p->birth, 18);
    if (earliest < jan1(ry - 14))
        earliest = jan1(ry - 14);
    for (int i = 0; i < njobs; i++) {
        int64_t start = earliest + (int64_t)(rng_unit(r) * (double)(g->end_of_r - earliest));
        int ongoing = i == njobs - 1 && rng_chance(r, 0.55);
        write_job(g, p, start, ongoing ? KH_NULL : start + rng_range(r, 30, 3000));
    }
}

static void write_resident_education(gen_t *g, const person_t *p)
{
    rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int born = year_of(p->birth);
    if (ry - born < 16 || ry - 9 - born > 55)
        return;
    for (int y = ry - 9; y <= ry; y++) {
        int age = y - born;
        if (y < p->first_year || y > p->last_year || age < 16 || age > 55)
            continue;
        if (age <= 18) {
            if (rng_chance(r, 0.9))
                write_education(g, p, y, 3);
        } else if (age <= 24) {
            if (rng_chance(r, 0.45))
                write_education(g, p, y, rng_chance(r, 0.3) ? 3 : rng_range(r, 6, 7));
        } else if (age <= 29) {
            if (rng_chance(r, 0.15))
                write_education(g, p, y, rng_range(r, 7, 8));
        } else if (rng_chance(r, 0.02)) {
            static const int late[] = {4, 5, 9};
            write_education(g, p, y, late[rng_below(r, 3)]);
        }
    }
}

static void gen_resident(gen_t *g)
{
    rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    person_t p;
    memset(&p, 0, sizeof p);
    p.country = -1;
    p.birth = random_birth(g);
    p.kjonn = rng_chance(r, 0.505) ? 1 : 2;
    p.place = kh_gen_muni_pick(rng_unit(r), 0);
    p.first_year = year_of(p.birth) + 1;
    p.last_year = ry;
    double u = rng_unit(r);
    int worker_abroad = 0; /* a D-number worker who never lives here */
    if (u < 0.85) {
        p.land = 0;
    } else if (u < 0.87) { /* refugee family, never in the programme */
        p.land = refugee_countries[rng_below(r, NREFUGEE)].code;
    } else {
        p.land = other_countries[rng_below(r, (uint32_t)KH_ARRAY_LEN(other_countries))];
        worker_abroad = rng_chance(r, 0.03) && ry - year_of(p.birth) >= 20;
    }
    if (p.land != 0) {
        int arrival = ry - (int)rng_below(r, 30);
        if (arrival > p.first_year)
            p.first_year = arrival;
    }
    if (rng_chance(r, 0.02)) /* emigrated or died */
        p.last_year = rng_range(r, ry - 9, ry - 1);
    if (rng_chance(r, 0.02)) {
        p.move_year = rng_range(r, ry - 8, ry);
        p.new_place = kh_gen_muni_pick(rng_unit(r), 0);
    }
    p.nids = 1;
    p.id_from[0] = INT64_MIN;
    alloc_id(g, worker_abroad, &p.birth, p.ids[0]);
    write_befolkning(g, &p, p.ids[0]);
    if (worker_abroad) {
        p.first_year = ry + 1; /* no residence */
        write_resident_jobs(g, &p);
        return;
    }
    write_bosatte(g, &p, 0, 0);
    write_resident_jobs(g, &p);
    write_resident_education(g, &p);
    int age = ry - year_of(p.birth);
    if (age >= 18 && age <= 70) {
        double prob = p.land == 0 ? 0.025 : 0.07;
        for (int y = ry - 9; y <= ry; y++)
            if (y >= p.first_year && y <= p.last_year && rng_chance(r, prob))
                write_shj_year(g, &p, y);
    }
}

/* ---- Reference tables -------------------------------------------------------- */

static void raw_line(gen_t *g, kh_table_t t, const char *line, kh_reason_t reason)
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

static void write_ref_kommuneendringer(gen_t *g)
{
    const kh_gen_muni_change_t *changes;
    int n = kh_gen_muni_changes(&changes);
    kh_gen_row_t row;
    for (int i = 0; i < n; i++) {
        kh_gen_row_reset(&row);
        kh_gen_row_add_uint(&row, (uint64_t)changes[i].old_code, 4);
        kh_gen_row_add_uint(&row, (uint64_t)changes[i].new_code, 4);
        kh_gen_row_add_date(&row, jan1(changes[i].year), i == 3);
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

static void write_ref_monitor(gen_t *g)
{
    kh_table_t t = KH_TAB_REF_MONITOR;
    char line[64];
    int k = 0;
    for (int i = 0; i < NREFUGEE; i++) {
        const country_t *c = &refugee_countries[i];
        for (int kjonn = 1; kjonn <= 2 && c->in_monitor; kjonn++, k++) {
            double share = NATIONAL_MONITOR_SHARE * (kjonn == 1 ? c->r_man : c->r_woman);
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

static void write_ref_nasjonal(gen_t *g)
{
    kh_table_t t = KH_TAB_REF_NASJONAL;
    int ry = g->opt.ref_year;
    char line[64];
    for (int y = ry - 12; y <= ry; y++) {
        size_t n = kh_gen_fmt_uint(line, (uint64_t)y, 4);
        line[n++] = ';';
        n += fmt_decimal(line + n, (uint64_t)llround(national_share(y) * 10000), 4,
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
static void write_ref_kostnader(gen_t *g)
{
    kh_table_t t = KH_TAB_REF_KOSTNADER;
    int ry = g->opt.ref_year;
    int nplaces = kh_gen_muni_count();
    double participants = (double)g->opt.persons * PARTICIPANT_SHARE;
    char line[128];
    for (int y = ry - 12; y <= ry; y++) {
        for (int i = 0; i < nplaces; i++) {
            int code = kh_gen_muni_code(i, y);
            int seen = 0;
            for (int j = 0; j < i; j++)
                seen |= kh_gen_muni_code(j, y) == code;
            if (seen)
                continue;
            double persons = 0, total = 0, admin = 0;
            for (int j = i; j < nplaces; j++) {
                if (kh_gen_muni_code(j, y) != code)
                    continue;
                double pj = participants * kh_gen_muni_participant_share(j) * 0.35 * year_factor(y) *
                            (0.9 + 0.2 * rng_unit(&g->rng));
                double tj = pj * kh_gen_muni_cost_per_person(j) * (0.9 + 0.2 * rng_unit(&g->rng));
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

/* ---- Running a generation ------------------------------------------------------ */

static void write_header(gen_t *g, kh_table_t t)
{
    const kh_tabledef_t *def = kh_schema_table(t);
    char line[256];
    size_t n = 0;
    for (int c = 0; c < def->ncols; c++) {
        size_t len = strlen(def->cols[c].name);
        if (c > 0)
            line[n++] = ';';
        memcpy(line + n, def->cols[c].name, len);
        n += len;
    }
    if (t == KH_TAB_SHJ) { /* the optional column the pipeline ignores */
        memcpy(line + n, ";kommnr", 7);
        n += 7;
    }
    line[n++] = '\n';
    kh_gen_out_bytes(g->out[t], line, n);
}

static int open_outputs(gen_t *g)
{
    if (mkdir(g->opt.out_dir, 0755) != 0 && errno != EEXIST)
        return -errno;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        int rc = kh_gen_out_open(g->opt.out_dir, kh_schema_table((kh_table_t)t)->name, g->opt.gzip,
                                 g->opt.gzip_level, &g->out[t]);
        if (rc)
            return rc;
        write_header(g, (kh_table_t)t);
    }
    return 0;
}

static int first_error(const gen_t *g)
{
    for (int t = 0; t < KH_TAB_COUNT; t++)
        if (g->out[t] && kh_gen_out_error(g->out[t]))
            return kh_gen_out_error(g->out[t]);
    return 0;
}

static void free_gen(gen_t *g)
{
    for (int t = 0; t < KH_TAB_COUNT; t++)
        kh_gen_out_destroy(&g->out[t]);
    free(g->id_used[0]);
    free(g->id_used[1]);
    free(g);
}

static int check_opts(const kh_gen_opts_t *o)
{
    if (!o->out_dir || !*o->out_dir || o->persons < 1 || o->persons > MAX_PERSONS ||
        o->ref_year < 2000 || o->ref_year > 2039 || o->gzip_level < 1 || o->gzip_level > 9)
        return KH_E_USAGE;
    return 0;
}

void kh_gen_opts_default(kh_gen_opts_t *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->persons = 100000;
    opts->seed = 1;
    opts->ref_year = 2024;
    opts->gzip_level = 1;
    opts->bad_rows = 1;
}

int kh_gen_run(const kh_gen_opts_t *opts, kh_gen_stats_t *stats)
{
    int rc = check_opts(opts);
    if (rc)
        return rc;
    kh_gen_stats_t local;
    memset(&local, 0, sizeof local);
    gen_t *g = kh_xcalloc(1, sizeof *g);
    g->opt = *opts;
    g->stats = stats ? stats : &local;
    memset(g->stats, 0, sizeof *g->stats);
    rng_seed(&g->rng, opts->seed);
    g->end_of_r = kh_date_from_ymd(opts->ref_year, 12, 31);
    int first_year = opts->ref_year - 100 < 1900 ? 1900 : opts->ref_year - 100;
    g->id_first_day = jan1(first_year);
    g->id_ndays = (int32_t)(jan1(opts->ref_year + 2) - g->id_first_day);
    g->id_used[0] = kh_xcalloc((size_t)g->id_ndays, sizeof(uint16_t));
    g->id_used[1] = kh_xcalloc((size_t)g->id_ndays, sizeof(uint16_t));
    make_employers(g);

    rc = open_outputs(g);
    if (rc == 0) {
        write_ref_kommuneendringer(g);
        write_ref_monitor(g);
        write_ref_nasjonal(g);
        write_ref_kostnader(g);
        for (uint64_t i = 0; i < opts->persons; i++) {
            if (rng_chance(&g->rng, PARTICIPANT_SHARE))
                gen_participant(g);
            else
                gen_resident(g);
            if ((i & 0xffff) == 0 && (rc = first_error(g)) != 0)
                break;
        }
    }
    if (rc == 0 && opts->bad_rows) {
        write_missing_kinds(g);
        for (int k = 0; k < 3; k++)
            if (!g->history_trouble_done[k])
                write_history_trouble(g, NULL, k);
    }
    for (int t = 0; t < KH_TAB_COUNT && rc == 0; t++) {
        g->stats->rows[t] = kh_gen_out_rows(g->out[t]);
        g->stats->bytes[t] = kh_gen_out_size(g->out[t]);
        rc = kh_gen_out_close(&g->out[t]);
    }
    g->stats->participants = g->participant_no;
    free_gen(g);
    return rc;
}

/* ---- The command ------------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs("usage: kohort gen --out DIR [--persons N] [--seed S] [--ref-year R] [--gzip]\n"
          "\n"
          "Writes a synthetic extract directory (spec/extracts.md) to DIR: a population\n"
          "of N persons (default 100000), about 3 % of them programme participants,\n"
          "the reference tables, and a small share of bad rows of every kind.\n"
          "Every national id is a synthetic number (month + 80): run kohort with\n"
          "--allow-synthetic-ids. The same options give the same bytes.\n"
          "\n"
          "  --out DIR         directory to write (created if missing)\n"
          "  --persons N       people in the population tables (1..10000000)\n"
          "  --seed S          seed of the generator (default 1)\n"
          "  --ref-year R      last year the extracts describe (2000..2039, default 2024)\n"
          "  --gzip            write NAME.csv.gz instead of NAME.csv\n"
          "  --gzip-level L    zlib level 1..9 (default 1)\n"
          "  --no-bad-rows     write only good rows\n"
          "  --help            show this help\n",
          f);
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "kohort gen: %s%s%s.\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

static void print_summary(const kh_gen_opts_t *o, const kh_gen_stats_t *s, double seconds)
{
    uint64_t rows = 0, bytes = 0, bad = 0;
    printf("%-22s %12s %12s %14s\n", "file", "rows", "bad rows", "bytes");
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        uint64_t tb = 0;
        for (int r = 0; r < KH_R_COUNT; r++)
            tb += s->bad[t][r];
        printf("%-22s %12llu %12llu %14llu\n", kh_schema_table((kh_table_t)t)->name,
               (unsigned long long)s->rows[t], (unsigned long long)tb,
               (unsigned long long)s->bytes[t]);
        rows += s->rows[t];
        bytes += s->bytes[t];
        bad += tb;
    }
    printf("bad rows by reason:");
    for (int r = 1; r < KH_R_COUNT; r++) {
        uint64_t n = 0;
        for (int t = 0; t < KH_TAB_COUNT; t++)
            n += s->bad[t][r];
        if (n)
            printf(" %s %llu", kh_reason_name(r), (unsigned long long)n);
    }
    printf("\n");
    printf("kohort gen: wrote %llu rows (%llu bad, %.2f %%), %llu bytes%s, %llu participants, "
           "to %s in %.1f s\n",
           (unsigned long long)rows, (unsigned long long)bad, rows ? 100.0 * (double)bad / (double)rows : 0.0,
           (unsigned long long)bytes, o->gzip ? " before compression" : "",
           (unsigned long long)s->participants, o->out_dir, seconds);
}

int kh_gen_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},      {"persons", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},     {"ref-year", required_argument, NULL, 'r'},
        {"gzip", no_argument, NULL, 'z'},           {"gzip-level", required_argument, NULL, 'l'},
        {"no-bad-rows", no_argument, NULL, 'b'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    kh_gen_opts_t opts;
    kh_gen_opts_default(&opts);
    uint64_t v;
    int c;
    optind = 0; /* glibc: rescan from argv[1], also when called again */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': opts.out_dir = optarg; break;
        case 'n':
            if (parse_u64(optarg, &v) || v < 1 || v > MAX_PERSONS)
                return usage_error("--persons must be a whole number from 1 to 10000000", optarg);
            opts.persons = v;
            break;
        case 's':
            if (parse_u64(optarg, &v))
                return usage_error("--seed must be a non-negative whole number", optarg);
            opts.seed = v;
            break;
        case 'r':
            if (parse_u64(optarg, &v) || v < 2000 || v > 2039)
                return usage_error("--ref-year must be a year from 2000 to 2039", optarg);
            opts.ref_year = (int)v;
            break;
        case 'z': opts.gzip = 1; break;
        case 'l':
            if (parse_u64(optarg, &v) || v < 1 || v > 9)
                return usage_error("--gzip-level must be from 1 to 9", optarg);
            opts.gzip_level = (int)v;
            break;
        case 'b': opts.bad_rows = 0; break;
        case 'h': usage(stdout); return 0;
        case ':': return usage_error("option needs a value", argv[optind - 1]);
        default: return usage_error("unknown option (see kohort gen --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind]);
    if (!opts.out_dir || !*opts.out_dir)
        return usage_error("--out DIR is required", NULL);
    kh_gen_stats_t stats;
    uint64_t t0 = kh_now_ns();
    int rc = kh_gen_run(&opts, &stats);
    if (rc) {
        fprintf(stderr, "kohort gen: cannot write the extract to %s: %s.\n", opts.out_dir,
                kh_strerror(rc));
        return 1;
    }
    print_summary(&opts, &stats, (double)(kh_now_ns() - t0) / 1e9);
    return 0;
}
