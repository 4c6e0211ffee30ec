/* link.c - the linker's logic for kohort-link: identities, participants,
 * duplicates of people, exits, placement. See link.h; the reference tables
 * are link_ref.c's.
 *
 * Rows are reduced on arrival to compact records of participants; every
 * judgement that needs all rows (duplicates, the reference year, exits,
 * placement) waits for kh_link_finish(), so batches may come in any order.
 * Person indexes are internal (order of first f_intro sight); nothing
 * leaves in that order. */
#include "transform/link.h"
#include "transform/link_impl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/date.h"
#include "proto/err.h"
#include "proto/reason.h"
#include "proto/util.h"
#include "transform/idmap.h"
#include "transform/kommune.h"
#include "transform/pseudomap.h"

typedef struct {
    uint8_t id[KH_PSEUDO_LEN];
    int32_t start_date, exit_date, status;   /* exit_date INT32_MIN: no exit */
    uint32_t line;
    uint32_t person;
} intro_t;

typedef struct {
    uint32_t person;
    int32_t aar, kommnr;
    uint32_t line;
    int32_t duplicate;
} bosatt_t;

typedef struct {
    uint32_t person;
    int32_t aar;
} edu_t;

typedef struct {
    uint32_t person;
    int32_t aar;
    int64_t belop;
} shj_t;

typedef struct {
    uint32_t person;
    int32_t start_date, end_date;   /* end_date INT32_MAX: still ongoing */
} job_t;

/* Everything known about one participant (person_t, link_impl.h). Codes of
 * 0 mean "no row": the validator never accepts kommnr 0000. */
struct person {
    int32_t start_date, exit_date, status;
    uint32_t exit_line;              /* 0: no remaining exit */
    int32_t cohort;
    int32_t home_given, r_given;     /* bosatte kommnr for C and for R */
    int32_t kjonn, landbakgrunn;
    uint32_t bef_line;               /* 0: no befolkning row */
    uint8_t in_window, work, education;
    int64_t sa_amount;
    /* followup (spec 8), per horizon: bosatte kommnr for C + h (0: none),
     * KH_FU_WORK / KH_FU_EDUCATION bits, summed shj */
    int32_t fu_given[KH_FOLLOWUP_NHORIZONS];
    uint8_t fu_bits[KH_FOLLOWUP_NHORIZONS];
    int64_t fu_sa[KH_FOLLOWUP_NHORIZONS];
};

#define NO_EXIT INT32_MIN
#define OPEN_END INT32_MAX

/* kh_table_t's order as the linker reads it: reference tables, id_historikk,
 * f_intro, the person tables from bosatte on, and ref_kommunenavn last (a
 * reference table added later; tests/unit/test_link.c checks which tables
 * are reference tables). */
_Static_assert(KH_TAB_REF_KOSTNADER < KH_TAB_ID_HISTORIKK && KH_TAB_ID_HISTORIKK + 1 == KH_TAB_F_INTRO &&
                   KH_TAB_F_INTRO + 1 == KH_TAB_BOSATTE, "the linker's order of kh_table_t");

/* ---- small helpers --------------------------------------------------------- */

void kh_link_reject(kh_link_t *l, kh_table_t t, uint32_t line, int column, int reason)
{
    kh_link_reject_t *rej = kh_link_vec_push(&l->rejects);
    *rej = (kh_link_reject_t){t, line, column, reason};
    l->counts.rejected[t]++;
}

static int has_id_column(kh_table_t t)
{
    const kh_tabledef_t *def = kh_schema_table(t);
    for (int c = 0; c < def->ncols; c++)
        if (def->cols[c].type == KH_COL_ID)
            return 1;
    return 0;
}

static int32_t year_of(int32_t days)
{
    int y, m, d;
    kh_date_to_ymd(days, &y, &m, &d);
    return y;
}

static int32_t date_i32(int64_t days)
{
    return (int32_t)days;
}

/* ---- life cycle ---------------------------------------------------------------- */

