/* population.c - the population model of `kohort gen`: who the people are
 * (country, sex, birth), where they live and when they move, and for the
 * participants their stays in the programme, exits, jobs, education and
 * social assistance, written as rows of every table. See population.h. */
#include "gen/population.h"

#include <math.h>
#include <string.h>

#include "gen/badrows.h"
#include "gen/ids.h"
#include "gen/muni.h"
#include "gen/rng.h"
#include "proto/codes.h"
#include "proto/date.h"
#include "proto/util.h"

/* Plausible SSB codes. Attainment differs by country and gender as in the
 * SSB monitor (e.g. Ethiopian women above, Iraqi women far below average). */
const kh_gen_country_t kh_gen_refugee_countries[] = {
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
#define UKRAINE 2

/* Other immigrants (not participants): labour migrants and neighbours. */
static const int other_countries[] = {131, 131, 131, 136, 136, 106, 106, 101, 144, 139, 428};

/* Sluttstatus given attained / not attained, weights in per cent of all
 * exits (so the overall mix is roughly the register's), in the ascending
 * order of the codes proto/codes.h counts as attained, and of the others. */
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


/* ---- Writing one person's rows ---------------------------------------------- */

int kh_gen_year_of(int64_t days)
{
    int y, m, d;
    kh_date_to_ymd(days, &y, &m, &d);
    return y;
}

int64_t kh_gen_jan1(int year)
{
    return kh_date_from_ymd(year, 1, 1);
}

static int place_in(const kh_gen_person_t *p, int year)
{
    return p->move_year && year >= p->move_year ? p->new_place : p->place;
}

static void write_befolkning(kh_gen_t *g, const kh_gen_person_t *p, const char *id)
{
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    kh_gen_add_id(&row, id);
    kh_gen_row_add_uint(&row, (uint64_t)p->kjonn, 0);
    kh_gen_add_date(g, &row, p->birth);
    kh_gen_row_add_uint(&row, (uint64_t)p->land, 3);
    kh_gen_emit(g, KH_TAB_BEFOLKNING, &row);
}

static void bosatte_row(kh_gen_row_t *row, const char *id, int year, int kommnr)
{
    kh_gen_row_reset(row);
    kh_gen_add_id(row, id);
    kh_gen_row_add_uint(row, (uint64_t)year, 4);
    kh_gen_row_add_uint(row, (uint64_t)kommnr, 4);
}

/* One row per year of residence, under the id of 1 January. dup_year: a
 * second row for that year, under the newest id (a duplicate of the person
 * once identities are resolved). */
static void write_bosatte(kh_gen_t *g, const kh_gen_person_t *p, int dup_year, int dup_other_place)
{
    int r = g->opt.ref_year;
    int from = p->first_year > r - 9 ? p->first_year : r - 9;
    int to = p->last_year < r ? p->last_year : r;
    kh_gen_row_t row;
    for (int y = from; y <= to; y++) {
        if (y == p->skip_year || y == p->away_year)
            continue;
        int code = kh_gen_muni_code(place_in(p, y), y);
        bosatte_row(&row, kh_gen_id_at(p, kh_gen_jan1(y)), y, code);
        kh_gen_emit(g, KH_TAB_BOSATTE, &row);
        if (y == dup_year) {
            if (dup_other_place)
                code = kh_gen_muni_code(kh_gen_muni_pick(kh_rng_unit(&g->rng), 0), y);
            bosatte_row(&row, p->ids[p->nids - 1], y, code);
            kh_gen_out_row(g->out[KH_TAB_BOSATTE], &row);
            g->stats->bad[KH_TAB_BOSATTE][KH_R_DUPLICATE]++;
        }
    }
}

static void write_stay(kh_gen_t *g, const kh_gen_person_t *p, const kh_gen_stay_t *s)
{
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    kh_gen_add_id(&row, kh_gen_id_at(p, s->start));
    kh_gen_add_date(g, &row, s->start);
    if (s->exit != KH_NULL)
        kh_gen_add_date(g, &row, s->exit);
    else
        kh_gen_row_add(&row, "", 0);
    if (s->status)
        kh_gen_row_add_uint(&row, (uint64_t)s->status, 2);
    else
        kh_gen_row_add(&row, "", 0);
    kh_gen_emit(g, KH_TAB_F_INTRO, &row);
}

/* A job from start to end (KH_NULL: ongoing), under the id of its start.
 * Ends after R are not known yet, so such a job is ongoing. */
static void write_job(kh_gen_t *g, const kh_gen_person_t *p, int64_t start, int64_t end)
{
    if (start > g->end_of_r)
        return;
    if (end != KH_NULL && end > g->end_of_r)
        end = KH_NULL;
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    kh_gen_add_id(&row, kh_gen_id_at(p, start));
    kh_gen_row_add_uint(&row, kh_gen_pick_employer(g), 9);
    kh_gen_add_date(g, &row, start);
    if (end != KH_NULL)
        kh_gen_add_date(g, &row, end);
    else
        kh_gen_row_add(&row, "", 0);
    kh_gen_emit(g, KH_TAB_F_JOBBER, &row);
}

static void write_education(kh_gen_t *g, const kh_gen_person_t *p, int year, int level)
{
    if (year < g->opt.ref_year - 9 || year > g->opt.ref_year || year > p->last_year)
        return;
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    kh_gen_add_id(&row, kh_gen_id_at(p, kh_date_from_ymd(year, 10, 1)));
    kh_gen_row_add_uint(&row, (uint64_t)year, 4);
    const char *code = nus_codes[level][kh_rng_below(&g->rng, 4)];
    kh_gen_row_add(&row, code, 6);
    kh_gen_emit(g, KH_TAB_UTDANNING, &row);
}

/* The optional, ignored kommnr column of shj: mostly the paying
 * municipality, sometimes empty, a quoted name, or text with "" inside. */
static void add_shj_kommnr(kh_gen_t *g, kh_gen_row_t *row, int code)
{
    double u = kh_rng_unit(&g->rng);
    if (u < 0.03) {
        kh_gen_row_add(row, "", 0);
    } else if (u < 0.035) {
        const char *name = kh_gen_muni_name(kh_gen_muni_pick(kh_rng_unit(&g->rng), 0));
        kh_gen_row_add(row, name, strlen(name));
        row->quote_mask |= 1u << 3;
    } else if (u < 0.0353) {
        static const char *const odd[] = {"NAV \"sentrum\"", "Oslo; bydel \"Grorud\"",
                                          "overf\xc3\xb8rt\nfra NAV"};
        const char *text = KH_GEN_PICK(g, odd);
        kh_gen_row_add(row, text, strlen(text));
        row->quote_mask |= 1u << 3;
    } else {
        kh_gen_row_add_uint(row, (uint64_t)code, 4);
    }
}

/* Social assistance of one year, long-tailed (log-normal), sometimes paid in
 * two or three parts that the pipeline sums. */
static void write_shj_year(kh_gen_t *g, const kh_gen_person_t *p, int year)
{
    kh_rng_t *r = &g->rng;
    double amount = exp(10.3 + 0.95 * kh_rng_normal(r));
    if (amount > 2.5e6)
        amount = 2.5e6;
    int parts = kh_rng_chance(r, 0.15) ? kh_rng_range(r, 2, 3) : 1;
    uint64_t left = kh_rng_chance(r, 0.01) ? 0 : (uint64_t)amount;
    const char *id = kh_gen_id_at(p, kh_date_from_ymd(year, 7, 1));
    int code = kh_gen_muni_code(place_in(p, year), year);
    for (int i = 0; i < parts; i++) {
        uint64_t part = i == parts - 1 ? left : left / (uint64_t)kh_rng_range(r, 2, 4);
        left -= part;
        kh_gen_row_t row;
        kh_gen_row_reset(&row);
        kh_gen_add_id(&row, id);
        kh_gen_row_add_uint(&row, (uint64_t)year, 4);
        kh_gen_row_add_uint(&row, part, 0);
        add_shj_kommnr(g, &row, code);
        kh_gen_emit(g, KH_TAB_SHJ, &row);
    }
}

static void id_history_row(kh_gen_t *g, const char *old_id, const char *new_id, int reason)
{
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    kh_gen_add_id(&row, old_id);
    kh_gen_add_id(&row, new_id);
    if (reason == KH_R_NONE) {
        kh_gen_emit(g, KH_TAB_ID_HISTORIKK, &row);
    } else {
        kh_gen_out_row(g->out[KH_TAB_ID_HISTORIKK], &row);
        g->stats->bad[KH_TAB_ID_HISTORIKK][reason]++;
    }
}

static void fresh_id(kh_gen_t *g, char out[11])
{
    int64_t birth = kh_date_from_ymd(kh_rng_range(&g->rng, 1960, 1999), 1, 1) + kh_rng_range(&g->rng, 0, 364);
    kh_gen_alloc_id(g, 0, &birth, out);
}

/* Identity-history rows the linker rejects: a second row for an old id, a
 * cycle (A -> B, B -> A) with a row leading into it (kept), a self-loop. */
void kh_gen_history_trouble(kh_gen_t *g, const kh_gen_person_t *p, int kind)
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

double kh_gen_national_share(int year)
{
    return 0.52 + 0.01 * (double)((year * 7) % 9);
}

/* Refugee arrivals peaked in 2016-2017 and, with Ukraine, from 2022. */
double kh_gen_year_factor(int year)
{
    if (year == 2016 || year == 2017)
        return 1.5;
    if (year >= 2022)
        return 1.4;
    return 1.0;
}

static int pick_status(kh_gen_t *g, const kh_gen_person_t *p, int exit_year)
{
    const kh_gen_country_t *c = &kh_gen_refugee_countries[p->country];
    double r = p->kjonn == 1 ? c->r_man : c->r_woman;
    double attain = kh_gen_national_share(exit_year) * r;
    if (attain > 0.95)
        attain = 0.95;
    if (kh_rng_chance(&g->rng, attain))
        return kh_slutt_nth(KH_SLUTT_ATTAINED, 0,
                            kh_rng_weighted(&g->rng, attained_weight, (int)KH_ARRAY_LEN(attained_weight)));
    const double *w = p->kjonn == 1 ? other_weight_man : other_weight_woman;
    return kh_slutt_nth(KH_SLUTT_LISTED, KH_SLUTT_ATTAINED,
                        kh_rng_weighted(&g->rng, w, (int)KH_ARRAY_LEN(other_weight_man)));
}

static int pick_start_year(kh_gen_t *g, int country)
{
    int r = g->opt.ref_year;
    if (country == UKRAINE)
        return r >= 2022 ? kh_rng_range(&g->rng, 2022, r) : r;
    double w[12];
    for (int i = 0; i < 12; i++)
        w[i] = kh_gen_year_factor(r - 11 + i);
    return r - 11 + kh_rng_weighted(&g->rng, w, 12);
}

/* Mostly one to two years, a quarter extended beyond two, a few short. */
static int64_t programme_exit(kh_gen_t *g, int64_t start)
{
    kh_rng_t *r = &g->rng;
    double u = kh_rng_unit(r);
    if (u < 0.01) /* exactly two calendar years: not extended */
        return kh_date_add_years(start, 2);
    if (u < 0.02) /* one day more: extended */
        return kh_date_add_years(start, 2) + 1;
    if (u < 0.07)
        return start + kh_rng_range(r, 60, 364);
    if (u < 0.75)
        return start + kh_rng_range(r, 365, 729);
    return start + kh_rng_range(r, 731, 1100);
}

/* Features every generation has at least once, forced onto the first few
 * participants so that small generations still cover them. */
enum { FORCE_FEB29, FORCE_CHAIN, FORCE_DECEMBER, FORCE_AFTER_R, FORCE_ONGOING_STATUS,
       FORCE_D_DUP, FORCE_NO_HOME, FORCE_TWO_STAYS, FORCE_COUNT };

static void plan_main_stay(kh_gen_t *g, kh_gen_person_t *p, kh_gen_stay_t *s, int force)
{
    kh_rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int start_year = pick_start_year(g, p->country);
    s->start = kh_gen_jan1(start_year) + kh_rng_range(r, 0, 364);
    int feb29 = force == FORCE_FEB29 || kh_rng_chance(r, 0.003);
    if (feb29) {
        int leaps[4], nleaps = 0;
        for (int y = ry - 11; y <= ry - 2 && nleaps < 4; y++)
            if (kh_date_is_leap(y))
                leaps[nleaps++] = y;
        if (nleaps > 0)
            s->start = kh_date_from_ymd(leaps[kh_rng_below(r, (uint32_t)nleaps)], 2, 29);
    }
    if (force == FORCE_ONGOING_STATUS || force == FORCE_CHAIN || force == FORCE_D_DUP)
        s->start = g->end_of_r - 1400 + kh_rng_range(r, 0, 200);
    s->exit = programme_exit(g, s->start);
    if (force == FORCE_FEB29) /* 29 February + 2 years = 28 February: not extended */
        s->exit = kh_date_add_years(s->start, 2);
    if (force == FORCE_DECEMBER) {
        s->exit = kh_date_from_ymd(ry, 12, kh_rng_range(r, 1, 31));
        s->start = s->exit - 600;
    }
    if (force == FORCE_AFTER_R) {
        s->exit = g->end_of_r + kh_rng_range(r, 1, 60);
        s->start = s->exit - 500;
    }
    if (s->start > g->end_of_r - 10)
        s->start = g->end_of_r - kh_rng_range(r, 10, 300);
    if (s->exit > g->end_of_r && force != FORCE_AFTER_R) {
        /* The register knows planned exits only shortly ahead. */
        if (kh_rng_chance(r, 0.04))
            s->exit = g->end_of_r + kh_rng_range(r, 1, 120);
        else
            s->exit = KH_NULL;
    }
    if (force == FORCE_ONGOING_STATUS)
        s->exit = KH_NULL;
    if (s->exit == KH_NULL)
        s->status = force == FORCE_ONGOING_STATUS || kh_rng_chance(r, 0.05) ? KH_SLUTT_JOB_SEEKER : 0;
    else
        s->status = pick_status(g, p, kh_gen_year_of(s->exit));
}

/* Identity: some participants arrive with a D-number that later becomes a
 * national id (a few change twice: A -> B -> C). */
static void plan_ids(kh_gen_t *g, kh_gen_person_t *p, const kh_gen_stay_t *main_stay, int force)
{
    kh_rng_t *r = &g->rng;
    int dnumber = force == FORCE_CHAIN || force == FORCE_D_DUP || kh_rng_chance(r, 0.22);
    p->nids = 1;
    p->id_from[0] = INT64_MIN;
    kh_gen_alloc_id(g, dnumber, &p->birth, p->ids[0]);
    if (!dnumber)
        return;
    int64_t change = main_stay->start + kh_rng_range(r, -300, 800);
    if (force)
        change = main_stay->start + 30;
    if (change > g->end_of_r)
        return; /* still known only by the D-number */
    int64_t birth = p->birth;
    kh_gen_alloc_id(g, 0, &birth, p->ids[1]);
    p->id_from[1] = change;
    p->nids = 2;
    int64_t change2 = change + kh_rng_range(r, 100, 900);
    if ((force == FORCE_CHAIN || kh_rng_chance(r, 0.08)) && change2 <= g->end_of_r) {
        birth = p->birth;
        kh_gen_alloc_id(g, 0, &birth, p->ids[2]);
        p->id_from[2] = change2;
        p->nids = 3;
    }
}

static void write_id_history(kh_gen_t *g, const kh_gen_person_t *p)
{
    if (p->nids == 3 && kh_rng_chance(&g->rng, 0.5)) { /* chain rows out of order */
        id_history_row(g, p->ids[1], p->ids[2], KH_R_NONE);
        id_history_row(g, p->ids[0], p->ids[1], KH_R_NONE);
        return;
    }
    for (int i = 1; i < p->nids; i++)
        id_history_row(g, p->ids[i - 1], p->ids[i], KH_R_NONE);
}

static void write_participant_jobs(kh_gen_t *g, const kh_gen_person_t *p, const kh_gen_stay_t *s)
{
    kh_rng_t *r = &g->rng;
    int work = kh_slutt_work(s->status);
    if (s->exit == KH_NULL) {
        if (kh_rng_chance(r, 0.15))
            write_job(g, p, s->start + kh_rng_range(r, 30, 200), KH_NULL);
        return;
    }
    if (kh_rng_chance(r, 0.3)) /* a short job during the programme */
        write_job(g, p, s->start + kh_rng_range(r, 30, 300), s->start + kh_rng_range(r, 330, 500));
    if (work) {
        int64_t start = s->exit - kh_rng_range(r, 0, 90);
        write_job(g, p, start, kh_rng_chance(r, 0.65) ? KH_NULL : start + kh_rng_range(r, 180, 2500));
    }
    /* men find work after the programme more often than women (the
     * official followup figures show a gap of more than 15 points) */
    if (kh_rng_chance(r, work ? 0.25 : p->kjonn == 1 ? 0.55 : 0.3)) {
        int64_t start = s->exit + kh_rng_range(r, 30, 1500);
        write_job(g, p, start, kh_rng_chance(r, 0.6) ? KH_NULL : start + kh_rng_range(r, 60, 1500));
    }
    if (kh_rng_chance(r, 0.08)) { /* a job starting or ending at the edge of November */
        int y = kh_gen_year_of(s->exit) + kh_followup_horizons[kh_rng_below(r, KH_FOLLOWUP_NHORIZONS)];
        int64_t nov1 = kh_date_from_ymd(y, 11, 1);
        switch (kh_rng_below(r, 5)) {
        case 0: write_job(g, p, nov1 - kh_rng_range(r, 60, 400), nov1 - 1); break;  /* 31 Oct */
        case 1: write_job(g, p, nov1 - kh_rng_range(r, 60, 400), nov1); break;      /* 1 Nov */
        case 2: write_job(g, p, nov1, KH_NULL); break;
        case 3: write_job(g, p, nov1 + 29, KH_NULL); break;                       /* 30 Nov */
        default: write_job(g, p, nov1 + 30, nov1 + kh_rng_range(r, 60, 400)); break; /* 1 Dec */
        }
    }
}

static void write_participant_education(kh_gen_t *g, const kh_gen_person_t *p, const kh_gen_stay_t *s)
{
    kh_rng_t *r = &g->rng;
    if (s->exit == KH_NULL)
        return;
    int c = kh_gen_year_of(s->exit);
    int years = 0, level = 3;
    switch (s->status) {
    case KH_SLUTT_UPPER_SECONDARY: years = kh_rng_range(r, 1, 3); break;
    case KH_SLUTT_HIGHER_EDUCATION: years = kh_rng_range(r, 1, 4), level = kh_rng_chance(r, 0.7) ? 6 : 7; break;
    case KH_SLUTT_WORK_AND_EDUCATION: years = kh_rng_range(r, 1, 2); break;
    case KH_SLUTT_LOWER_SECONDARY: years = kh_rng_range(r, 1, 2), level = 2; break;
    default:
        if (kh_rng_chance(r, 0.12))
            years = 2, c += kh_rng_range(r, 1, 3);
        break;
    }
    for (int y = c; y < c + years; y++)
        write_education(g, p, y, level);
    if (kh_rng_chance(r, 0.03))
        write_education(g, p, c + kh_rng_range(r, 0, 3), 9);
    if (kh_rng_chance(r, 0.05)) /* back to school years later (followup's horizon 5) */
        write_education(g, p, kh_gen_year_of(s->exit) + kh_rng_range(r, 4, 6), kh_rng_range(r, 3, 7));
}

static void write_participant_shj(kh_gen_t *g, const kh_gen_person_t *p, const kh_gen_stay_t *s)
{
    kh_rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int from = kh_gen_year_of(s->start);
    int c = s->exit == KH_NULL ? ry + 1 : kh_gen_year_of(s->exit);
    int attained = kh_slutt_attained(s->status);
    for (int y = from > ry - 9 ? from : ry - 9; y <= ry && y <= p->last_year; y++) {
        double prob = y < c ? 0.12 : s->status == KH_SLUTT_SOCIAL_ASSISTANCE ? 0.6 : attained ? 0.07 : 0.25;
        if (kh_rng_chance(r, prob))
            write_shj_year(g, p, y);
    }
}

void kh_gen_participant(kh_gen_t *g)
{
    kh_rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int force = g->participant_no < FORCE_COUNT ? (int)g->participant_no : -1;
    g->participant_no++;
    kh_gen_person_t p;
    memset(&p, 0, sizeof p);
    double w[KH_GEN_NREFUGEE];
    for (int i = 0; i < KH_GEN_NREFUGEE; i++)
        w[i] = kh_gen_refugee_countries[i].weight;
    p.country = kh_rng_weighted(r, w, KH_GEN_NREFUGEE);
    if (p.country == UKRAINE && ry < 2022)
        p.country = 0;
    p.land = kh_gen_refugee_countries[p.country].code;
    p.kjonn = kh_rng_chance(r, 0.58) ? 1 : 2;

    kh_gen_stay_t stays[2];
    int nstays = 1;
    plan_main_stay(g, &p, &stays[0], force);
    int64_t first_start = stays[0].start;
    if (force == FORCE_TWO_STAYS || kh_rng_chance(r, 0.08)) {
        kh_gen_stay_t *s = &stays[1];
        if (kh_rng_chance(r, 0.6)) { /* an earlier, broken-off participation */
            s->exit = stays[0].start - kh_rng_range(r, 30, 300);
            s->start = s->exit - kh_rng_range(r, 90, 400);
            static const int early[] = {KH_SLUTT_MOVED, KH_SLUTT_OTHER, KH_SLUTT_JOB_SEEKER,
                                       KH_SLUTT_SOCIAL_ASSISTANCE};
            s->status = early[kh_rng_below(r, 4)];
            first_start = s->start;
        } else { /* a new participation after the exit */
            s->start = (stays[0].exit == KH_NULL ? stays[0].start + 900 : stays[0].exit) +
                       kh_rng_range(r, 60, 500);
            s->exit = s->start + kh_rng_range(r, 100, 500);
            if (s->exit > g->end_of_r)
                s->exit = KH_NULL;
            s->status = s->exit == KH_NULL ? 0 : pick_status(g, &p, kh_gen_year_of(s->exit));
        }
        if (s->start <= g->end_of_r)
            nstays = 2;
    }
    p.birth = first_start - 365 * kh_rng_range(r, 18, 55) - kh_rng_range(r, 0, 364);
    p.first_year = kh_gen_year_of(first_start) - (int)kh_rng_weighted(r, (const double[]){40, 45, 15}, 3);
    p.last_year = ry;
    p.place = kh_gen_muni_pick(kh_rng_unit(r), 1);

    const kh_gen_stay_t *last = &stays[0];
    if (nstays == 2 && stays[1].start > stays[0].start)
        last = &stays[1];
    int exit_year = last->exit == KH_NULL ? 0 : kh_gen_year_of(last->exit);
    if (last->status == KH_SLUTT_MOVED && exit_year && kh_rng_chance(r, 0.6))
        p.last_year = exit_year; /* moved abroad during the exit year */
    else if (kh_rng_chance(r, 0.02))
        p.last_year = kh_rng_range(r, p.first_year, ry);
    else if (exit_year && kh_rng_chance(r, 0.05)) /* emigrated some years after the exit */
        p.last_year = exit_year + kh_rng_range(r, 0, 4);
    if (p.last_year > ry)
        p.last_year = ry;
    if (exit_year && kh_rng_chance(r, 0.01)) /* abroad for a year after the exit */
        p.away_year = exit_year + kh_rng_range(r, 1, 2);
    if (kh_rng_chance(r, 0.07)) {
        p.move_year = kh_rng_range(r, p.first_year + 1, ry + 1);
        p.new_place = kh_gen_muni_pick(kh_rng_unit(r), 1);
    } else if (exit_year && kh_rng_chance(r, 0.1)) { /* moves on in the years after the exit */
        p.move_year = exit_year + kh_rng_range(r, 1, 5);
        p.new_place = kh_gen_muni_pick(kh_rng_unit(r), 1);
    }
    if (exit_year && (force == FORCE_NO_HOME || kh_rng_chance(r, 0.02)))
        p.skip_year = exit_year;

    plan_ids(g, &p, &stays[0], force);
    int dup_year = 0, dup_other = 0;
    if (!g->opt.bad_rows)
        ;
    else if (p.nids > 1 && (force == FORCE_D_DUP || kh_rng_chance(r, 0.1)))
        dup_year = kh_gen_year_of(p.id_from[1]) - (kh_gen_jan1(kh_gen_year_of(p.id_from[1])) < p.id_from[1] ? 0 : 1);
    else if (kh_rng_chance(r, 0.02))
        dup_year = kh_rng_range(r, p.first_year, ry), dup_other = 1;

    /* a few participants have no befolkning row (kjonn 9 in followup) */
    int no_befolkning = kh_rng_chance(r, 0.015);
    if (!no_befolkning)
        write_befolkning(g, &p, kh_rng_chance(r, 0.9) ? p.ids[p.nids - 1] : p.ids[0]);
    if (!no_befolkning && g->opt.bad_rows && kh_rng_chance(r, 0.01)) { /* a duplicate */
        kh_gen_person_t copy = p;
        copy.kjonn = 3 - p.kjonn;
        kh_gen_row_t row;
        kh_gen_row_reset(&row);
        kh_gen_add_id(&row, p.ids[p.nids - 1]);
        kh_gen_row_add_uint(&row, (uint64_t)copy.kjonn, 0);
        kh_gen_add_date(g, &row, copy.birth);
        kh_gen_row_add_uint(&row, (uint64_t)copy.land, 3);
        kh_gen_out_row(g->out[KH_TAB_BEFOLKNING], &row);
        g->stats->bad[KH_TAB_BEFOLKNING][KH_R_DUPLICATE]++;
    }
    write_id_history(g, &p);
    if (g->opt.bad_rows && p.nids > 1 && kh_rng_chance(r, 0.004))
        kh_gen_history_trouble(g, &p, kh_rng_range(r, 0, 2));
    for (int k = 0; k < 3 && p.nids > 1 && g->opt.bad_rows; k++)
        if (!g->history_trouble_done[k])
            kh_gen_history_trouble(g, &p, k);
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

static int64_t random_birth(kh_gen_t *g)
{
    static const double age_weight[] = {22, 27, 26, 20, 5}; /* per 20 years of age */
    int band = kh_rng_weighted(&g->rng, age_weight, 5);
    int age = band * 20 + kh_rng_range(&g->rng, 0, 19);
    return kh_gen_jan1(g->opt.ref_year - age) + kh_rng_range(&g->rng, 0, 364);
}

static void write_resident_jobs(kh_gen_t *g, const kh_gen_person_t *p)
{
    kh_rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int age = ry - kh_gen_year_of(p->birth);
    if (age < 18 || age > 70 || !kh_rng_chance(r, 0.78))
        return;
    int njobs = kh_rng_weighted(r, (const double[]){55, 30, 15}, 3) + 1;
    int64_t earliest = kh_date_add_years(p->birth, 18);
    if (earliest < kh_gen_jan1(ry - 14))
        earliest = kh_gen_jan1(ry - 14);
    for (int i = 0; i < njobs; i++) {
        int64_t start = earliest + (int64_t)(kh_rng_unit(r) * (double)(g->end_of_r - earliest));
        int ongoing = i == njobs - 1 && kh_rng_chance(r, 0.55);
        write_job(g, p, start, ongoing ? KH_NULL : start + kh_rng_range(r, 30, 3000));
    }
}

static void write_resident_education(kh_gen_t *g, const kh_gen_person_t *p)
{
    kh_rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    int born = kh_gen_year_of(p->birth);
    if (ry - born < 16 || ry - 9 - born > 55)
        return;
    for (int y = ry - 9; y <= ry; y++) {
        int age = y - born;
        if (y < p->first_year || y > p->last_year || age < 16 || age > 55)
            continue;
        if (age <= 18) {
            if (kh_rng_chance(r, 0.9))
                write_education(g, p, y, 3);
        } else if (age <= 24) {
            if (kh_rng_chance(r, 0.45))
                write_education(g, p, y, kh_rng_chance(r, 0.3) ? 3 : kh_rng_range(r, 6, 7));
        } else if (age <= 29) {
            if (kh_rng_chance(r, 0.15))
                write_education(g, p, y, kh_rng_range(r, 7, 8));
        } else if (kh_rng_chance(r, 0.02)) {
            static const int late[] = {4, 5, 9};
            write_education(g, p, y, late[kh_rng_below(r, 3)]);
        }
    }
}

void kh_gen_resident(kh_gen_t *g)
{
    kh_rng_t *r = &g->rng;
    int ry = g->opt.ref_year;
    kh_gen_person_t p;
    memset(&p, 0, sizeof p);
    p.country = -1;
    p.birth = random_birth(g);
    p.kjonn = kh_rng_chance(r, 0.505) ? 1 : 2;
    p.place = kh_gen_muni_pick(kh_rng_unit(r), 0);
    p.first_year = kh_gen_year_of(p.birth) + 1;
    p.last_year = ry;
    double u = kh_rng_unit(r);
    int worker_abroad = 0; /* a D-number worker who never lives here */
    if (u < 0.85) {
        p.land = 0;
    } else if (u < 0.87) { /* refugee family, never in the programme */
        p.land = kh_gen_refugee_countries[kh_rng_below(r, KH_GEN_NREFUGEE)].code;
    } else {
        p.land = other_countries[kh_rng_below(r, (uint32_t)KH_ARRAY_LEN(other_countries))];
        worker_abroad = kh_rng_chance(r, 0.03) && ry - kh_gen_year_of(p.birth) >= 20;
    }
    if (p.land != 0) {
        int arrival = ry - (int)kh_rng_below(r, 30);
        if (arrival > p.first_year)
            p.first_year = arrival;
    }
    if (kh_rng_chance(r, 0.02)) /* emigrated or died */
        p.last_year = kh_rng_range(r, ry - 9, ry - 1);
    if (kh_rng_chance(r, 0.02)) {
        p.move_year = kh_rng_range(r, ry - 8, ry);
        p.new_place = kh_gen_muni_pick(kh_rng_unit(r), 0);
    }
    p.nids = 1;
    p.id_from[0] = INT64_MIN;
    kh_gen_alloc_id(g, worker_abroad, &p.birth, p.ids[0]);
    write_befolkning(g, &p, p.ids[0]);
    if (worker_abroad) {
        p.first_year = ry + 1; /* no residence */
        write_resident_jobs(g, &p);
        return;
    }
    write_bosatte(g, &p, 0, 0);
    write_resident_jobs(g, &p);
    write_resident_education(g, &p);
    int age = ry - kh_gen_year_of(p.birth);
    if (age >= 18 && age <= 70) {
        double prob = p.land == 0 ? 0.025 : 0.07;
        for (int y = ry - 9; y <= ry; y++)
            if (y >= p.first_year && y <= p.last_year && kh_rng_chance(r, prob))
                write_shj_year(g, &p, y);
    }
}