kh_link_t *kh_link_new(const kh_link_params_t *p)
{
    kh_link_t *l = kh_xcalloc(1, sizeof *l);
    if (p)
        l->params = *p;
    l->ids = kh_idmap_new();
    kh_link_vec_init(&l->intro, sizeof(intro_t));
    kh_link_vec_init(&l->bosatte, sizeof(bosatt_t));
    kh_link_vec_init(&l->edu, sizeof(edu_t));
    kh_link_vec_init(&l->shj, sizeof(shj_t));
    kh_link_vec_init(&l->jobs, sizeof(job_t));
    kh_link_ref_init(l);
    kh_link_vec_init(&l->rejects, sizeof(kh_link_reject_t));
    return l;
}

void kh_link_destroy(kh_link_t **lp)
{
    if (!lp || !*lp)
        return;
    kh_link_t *l = *lp;
    kh_idmap_destroy(&l->ids);
    kh_pseudomap_destroy(&l->scope);
    free(l->intro.data);
    free(l->persons);
    free(l->bosatte.data);
    free(l->edu.data);
    free(l->shj.data);
    free(l->jobs.data);
    kh_link_ref_free(l);
    free(l->rejects.data);
    free(l->out);
    free(l);
    *lp = NULL;
}

/* ---- taking rows in ------------------------------------------------------------ */

static void add_id_historikk(kh_link_t *l, const kh_rows_t *rows)
{
    for (uint32_t r = 0; r < rows->nrows; r++)
        kh_idmap_add(l->ids, kh_rows_pseudo(rows, KH_ID_HISTORIKK_GAMMELT_ID, r),
                     kh_rows_pseudo(rows, KH_ID_HISTORIKK_NYTT_ID, r), rows->lines[r]);
}

static void add_f_intro(kh_link_t *l, const kh_rows_t *rows)
{
    const int64_t *start = rows->col[KH_F_INTRO_STARTDATO].i64;
    const int64_t *exit = rows->col[KH_F_INTRO_AVGANGSDATO].i64;
    const int64_t *status = rows->col[KH_F_INTRO_SLUTTSTATUS].i64;
    for (uint32_t r = 0; r < rows->nrows; r++) {
        intro_t *in = kh_link_vec_push(&l->intro);
        memcpy(in->id, kh_rows_pseudo(rows, KH_F_INTRO_FNR, r), KH_PSEUDO_LEN);
        in->start_date = date_i32(start[r]);
        in->exit_date = exit[r] == KH_NULL ? NO_EXIT : date_i32(exit[r]);
        in->status = status[r] == KH_NULL ? -1 : (int32_t)status[r];
        in->line = rows->lines[r];
    }
}

/* The participant row `r` belongs to, or -1 (counted out of scope). */
static long person_of(kh_link_t *l, const kh_rows_t *rows, uint32_t r)
{
    uint32_t p;
    if (kh_pseudomap_get(l->scope, kh_rows_pseudo(rows, 0, r), &p))
        return (long)p;
    l->counts.out_of_scope[rows->table]++;
    return -1;
}

static void add_bosatte(kh_link_t *l, const kh_rows_t *rows)
{
    const int64_t *aar = rows->col[KH_BOSATTE_AAR].i64;
    const int64_t *kommnr = rows->col[KH_BOSATTE_KOMMNR].i64;
    for (uint32_t r = 0; r < rows->nrows; r++) {
        /* R is the newest year of every accepted row, in scope or not. */
        if (aar[r] > l->newest_bosatte_aar)
            l->newest_bosatte_aar = (int32_t)aar[r];
        long p = person_of(l, rows, r);
        if (p < 0)
            continue;
        bosatt_t *b = kh_link_vec_push(&l->bosatte);
        *b = (bosatt_t){(uint32_t)p, (int32_t)aar[r], (int32_t)kommnr[r], rows->lines[r], 0};
    }
}

/* One row per person: the lowest line wins whatever the arrival order, so
 * the current winner can be judged against each newcomer at once. */
static void add_befolkning(kh_link_t *l, const kh_rows_t *rows)
{
    for (uint32_t r = 0; r < rows->nrows; r++) {
        long p = person_of(l, rows, r);
        if (p < 0)
            continue;
        person_t *pe = &l->persons[p];
        uint32_t line = rows->lines[r];
        if (pe->bef_line != 0 && pe->bef_line < line) {
            kh_link_reject(l, KH_TAB_BEFOLKNING, line, KH_BEFOLKNING_FNR, KH_R_DUPLICATE);
            continue;
        }
        if (pe->bef_line != 0)
            kh_link_reject(l, KH_TAB_BEFOLKNING, pe->bef_line, KH_BEFOLKNING_FNR, KH_R_DUPLICATE);
        pe->bef_line = line;
        pe->kjonn = (int32_t)rows->col[KH_BEFOLKNING_KJONN].i64[r];
        pe->landbakgrunn = (int32_t)rows->col[KH_BEFOLKNING_LANDBAKGRUNN].i64[r];
    }
}

/* The year filters below only save memory when R is known in advance;
 * kh_link_finish() applies them again. Years wanted: R (status) and the
 * status years of followup, from the window's first cohort + 1 to R. */
static int first_year_wanted(const kh_link_t *l)
{
    int r = l->params.ref_year;
    int from = l->params.cohort_from ? l->params.cohort_from : r - 7;
    return from + 1 < r ? from + 1 : r;
}

static int year_wanted(const kh_link_t *l, int64_t aar)
{
    return l->params.ref_year == 0 ||
           (aar >= first_year_wanted(l) && aar <= l->params.ref_year);
}

static int nus_counts(int64_t nus2000)
{
    int64_t level = nus2000 / 100000;
    return level >= 3 && level <= 8;
}

static void add_utdanning(kh_link_t *l, const kh_rows_t *rows)
{
    const int64_t *aar = rows->col[KH_UTDANNING_AAR].i64;
    const int64_t *nus = rows->col[KH_UTDANNING_NUS2000].i64;
    for (uint32_t r = 0; r < rows->nrows; r++) {
        long p = person_of(l, rows, r);
        if (p < 0 || !nus_counts(nus[r]) || !year_wanted(l, aar[r]))
            continue;
        edu_t *e = kh_link_vec_push(&l->edu);
        *e = (edu_t){(uint32_t)p, (int32_t)aar[r]};
    }
}

static void add_shj(kh_link_t *l, const kh_rows_t *rows)
{
    const int64_t *aar = rows->col[KH_SHJ_AAR].i64;
    const int64_t *belop = rows->col[KH_SHJ_BELOP].i64;
    for (uint32_t r = 0; r < rows->nrows; r++) {
        long p = person_of(l, rows, r);
        if (p < 0 || !year_wanted(l, aar[r]))
            continue;
        shj_t *s = kh_link_vec_push(&l->shj);
        *s = (shj_t){(uint32_t)p, (int32_t)aar[r], belop[r]};
    }
}

static int job_overlaps_year(const job_t *j, int year)
{
    return j->start_date <= date_i32(kh_date_from_ymd(year, 12, 31)) &&
           j->end_date >= date_i32(kh_date_from_ymd(year, 1, 1));
}

static void add_f_jobber(kh_link_t *l, const kh_rows_t *rows)
{
    const int64_t *start = rows->col[KH_F_JOBBER_STARTDATO].i64;
    const int64_t *end = rows->col[KH_F_JOBBER_SLUTTDATO].i64;
    for (uint32_t r = 0; r < rows->nrows; r++) {
        long p = person_of(l, rows, r);
        if (p < 0)
            continue;
        job_t job = {(uint32_t)p, date_i32(start[r]),
                     end[r] == KH_NULL ? OPEN_END : date_i32(end[r])};
        if (l->params.ref_year &&
            !(job.start_date <= date_i32(kh_date_from_ymd(l->params.ref_year, 12, 31)) &&
              job.end_date >= date_i32(kh_date_from_ymd(first_year_wanted(l), 1, 1))))
            continue;
        *(job_t *)kh_link_vec_push(&l->jobs) = job;
    }
}

static int check_batch(const kh_link_t *l, const kh_rows_t *rows)
{
    kh_table_t t = rows->table;
    if ((int)t < 0 || t >= KH_TAB_COUNT)
        return -EINVAL;
    if (l->finished || l->done[t])
        return KH_E_PROTOCOL;
    if (has_id_column(t) && !rows->anonymised)
        return KH_E_PROTOCOL;
    if (kh_schema_is_population(t) && !l->scope_fixed)
        return KH_E_PROTOCOL;
    return 0;
}

int kh_link_add(kh_link_t *l, const kh_rows_t *rows)
{
    int rc = check_batch(l, rows);
    if (rc)
        return rc;
    l->counts.received[rows->table] += rows->nrows;
    /* rows the validator dropped for ingest's scope superset: out of scope
     * here too, since no participant's identity reaches their id */
    l->counts.out_of_scope[rows->table] += rows->dropped;
    if (rows->table == KH_TAB_BOSATTE && rows->dropped_aar > l->newest_bosatte_aar)
        l->newest_bosatte_aar = rows->dropped_aar; /* R counts every accepted row */
    switch (rows->table) {
    case KH_TAB_ID_HISTORIKK: add_id_historikk(l, rows); break;
    case KH_TAB_F_INTRO:      add_f_intro(l, rows); break;
    case KH_TAB_BOSATTE:      add_bosatte(l, rows); break;
    case KH_TAB_BEFOLKNING:   add_befolkning(l, rows); break;
    case KH_TAB_UTDANNING:    add_utdanning(l, rows); break;
    case KH_TAB_SHJ:          add_shj(l, rows); break;
    case KH_TAB_F_JOBBER:     add_f_jobber(l, rows); break;
    default:                  kh_link_ref_add(l, rows); break;
    }
    return 0;
}

/* ---- scope: identities judged, participants fixed ------------------------- */

static void take_id_rejects(kh_link_t *l)
{
    size_t n;
    const kh_idmap_reject_t *rej = kh_idmap_rejects(l->ids, &n);
    for (size_t i = 0; i < n; i++)
        kh_link_reject(l, KH_TAB_ID_HISTORIKK, rej[i].line, rej[i].column, rej[i].reason);
}

/* Every resolved person of an f_intro row becomes a participant. */
static void collect_participants(kh_link_t *l)
{
    intro_t *intro = l->intro.data;
    for (size_t i = 0; i < l->intro.n; i++) {
        const uint8_t *newest = kh_idmap_resolve(l->ids, intro[i].id);
        int inserted;
        uint32_t *slot = kh_pseudomap_upsert(l->scope, newest, &inserted);
        if (inserted)
            *slot = (uint32_t)l->npersons++;
        intro[i].person = *slot;
    }
}

/* Old ids of participants enter the same table, so that a row under any of
 * a participant's ids is found with one probe. */
static void collect_aliases(kh_link_t *l)
{
    for (size_t i = 0; i < kh_idmap_rows(l->ids); i++) {
        const uint8_t *old_id, *newest;
        uint32_t p;
        if (!kh_idmap_alias(l->ids, i, &old_id, &newest) ||
            !kh_pseudomap_get(l->scope, newest, &p))
            continue;
        int inserted;
        uint32_t *slot = kh_pseudomap_upsert(l->scope, old_id, &inserted);
        if (inserted)
            *slot = p;
    }
}

static void fix_scope(kh_link_t *l)
{
    kh_idmap_judge(l->ids);
    take_id_rejects(l);
    /* Sized by participants, not by id_historikk (the whole population's
     * changes): only participants' old ids join, and the table grows. */
    l->scope = kh_pseudomap_new(l->intro.n);
    collect_participants(l);
    collect_aliases(l);
    kh_idmap_destroy(&l->ids);
    l->persons = kh_xcalloc(l->npersons ? l->npersons : 1, sizeof *l->persons);
    for (size_t p = 0; p < l->npersons; p++) {
        l->persons[p].kjonn = -1;
        l->persons[p].landbakgrunn = -1;
    }
    l->counts.participants = l->npersons;
    l->scope_fixed = 1;
}

int kh_link_table_done(kh_link_t *l, kh_table_t t)
{
    if ((int)t < 0 || t >= KH_TAB_COUNT)
        return -EINVAL;
    if (l->done[t] || l->finished)
        return KH_E_PROTOCOL;
    l->done[t] = 1;
    if (!l->scope_fixed && l->done[KH_TAB_ID_HISTORIKK] && l->done[KH_TAB_F_INTRO])
        fix_scope(l);
    return 0;
}

/* ---- duplicates ----------------------------------------------------------------- */

static int cmp_bosatt(const void *a, const void *b)
{
    const bosatt_t *x = a, *y = b;
    if (x->person != y->person)
        return x->person < y->person ? -1 : 1;
    if (x->aar != y->aar)
        return x->aar < y->aar ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* One row per (person, year), judged on the resolved person. */
static void judge_bosatte(kh_link_t *l)
{
    bosatt_t *b = l->bosatte.data;
    if (l->bosatte.n > 1)
        qsort(b, l->bosatte.n, sizeof *b, cmp_bosatt);
    for (size_t i = 1; i < l->bosatte.n; i++) {
        if (b[i].person == b[i - 1].person && b[i].aar == b[i - 1].aar) {
            b[i].duplicate = 1;
            kh_link_reject(l, KH_TAB_BOSATTE, b[i].line, KH_BOSATTE_FNR, KH_R_DUPLICATE);
        }
    }
}

/* ---- persons ---------------------------------------------------------------------- */

static int later_exit(const intro_t *in, const person_t *p)
{
    if (p->exit_line == 0 || in->exit_date != p->exit_date)
        return p->exit_line == 0 || in->exit_date > p->exit_date;
    if (in->start_date != p->start_date)
        return in->start_date > p->start_date;
    return in->line < p->exit_line;
}

/* Exits after 30 November of R (so also after R) are left out first, then
 * each person keeps the latest remaining one. */
static void choose_exits(kh_link_t *l)
{
    int32_t last_day = date_i32(kh_date_from_ymd(l->counts.ref_year, 11, 30));
    const intro_t *intro = l->intro.data;
    for (size_t i = 0; i < l->intro.n; i++) {
        const intro_t *in = &intro[i];
        person_t *p = &l->persons[in->person];
        if (in->exit_date == NO_EXIT || in->exit_date > last_day || !later_exit(in, p))
            continue;
        p->exit_date = in->exit_date;
        p->start_date = in->start_date;
        p->status = in->status;
        p->exit_line = in->line;
    }
    for (size_t i = 0; i < l->npersons; i++) {
        person_t *p = &l->persons[i];
        if (p->exit_line == 0) {
            l->counts.no_exit++;
            continue;
        }
        p->cohort = year_of(p->exit_date);
        p->in_window = p->cohort >= l->counts.cohort_from && p->cohort <= l->counts.cohort_to;
        if (!p->in_window)
            l->counts.outside_window++;
    }
}

/* The horizon index of status year `aar` for person p (C + h = aar <= R),
 * or -1. */
static int horizon_of(const kh_link_t *l, const person_t *p, int32_t aar)
{
    if (!p->in_window || aar > l->counts.ref_year)
        return -1;
    for (int h = 0; h < KH_FOLLOWUP_NHORIZONS; h++)
        if (aar == p->cohort + kh_followup_horizons[h])
            return h;
    return -1;
}

static void attach_residence(kh_link_t *l)
{
    const bosatt_t *b = l->bosatte.data;
    for (size_t i = 0; i < l->bosatte.n; i++) {
        if (b[i].duplicate)
            continue;
        person_t *p = &l->persons[b[i].person];
        if (p->in_window && b[i].aar == p->cohort)
            p->home_given = b[i].kommnr;
        if (b[i].aar == l->counts.ref_year)
            p->r_given = b[i].kommnr;
        int h = horizon_of(l, p, b[i].aar);
        if (h >= 0)
            p->fu_given[h] = b[i].kommnr;
    }
}

/* Employment is counted in November of the status year (spec 8). */
static void attach_followup_jobs(kh_link_t *l)
{
    const job_t *jobs = l->jobs.data;
    for (size_t i = 0; i < l->jobs.n; i++) {
        person_t *p = &l->persons[jobs[i].person];
        for (int h = 0; p->in_window && h < KH_FOLLOWUP_NHORIZONS; h++) {
            int year = p->cohort + kh_followup_horizons[h];
            if (year <= l->counts.ref_year &&
                jobs[i].start_date <= date_i32(kh_date_from_ymd(year, 11, 30)) &&
                jobs[i].end_date >= date_i32(kh_date_from_ymd(year, 11, 1)))
                p->fu_bits[h] |= KH_FU_WORK;
        }
    }
}

static int attach_followup(kh_link_t *l)
{
    attach_followup_jobs(l);
    const edu_t *edu = l->edu.data;
    for (size_t i = 0; i < l->edu.n; i++) {
        person_t *p = &l->persons[edu[i].person];
        int h = horizon_of(l, p, edu[i].aar);
        if (h >= 0)
            p->fu_bits[h] |= KH_FU_EDUCATION;
    }
    const shj_t *shj = l->shj.data;
    for (size_t i = 0; i < l->shj.n; i++) {
        person_t *p = &l->persons[shj[i].person];
        int h = horizon_of(l, p, shj[i].aar);
        if (h < 0)
            continue;
        if (shj[i].belop > 0 && p->fu_sa[h] > INT64_MAX - shj[i].belop)
            return -EOVERFLOW;
        p->fu_sa[h] += shj[i].belop;
    }
    return 0;
}

static int attach_year_r(kh_link_t *l)
{
    int year = l->counts.ref_year;
    const job_t *jobs = l->jobs.data;
    for (size_t i = 0; i < l->jobs.n; i++)
        if (job_overlaps_year(&jobs[i], year))
            l->persons[jobs[i].person].work = 1;
    const edu_t *edu = l->edu.data;
    for (size_t i = 0; i < l->edu.n; i++)
        if (edu[i].aar == year)
            l->persons[edu[i].person].education = 1;
    const shj_t *shj = l->shj.data;
    for (size_t i = 0; i < l->shj.n; i++) {
        if (shj[i].aar != year)
            continue;
        int64_t *sum = &l->persons[shj[i].person].sa_amount;
        if (shj[i].belop > 0 && *sum > INT64_MAX - shj[i].belop)
            return -EOVERFLOW;
        *sum += shj[i].belop;
    }
    return 0;
}

static int cmp_i64(int64_t a, int64_t b)
{
    return (a > b) - (a < b);
}

static int cmp_person(const void *a, const void *b)
{
    const kh_person_t *x = a, *y = b;
    int c;
    if ((c = cmp_i64(x->cohort, y->cohort)) || (c = cmp_i64(x->home, y->home)) ||
        (c = cmp_i64(x->status, y->status)) || (c = cmp_i64(x->start_date, y->start_date)) ||
        (c = cmp_i64(x->exit_date, y->exit_date)) || (c = cmp_i64(x->resident, y->resident)) ||
        (c = cmp_i64(x->work, y->work)) || (c = cmp_i64(x->education, y->education)) ||
        (c = cmp_i64(x->sa_amount, y->sa_amount)) ||
        (c = cmp_i64(x->landbakgrunn, y->landbakgrunn)) || (c = cmp_i64(x->kjonn, y->kjonn)))
        return c;
    return memcmp(x->followup, y->followup, sizeof x->followup);
}

/* The followup bits of horizon h for a placed person with home `home`. */
static uint8_t followup_bits(const person_t *p, int h, int32_t home, const kh_kommune_t *k)
{
    if (p->fu_given[h] == 0)
        return 0;
    uint8_t bits = KH_FU_IN_NORWAY | p->fu_bits[h];
    /* a split code carries to NONE: it never equals H, so it counts as moved */
    if (kh_kommune_carry(k, p->fu_given[h]) != home)
        bits |= KH_FU_MOVED;
    if (p->fu_sa[h] > 0)
        bits |= KH_FU_SA;
    return bits;
}

static void place_persons(kh_link_t *l, const kh_kommune_t *k)
{
    l->out = kh_xcalloc(l->npersons + 1, sizeof *l->out);
    for (size_t i = 0; i < l->npersons; i++) {
        const person_t *p = &l->persons[i];
        if (!p->in_window)
            continue;
        if (p->home_given == 0) {
            l->counts.no_home++;
            continue;
        }
        int32_t home = kh_kommune_carry(k, p->home_given);
        if (home == KH_KOMMUNE_NONE) {
            l->counts.ambiguous_kommune++;
            continue;
        }
        /* A split code for R carries to NONE, which never equals a home. */
        int resident = p->r_given != 0 && kh_kommune_carry(k, p->r_given) == home;
        kh_person_t *out = &l->out[l->nout++];
        *out = (kh_person_t){
            .cohort = p->cohort, .home = home, .status = p->status,
            .start_date = p->start_date, .exit_date = p->exit_date,
            .resident = resident, .work = p->work, .education = p->education,
            .sa_amount = p->sa_amount, .landbakgrunn = p->landbakgrunn,
            .kjonn = p->kjonn};
        for (int h = 0; h < KH_FOLLOWUP_NHORIZONS; h++)
            out->followup[h] = followup_bits(p, h, home, k);
    }
    if (l->nout > 1)
        qsort(l->out, l->nout, sizeof *l->out, cmp_person);
    l->counts.placed = l->nout;
}

/* ---- finish ------------------------------------------------------------------------ */

static int fix_year_and_window(kh_link_t *l)
{
    kh_link_counts_t *c = &l->counts;
    c->ref_year = l->params.ref_year ? l->params.ref_year : l->newest_bosatte_aar;
    if (c->ref_year == 0)
        return KH_E_USAGE;
    c->cohort_from = l->params.cohort_from ? l->params.cohort_from : c->ref_year - 7;
    c->cohort_to = l->params.cohort_to ? l->params.cohort_to : c->ref_year;
    if (c->cohort_from > c->cohort_to)
        return KH_E_USAGE;
    return 0;
}

static int cmp_reject(const void *a, const void *b)
{
    const kh_link_reject_t *x = a, *y = b;
    if (x->table != y->table)
        return x->table < y->table ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

int kh_link_finish(kh_link_t *l)
{
    if (l->finished)
        return KH_E_PROTOCOL;
    for (int t = 0; t < KH_TAB_COUNT; t++)
        if (!l->done[t])
            return KH_E_PROTOCOL;
    int rc = fix_year_and_window(l);
    if (rc)
        return rc;
    l->finished = 1;
    judge_bosatte(l);
    kh_link_ref_judge(l);

    kh_kommune_t *k = kh_kommune_new();
    kh_link_ref_kommune(l, k, kh_date_from_ymd(l->counts.ref_year, 1, 1));
    kh_link_ref_build(l, k);
    choose_exits(l);
    attach_residence(l);
    rc = attach_year_r(l);
    if (rc == 0)
        rc = attach_followup(l);
    if (rc == 0)
        place_persons(l, k);
    kh_kommune_destroy(&k);
    if (l->rejects.n > 1)
        qsort(l->rejects.data, l->rejects.n, sizeof(kh_link_reject_t), cmp_reject);
    return rc;
}

/* ---- accessors ---------------------------------------------------------------------- */

const kh_person_t *kh_link_persons(const kh_link_t *l, size_t *n)
{
    *n = l->nout;
    return l->out;
}

const kh_link_reject_t *kh_link_rejects(const kh_link_t *l, size_t *n)
{
    *n = l->rejects.n;
    return l->rejects.data;
}

const kh_link_counts_t *kh_link_counts(const kh_link_t *l)
{
    return &l->counts;
}
