/* test_link.c - unit tests of the linker's logic (transform/link.c,
 * link_ref.c, idmap.c, pseudomap.c): identities, scope, duplicates of people, exits,
 * placement, the facts of year R and of followup's status years, on
 * hand-built pseudonymised batches. A pseudonym here is a small person
 * number in the first bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "proto/date.h"
#include "proto/err.h"
#include "proto/reason.h"
#include "proto/rows.h"
#include "transform/link.h"
#include "transform/pseudomap.h"

#define N KH_NULL

typedef struct {
    uint32_t line;
    int64_t v[KH_MAX_COLS];
    const char *t[KH_MAX_COLS];
} row_t;

static int64_t D(int y, int m, int d)
{
    return kh_date_from_ymd(y, m, d);
}

static void pseudo_of(uint8_t *dst, int64_t person)
{
    memset(dst, 0, KH_PSEUDO_LEN);
    for (int i = 0; i < 8; i++)
        dst[i] = (uint8_t)((uint64_t)person >> (8 * i));
    dst[15] = 0xA5;   /* so that person 0 is not all zeros */
}

/* A batch of table `t`; ID columns hold the person numbers given in v[]. */
static kh_rows_t *make_batch(kh_table_t t, const row_t *rows, size_t n)
{
    const kh_tabledef_t *def = kh_schema_table(t);
    kh_rows_t *b = kh_rows_new(t, (uint32_t)n);
    for (size_t i = 0; i < n; i++)
        kh_rows_append(b, rows[i].line, rows[i].v, rows[i].t);
    int has_id = 0;
    for (int c = 0; c < def->ncols; c++)
        has_id |= def->cols[c].type == KH_COL_ID;
    if (!has_id)
        return b;
    kh_rows_make_pseudo(b);
    for (int c = 0; c < def->ncols; c++)
        if (def->cols[c].type == KH_COL_ID)
            for (size_t i = 0; i < n; i++)
                pseudo_of(kh_rows_pseudo(b, c, (uint32_t)i), rows[i].v[c]);
    return b;
}

static void feed(kh_link_t *l, kh_table_t t, const row_t *rows, size_t n)
{
    kh_rows_t *b = make_batch(t, rows, n);
    assert_int_equal(kh_link_add(l, b), 0);
    kh_rows_destroy(&b);
}

#define FEED(l, t, ...) do { \
        const row_t rows_[] = {__VA_ARGS__}; \
        feed((l), (t), rows_, sizeof rows_ / sizeof rows_[0]); \
    } while (0)

static void open_scope(kh_link_t *l)
{
    assert_int_equal(kh_link_table_done(l, KH_TAB_ID_HISTORIKK), 0);
    assert_int_equal(kh_link_table_done(l, KH_TAB_F_INTRO), 0);
}

/* Declares every table not yet done (the others answer KH_E_PROTOCOL). */
static void close_all(kh_link_t *l)
{
    for (int t = 0; t < KH_TAB_COUNT; t++)
        (void)kh_link_table_done(l, (kh_table_t)t);
}

static kh_link_t *new_link(int ref_year, int from, int to)
{
    kh_link_params_t p = {ref_year, from, to};
    return kh_link_new(&p);
}

static void finish(kh_link_t *l)
{
    close_all(l);
    assert_int_equal(kh_link_finish(l), 0);
}

static int has_reject(const kh_link_t *l, kh_table_t t, uint32_t line, int column, int reason)
{
    size_t n;
    const kh_link_reject_t *rej = kh_link_rejects(l, &n);
    for (size_t i = 0; i < n; i++)
        if (rej[i].table == t && rej[i].line == line && rej[i].column == column &&
            rej[i].reason == reason)
            return 1;
    return 0;
}

static size_t nrejects(const kh_link_t *l)
{
    size_t n;
    kh_link_rejects(l, &n);
    return n;
}

/* The placed person with home `home` (tests give each a home of its own). */
static const kh_person_t *person_at(const kh_link_t *l, int32_t home)
{
    size_t n;
    const kh_person_t *p = kh_link_persons(l, &n);
    for (size_t i = 0; i < n; i++)
        if (p[i].home == home)
            return &p[i];
    fail_msg("no person placed in %d", home);
    return NULL;
}

static size_t nplaced(const kh_link_t *l)
{
    size_t n;
    kh_link_persons(l, &n);
    return n;
}

/* f_intro row: person, start, exit, status. */
#define INTRO(line, p, s, e, st) {(line), {(p), (s), (e), (st)}, {0}}
#define BOS(line, p, y, k) {(line), {(p), (y), (k)}, {0}}
#define IDH(line, a, b) {(line), {(a), (b)}, {0}}

/* ---- the hash table ----------------------------------------------------------- */

static void pseudomap_grows_and_finds(void **state)
{
    (void)state;
    kh_pseudomap_t *m = kh_pseudomap_new(1);
    uint8_t key[KH_PSEUDO_LEN];
    for (uint32_t i = 0; i < 1000; i++) {
        int inserted;
        pseudo_of(key, i);
        *kh_pseudomap_upsert(m, key, &inserted) = i * 3;
        assert_int_equal(inserted, 1);
    }
    assert_int_equal(kh_pseudomap_count(m), 1000);
    for (uint32_t i = 0; i < 1000; i++) {
        uint32_t v;
        pseudo_of(key, i);
        assert_int_equal(kh_pseudomap_get(m, key, &v), 1);
        assert_int_equal(v, i * 3);
        int inserted;
        assert_int_equal(*kh_pseudomap_upsert(m, key, &inserted), i * 3);
        assert_int_equal(inserted, 0);
    }
    pseudo_of(key, 5000);
    uint32_t v;
    assert_int_equal(kh_pseudomap_get(m, key, &v), 0);
    kh_pseudomap_destroy(&m);
    assert_null(m);
}

/* ---- identities --------------------------------------------------------------- */

static void id_chain_followed(void **state)
{
    (void)state;
    kh_link_t *l = new_link(0, 0, 0);
    /* 1 -> 2 -> 3, given in reverse order across batches. */
    FEED(l, KH_TAB_ID_HISTORIKK, IDH(3, 2, 3));
    FEED(l, KH_TAB_ID_HISTORIKK, IDH(2, 1, 2));
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2018, 1, 1), D(2020, 6, 1), 10));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 2, 2020, 301), BOS(3, 3, 2024, 301), BOS(4, 9, 2024, 1201));
    finish(l);
    const kh_link_counts_t *c = kh_link_counts(l);
    assert_int_equal(c->participants, 1);
    assert_int_equal(c->placed, 1);
    assert_int_equal(c->ref_year, 2024);
    assert_int_equal(c->cohort_from, 2017);
    assert_int_equal(c->cohort_to, 2024);
    assert_int_equal(c->out_of_scope[KH_TAB_BOSATTE], 1);
    assert_int_equal(c->out_of_scope[KH_TAB_ID_HISTORIKK], 0);
    assert_int_equal(c->received[KH_TAB_BOSATTE], 3);
    const kh_person_t *p = person_at(l, 301);
    assert_int_equal(p->cohort, 2020);
    assert_int_equal(p->resident, 1);
    assert_int_equal(p->status, 10);
    assert_int_equal(p->start_date, D(2018, 1, 1));
    assert_int_equal(p->exit_date, D(2020, 6, 1));
    assert_int_equal(p->landbakgrunn, -1);
    assert_int_equal(p->kjonn, -1);
    assert_int_equal(nrejects(l), 0);
    kh_link_destroy(&l);
    assert_null(l);
}

static void duplicate_old_id_lowest_line_wins(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_ID_HISTORIKK, IDH(5, 1, 2));
    FEED(l, KH_TAB_ID_HISTORIKK, IDH(2, 1, 3), IDH(9, 1, 4));
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2019, 1, 1), D(2021, 3, 1), 20));
    open_scope(l);
    /* Person 3 is the participant; 2 and 4 are people of their own. */
    FEED(l, KH_TAB_BOSATTE, BOS(2, 3, 2021, 301), BOS(3, 2, 2021, 1201), BOS(4, 4, 2021, 1201));
    finish(l);
    const kh_link_counts_t *c = kh_link_counts(l);
    assert_true(has_reject(l, KH_TAB_ID_HISTORIKK, 5, KH_ID_HISTORIKK_GAMMELT_ID, KH_R_DUPLICATE));
    assert_true(has_reject(l, KH_TAB_ID_HISTORIKK, 9, KH_ID_HISTORIKK_GAMMELT_ID, KH_R_DUPLICATE));
    assert_int_equal(c->rejected[KH_TAB_ID_HISTORIKK], 2);
    assert_int_equal(c->out_of_scope[KH_TAB_BOSATTE], 2);
    assert_int_equal(person_at(l, 301)->cohort, 2021);
    assert_int_equal(nplaced(l), 1);
    kh_link_destroy(&l);
}

static void cycles_rejected_lead_in_kept(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    /* 10 <-> 11 is a cycle, 12 -> 12 a self-loop, 13 -> 10 leads into the
     * cycle and is kept (13 becomes 10); 20 -> 21 -> 22 -> 20 is a longer
     * cycle with 23 -> 21 leading in. */
    FEED(l, KH_TAB_ID_HISTORIKK, IDH(2, 10, 11), IDH(3, 11, 10), IDH(4, 12, 12),
         IDH(5, 13, 10), IDH(6, 20, 21), IDH(7, 21, 22), IDH(8, 22, 20), IDH(9, 23, 21));
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 13, D(2019, 1, 1), D(2020, 3, 1), 10),
         INTRO(3, 11, D(2019, 1, 1), D(2020, 3, 1), 11),
         INTRO(4, 12, D(2019, 1, 1), D(2020, 3, 1), 20),
         INTRO(5, 23, D(2019, 1, 1), D(2020, 3, 1), 21));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 10, 2020, 110), BOS(3, 11, 2020, 111), BOS(4, 12, 2020, 112),
         BOS(5, 21, 2020, 121), BOS(6, 13, 2019, 999));
    finish(l);
    const kh_link_counts_t *c = kh_link_counts(l);
    for (uint32_t line = 2; line <= 4; line++)
        assert_true(has_reject(l, KH_TAB_ID_HISTORIKK, line, KH_ID_HISTORIKK_NYTT_ID, KH_R_ID_CYCLE));
    for (uint32_t line = 6; line <= 8; line++)
        assert_true(has_reject(l, KH_TAB_ID_HISTORIKK, line, KH_ID_HISTORIKK_NYTT_ID, KH_R_ID_CYCLE));
    assert_int_equal(c->rejected[KH_TAB_ID_HISTORIKK], 6);
    assert_int_equal(c->participants, 4);
    assert_int_equal(c->out_of_scope[KH_TAB_BOSATTE], 0);
    /* 13's residence comes from 10's row; 23's from 21's. */
    assert_int_equal(person_at(l, 110)->status, 10);
    assert_int_equal(person_at(l, 111)->status, 11);
    assert_int_equal(person_at(l, 112)->status, 20);
    assert_int_equal(person_at(l, 121)->status, 21);
    assert_int_equal(nplaced(l), 4);
    kh_link_destroy(&l);
}

/* ---- scope and duplicates of people ------------------------------------------- */

static void out_of_scope_counted_per_table(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    /* 50 -> 51 concerns nobody in scope: kept, never out of scope. */
    FEED(l, KH_TAB_ID_HISTORIKK, IDH(2, 50, 51));
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2019, 1, 1), D(2022, 1, 1), 10),
         INTRO(3, 1, D(2023, 1, 1), N, N));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 1, 2022, 301), BOS(3, 2, 2022, 301), BOS(4, 2, 2022, 301),
         BOS(5, 51, 2022, 301), BOS(6, 50, 2022, 301));
    FEED(l, KH_TAB_BEFOLKNING, {2, {2, 1, D(1990, 1, 1), 100}, {0}},
         {3, {2, 2, D(1990, 1, 1), 100}, {0}});
    FEED(l, KH_TAB_UTDANNING, {2, {2, 2024, 312345}, {0}});
    FEED(l, KH_TAB_SHJ, {2, {2, 2024, 100}, {0}}, {3, {1, 2024, 50}, {0}});
    FEED(l, KH_TAB_F_JOBBER, {2, {2, 974760673, D(2024, 1, 1), N}, {0}});
    finish(l);
    const kh_link_counts_t *c = kh_link_counts(l);
    assert_int_equal(c->participants, 1);
    assert_int_equal(c->out_of_scope[KH_TAB_ID_HISTORIKK], 0);
    assert_int_equal(c->out_of_scope[KH_TAB_F_INTRO], 0);
    assert_int_equal(c->out_of_scope[KH_TAB_BOSATTE], 4);
    assert_int_equal(c->out_of_scope[KH_TAB_BEFOLKNING], 2);
    assert_int_equal(c->out_of_scope[KH_TAB_UTDANNING], 1);
    assert_int_equal(c->out_of_scope[KH_TAB_SHJ], 1);
    assert_int_equal(c->out_of_scope[KH_TAB_F_JOBBER], 1);
    assert_int_equal(c->received[KH_TAB_F_INTRO], 2);
    assert_int_equal(c->received[KH_TAB_ID_HISTORIKK], 1);
    /* Duplicates of people out of scope are not judged. */
    assert_int_equal(nrejects(l), 0);
    assert_int_equal(person_at(l, 301)->sa_amount, 50);
    kh_link_destroy(&l);
}

static void bosatte_duplicates_on_resolved_person(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_ID_HISTORIKK, IDH(2, 1, 2));
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 2, D(2019, 1, 1), D(2020, 5, 5), 10));
    open_scope(l);
    /* 2020: line 4 under the new id beats line 7 under the D-number;
     * 2021: line 3 under the D-number beats line 9 under the new id. The
     * validator's rejects (say line 1) never arrive, so cannot win. */
    FEED(l, KH_TAB_BOSATTE, BOS(7, 1, 2020, 301), BOS(9, 2, 2021, 301));
    FEED(l, KH_TAB_BOSATTE, BOS(4, 2, 2020, 1201), BOS(3, 1, 2021, 1201),
         BOS(5, 2, 2024, 1201));
    finish(l);
    const kh_link_counts_t *c = kh_link_counts(l);
    assert_true(has_reject(l, KH_TAB_BOSATTE, 7, KH_BOSATTE_FNR, KH_R_DUPLICATE));
    assert_true(has_reject(l, KH_TAB_BOSATTE, 9, KH_BOSATTE_FNR, KH_R_DUPLICATE));
    assert_int_equal(c->rejected[KH_TAB_BOSATTE], 2);
    assert_int_equal(nrejects(l), 2);
    const kh_person_t *p = person_at(l, 1201);
    assert_int_equal(p->resident, 1);
    kh_link_destroy(&l);
}

static void befolkning_one_row_per_person(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_ID_HISTORIKK, IDH(2, 1, 2));
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 2, D(2019, 1, 1), D(2020, 5, 5), 10),
         INTRO(3, 7, D(2019, 1, 1), D(2020, 5, 5), 10));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 2, 2020, 301), BOS(3, 7, 2020, 302));
    /* Arrival order 8, 3, 10: line 3 (under the D-number) wins. */
    FEED(l, KH_TAB_BEFOLKNING, {8, {2, 2, D(1990, 1, 1), 100}, {0}});
    FEED(l, KH_TAB_BEFOLKNING, {3, {1, 1, D(1990, 1, 1), 200}, {0}});
    FEED(l, KH_TAB_BEFOLKNING, {10, {2, 2, D(1990, 1, 1), 300}, {0}});
    finish(l);
    assert_true(has_reject(l, KH_TAB_BEFOLKNING, 8, KH_BEFOLKNING_FNR, KH_R_DUPLICATE));
    assert_true(has_reject(l, KH_TAB_BEFOLKNING, 10, KH_BEFOLKNING_FNR, KH_R_DUPLICATE));
    assert_int_equal(kh_link_counts(l)->rejected[KH_TAB_BEFOLKNING], 2);
    const kh_person_t *p = person_at(l, 301);
    assert_int_equal(p->kjonn, 1);
    assert_int_equal(p->landbakgrunn, 200);
    assert_int_equal(person_at(l, 302)->kjonn, -1);
    assert_int_equal(person_at(l, 302)->landbakgrunn, -1);
    kh_link_destroy(&l);
}

/* ---- exits ---------------------------------------------------------------------- */

static void latest_exit_with_ties(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_F_INTRO,
         /* person 1: the later exit wins; a later participation without an
          * exit is ignored */
         INTRO(2, 1, D(2018, 1, 1), D(2020, 5, 1), 10),
         INTRO(3, 1, D(2019, 1, 1), D(2021, 3, 1), 40),
         INTRO(4, 1, D(2022, 1, 1), N, N),
         /* person 2: same exit, the larger start wins */
         INTRO(5, 2, D(2019, 6, 1), D(2021, 3, 1), 20),
         INTRO(6, 2, D(2019, 1, 1), D(2021, 3, 1), 10),
         /* person 3: same exit and start, the lower line wins */
         INTRO(8, 3, D(2019, 1, 1), D(2021, 3, 1), 30),
         INTRO(7, 3, D(2019, 1, 1), D(2021, 3, 1), 11),
         /* person 4: no exit at all */
         INTRO(9, 4, D(2019, 1, 1), N, 10));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 1, 2021, 101), BOS(3, 2, 2021, 102), BOS(4, 3, 2021, 103),
         BOS(5, 4, 2021, 104));
    finish(l);
    assert_int_equal(person_at(l, 101)->status, 40);
    assert_int_equal(person_at(l, 101)->start_date, D(2019, 1, 1));
    assert_int_equal(person_at(l, 102)->status, 20);
    assert_int_equal(person_at(l, 102)->start_date, D(2019, 6, 1));
    assert_int_equal(person_at(l, 103)->status, 11);
    assert_int_equal(nplaced(l), 3);
    assert_int_equal(kh_link_counts(l)->no_exit, 1);
    kh_link_destroy(&l);
}

static void december_and_after_r_left_out(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2023, 0, 0);
    FEED(l, KH_TAB_F_INTRO,
         INTRO(2, 1, D(2021, 1, 1), D(2023, 11, 30), 10),   /* kept */
         INTRO(3, 2, D(2021, 1, 1), D(2023, 12, 1), 10),    /* left out */
         INTRO(4, 3, D(2021, 1, 1), D(2023, 12, 1), 10),    /* left out first, */
         INTRO(5, 3, D(2020, 1, 1), D(2022, 5, 5), 40),     /* so this one stays */
         INTRO(6, 4, D(2021, 1, 1), D(2024, 2, 1), 10));    /* after R */
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 1, 2023, 101), BOS(3, 2, 2023, 102), BOS(4, 3, 2022, 103),
         BOS(5, 4, 2024, 104), BOS(6, 4, 2023, 104));
    finish(l);
    assert_int_equal(person_at(l, 101)->cohort, 2023);
    assert_int_equal(person_at(l, 103)->cohort, 2022);
    assert_int_equal(person_at(l, 103)->status, 40);
    assert_int_equal(nplaced(l), 2);
    assert_int_equal(kh_link_counts(l)->no_exit, 2);
    kh_link_destroy(&l);
}

static void cohort_window(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2015, 1, 1), D(2016, 12, 31), 10),
         INTRO(3, 2, D(2015, 1, 1), D(2017, 1, 1), 10));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 1, 2016, 101), BOS(3, 2, 2017, 102));
    finish(l);
    assert_int_equal(nplaced(l), 1);
    assert_int_equal(person_at(l, 102)->cohort, 2017);
    assert_int_equal(kh_link_counts(l)->outside_window, 1);
    kh_link_destroy(&l);

    l = new_link(2024, 2020, 2022);
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2015, 1, 1), D(2019, 6, 1), 10),
         INTRO(3, 2, D(2015, 1, 1), D(2020, 6, 1), 10),
         INTRO(4, 3, D(2015, 1, 1), D(2023, 6, 1), 10));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 1, 2019, 101), BOS(3, 2, 2020, 102), BOS(4, 3, 2023, 103));
    finish(l);
    assert_int_equal(nplaced(l), 1);
    assert_int_equal(person_at(l, 102)->cohort, 2020);
    assert_int_equal(kh_link_counts(l)->cohort_from, 2020);
    assert_int_equal(kh_link_counts(l)->cohort_to, 2022);
    assert_int_equal(kh_link_counts(l)->outside_window, 2);
    kh_link_destroy(&l);
}

static void no_home_counted(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2019, 1, 1), D(2020, 6, 1), 10),
         INTRO(3, 2, D(2019, 1, 1), D(2020, 6, 1), 10));
    open_scope(l);
    /* Person 1 lived somewhere on 1 January 2021 and 2019, not 2020. */
    FEED(l, KH_TAB_BOSATTE, BOS(2, 1, 2021, 101), BOS(3, 1, 2019, 101), BOS(4, 2, 2020, 102));
    finish(l);
    assert_int_equal(kh_link_counts(l)->no_home, 1);
    assert_int_equal(kh_link_counts(l)->placed, 1);
    assert_int_equal(person_at(l, 102)->resident, 0);
    kh_link_destroy(&l);
}

/* ---- municipalities ----------------------------------------------------------- */

#define ENDR(line, a, b, d) {(line), {(a), (b), (d)}, {0}}
#define KOST(line, k, y, tot, adm, pers) {(line), {(k), (y), 0, 0, 0}, {NULL, NULL, (tot), (adm), (pers)}}

static void homes_carried_forward(void **state)
{
    (void)state;
    kh_link_t *l = new_link(0, 0, 0);
    FEED(l, KH_TAB_REF_KOMMUNEENDRINGER,
         ENDR(2, 219, 3024, D(2020, 1, 1)), ENDR(3, 3024, 3201, D(2024, 1, 1)),
         ENDR(4, 1000, 1001, D(2020, 1, 1)), ENDR(5, 1000, 1002, D(2020, 1, 1)),
         ENDR(6, 219, 3024, D(2021, 1, 1)),    /* duplicate key: rejected */
         ENDR(7, 5000, 5001, D(2024, 1, 2)));  /* after 1 January of R */
    FEED(l, KH_TAB_F_INTRO,
         INTRO(2, 1, D(2017, 1, 1), D(2019, 6, 1), 10),
         INTRO(3, 2, D(2017, 1, 1), D(2019, 6, 1), 10),
         INTRO(4, 3, D(2017, 1, 1), D(2019, 6, 1), 10),
         INTRO(5, 4, D(2017, 1, 1), D(2019, 6, 1), 10),
         INTRO(6, 5, D(2017, 1, 1), D(2019, 6, 1), 10),
         INTRO(7, 6, D(2017, 1, 1), D(2019, 6, 1), 10));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE,
         BOS(2, 1, 2019, 219), BOS(3, 1, 2024, 3201),   /* renumbered, never moved */
         BOS(4, 2, 2019, 1000),                         /* home split: ambiguous */
         BOS(5, 3, 2019, 1001), BOS(6, 3, 2024, 1000),  /* R code split: not resident */
         BOS(7, 4, 2019, 301), BOS(8, 4, 2024, 302),    /* moved */
         BOS(9, 5, 2019, 5000), BOS(10, 5, 2024, 5000), /* change after 1 Jan R */
         BOS(11, 6, 2019, 3024), BOS(12, 6, 2024, 219));
    FEED(l, KH_TAB_REF_KOSTNADER,
         KOST(2, 219, 2019, "1000", "100", "10"), KOST(3, 3024, 2021, "2000.5", "200", "20"),
         KOST(4, 1000, 2019, "3000", "300", "30"), KOST(5, 219, 2019, "9", "9", "9"),
         KOST(6, 301, 2020, "4000", "400", "40"));
    finish(l);
    const kh_link_counts_t *c = kh_link_counts(l);
    assert_int_equal(c->ref_year, 2024);
    assert_int_equal(c->ambiguous_kommune, 1);
    assert_int_equal(c->placed, 5);
    assert_true(has_reject(l, KH_TAB_REF_KOMMUNEENDRINGER, 6, 0, KH_R_DUPLICATE));
    assert_true(has_reject(l, KH_TAB_REF_KOSTNADER, 5, 0, KH_R_DUPLICATE));
    assert_int_equal(nrejects(l), 2);
    size_t n;
    const kh_person_t *p = kh_link_persons(l, &n);
    assert_int_equal(n, 5);
    /* Persons 1 and 6 both live in 3201 (sorted equal records). */
    assert_int_equal(p[4].home, 5000);
    assert_int_equal(p[4].resident, 1);
    assert_int_equal(person_at(l, 1001)->resident, 0);
    assert_int_equal(person_at(l, 301)->resident, 0);
    int in_3201 = 0;
    for (size_t i = 0; i < n; i++)
        if (p[i].home == 3201) {
            in_3201++;
            assert_int_equal(p[i].resident, 1);
        }
    assert_int_equal(in_3201, 2);

    const kh_refdata_t *ref = kh_link_refdata(l);
    const kh_ref_cost_t *k = ref->cost;
    assert_int_equal(c->kostnader_split, 1);
    assert_int_equal(ref->ncost, 3);
    assert_int_equal(k[0].kommnr, 301);
    assert_int_equal(k[1].kommnr, 3201);
    assert_int_equal(k[1].year, 2019);
    assert_string_equal(k[1].total, "1000");
    assert_int_equal(k[2].kommnr, 3201);
    assert_string_equal(k[2].total, "2000.5");
    assert_string_equal(k[2].admin, "200");
    assert_string_equal(k[2].persons, "20");
    kh_link_destroy(&l);
}

static void without_change_table_codes_as_given(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2017, 1, 1), D(2019, 6, 1), 10));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 1, 2019, 219), BOS(3, 1, 2024, 3201));
    finish(l);
    assert_int_equal(person_at(l, 219)->resident, 0);
    kh_link_destroy(&l);
}

/* ---- facts of year R -------------------------------------------------------- */

#define JOB(line, p, s, e) {(line), {(p), 974760673, (s), (e)}, {0}}

static void work_overlaps_year_r(void **state)
{
    (void)state;
    kh_link_t *l = new_link(0, 0, 0);
    for (int64_t p = 1; p <= 6; p++)
        FEED(l, KH_TAB_F_INTRO, INTRO((uint32_t)p, p, D(2017, 1, 1), D(2019, 6, 1), 10));
    open_scope(l);
    for (int64_t p = 1; p <= 6; p++)
        FEED(l, KH_TAB_BOSATTE, BOS((uint32_t)p, p, 2019, 100 + p),
             BOS((uint32_t)(10 + p), p, 2024, 100 + p));
    FEED(l, KH_TAB_F_JOBBER,
         JOB(2, 1, D(2020, 1, 1), D(2023, 12, 31)),   /* ends 31 Dec R-1: no */
         JOB(3, 2, D(2025, 1, 1), N),                 /* starts 1 Jan R+1: no */
         JOB(4, 3, D(2010, 1, 1), N),                 /* open-ended: yes */
         JOB(5, 4, D(2024, 12, 31), D(2025, 3, 1)),   /* starts 31 Dec R: yes */
         JOB(6, 5, D(2023, 1, 1), D(2024, 1, 1)),     /* ends 1 Jan R: yes */
         JOB(7, 6, D(2020, 1, 1), D(2021, 1, 1)), JOB(8, 6, D(2022, 1, 1), D(2023, 12, 31)));
    finish(l);
    assert_int_equal(person_at(l, 101)->work, 0);
    assert_int_equal(person_at(l, 102)->work, 0);
    assert_int_equal(person_at(l, 103)->work, 1);
    assert_int_equal(person_at(l, 104)->work, 1);
    assert_int_equal(person_at(l, 105)->work, 1);
    assert_int_equal(person_at(l, 106)->work, 0);
    assert_int_equal(person_at(l, 106)->resident, 1);
    kh_link_destroy(&l);
}

static void run_education_and_sa(int ref_year)
{
    kh_link_t *l = new_link(ref_year, 0, 0);
    for (int64_t p = 1; p <= 6; p++)
        FEED(l, KH_TAB_F_INTRO, INTRO((uint32_t)p, p, D(2017, 1, 1), D(2019, 6, 1), 10));
    open_scope(l);
    for (int64_t p = 1; p <= 6; p++)
        FEED(l, KH_TAB_BOSATTE, BOS((uint32_t)p, p, 2019, 100 + p),
             BOS((uint32_t)(10 + p), p, 2024, 100 + p));
    FEED(l, KH_TAB_UTDANNING,
         {2, {1, 2024, 299999}, {0}},   /* level 2: no */
         {3, {2, 2024, 312345}, {0}},   /* level 3: yes */
         {4, {3, 2024, 812345}, {0}},   /* level 8: yes */
         {5, {4, 2024, 999999}, {0}},   /* level 9: no */
         {6, {5, 2023, 512345}, {0}},   /* level 5, but R-1: no */
         {7, {6, 2024, 19999}, {0}});   /* level 0: no */
    FEED(l, KH_TAB_SHJ, {2, {1, 2024, 1000}, {0}}, {3, {1, 2024, 2500}, {0}},
         {4, {1, 2023, 500}, {0}}, {5, {2, 2024, 0}, {0}});
    FEED(l, KH_TAB_SHJ, {6, {1, 2024, 7}, {0}});
    finish(l);
    assert_int_equal(person_at(l, 101)->education, 0);
    assert_int_equal(person_at(l, 102)->education, 1);
    assert_int_equal(person_at(l, 103)->education, 1);
    assert_int_equal(person_at(l, 104)->education, 0);
    assert_int_equal(person_at(l, 105)->education, 0);
    assert_int_equal(person_at(l, 106)->education, 0);
    assert_int_equal(person_at(l, 101)->sa_amount, 3507);
    assert_int_equal(person_at(l, 102)->sa_amount, 0);
    assert_int_equal(person_at(l, 103)->sa_amount, 0);
    assert_int_equal(kh_link_counts(l)->rejected[KH_TAB_SHJ], 0);
    kh_link_destroy(&l);
}

static void education_levels_and_sa_summed(void **state)
{
    (void)state;
    run_education_and_sa(0);      /* R found at finish */
    run_education_and_sa(2024);   /* R known up front: rows filtered on arrival */
}

/* Table followup's facts (spec 8) per horizon, also when R is known up
 * front and rows are filtered on arrival: status years C + 1, C + 2 and
 * C + 5 up to R, nothing for a year without a bosatte row or after R. */
static void run_followup_facts(int ref_year)
{
    kh_link_t *l = new_link(ref_year, 0, 0);
    FEED(l, KH_TAB_F_INTRO, INTRO(1, 1, D(2017, 1, 1), D(2019, 6, 1), 10),
         INTRO(2, 2, D(2017, 1, 1), D(2019, 6, 1), 10), INTRO(3, 3, D(2022, 1, 1), D(2023, 6, 1), 10));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(1, 1, 2019, 101), BOS(2, 1, 2020, 101), BOS(3, 1, 2021, 202),
         BOS(4, 1, 2024, 101), BOS(5, 2, 2019, 102), BOS(6, 3, 2023, 103), BOS(7, 3, 2024, 103));
    FEED(l, KH_TAB_F_JOBBER,
         JOB(1, 1, D(2020, 1, 1), D(2020, 10, 31)),   /* ends 31 Oct of C+1: no */
         JOB(2, 1, D(2021, 11, 30), D(2021, 12, 31)), /* starts 30 Nov of C+2: yes */
         JOB(3, 1, D(2010, 1, 1), D(2016, 1, 1)),     /* long before: no */
         JOB(4, 2, D(2020, 11, 1), N),                /* not in Norway: not counted */
         JOB(5, 3, D(2024, 12, 1), N));               /* starts 1 Dec of C+1: no */
    FEED(l, KH_TAB_UTDANNING, {1, {1, 2024, 312345}, {0}}, {2, {1, 2020, 212345}, {0}});
    FEED(l, KH_TAB_SHJ, {1, {1, 2020, 1}, {0}}, {2, {3, 2024, 0}, {0}});
    finish(l);
    const kh_person_t *p1 = person_at(l, 101), *p2 = person_at(l, 102), *p3 = person_at(l, 103);
    assert_int_equal(p1->followup[0], KH_FU_IN_NORWAY | KH_FU_SA);
    assert_int_equal(p1->followup[1], KH_FU_IN_NORWAY | KH_FU_MOVED | KH_FU_WORK);
    assert_int_equal(p1->followup[2], KH_FU_IN_NORWAY | KH_FU_EDUCATION);
    for (int h = 0; h < KH_FOLLOWUP_NHORIZONS; h++)
        assert_int_equal(p2->followup[h], 0);
    assert_int_equal(p3->followup[0], KH_FU_IN_NORWAY);
    assert_int_equal(p3->followup[1], 0); /* 2025 > R */
    assert_int_equal(p3->followup[2], 0);
    kh_link_destroy(&l);
}

static void followup_facts_per_horizon(void **state)
{
    (void)state;
    run_followup_facts(0);
    run_followup_facts(2024);
}

/* ---- the reference year, reference rows, protocol ---------------------------- */

static void default_r_includes_out_of_scope(void **state)
{
    (void)state;
    kh_link_t *l = new_link(0, 0, 0);
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2017, 1, 1), D(2021, 6, 1), 10));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 1, 2021, 101), BOS(3, 1, 2022, 101), BOS(4, 9, 2023, 101));
    finish(l);
    const kh_link_counts_t *c = kh_link_counts(l);
    assert_int_equal(c->ref_year, 2023);
    assert_int_equal(c->cohort_from, 2016);
    assert_int_equal(person_at(l, 101)->resident, 0);   /* no row for 2023 */
    kh_link_destroy(&l);

    l = new_link(0, 0, 0);
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2017, 1, 1), D(2021, 6, 1), 10));
    close_all(l);
    assert_int_equal(kh_link_finish(l), KH_E_USAGE);
    kh_link_destroy(&l);
}

static void reference_rows_passed_through(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_REF_MONITOR, {4, {KH_STAR, KH_STAR}, {NULL, NULL, "0.5"}},
         {2, {100, 2}, {NULL, NULL, "0.575"}}, {3, {100, 2}, {NULL, NULL, "0.1"}});
    FEED(l, KH_TAB_REF_NASJONAL, {3, {2021}, {NULL, "0.6"}}, {2, {2020}, {NULL, "0.55"}});
    open_scope(l);
    finish(l);
    const kh_refdata_t *ref = kh_link_refdata(l);
    const kh_ref_monitor_t *m = ref->monitor;
    assert_int_equal(ref->nmonitor, 2);
    assert_int_equal(m[0].landbakgrunn, KH_STAR);
    assert_string_equal(m[0].andel, "0.5");
    assert_int_equal(m[1].landbakgrunn, 100);
    assert_string_equal(m[1].andel, "0.575");
    assert_true(has_reject(l, KH_TAB_REF_MONITOR, 3, 0, KH_R_DUPLICATE));
    const kh_ref_national_t *nas = ref->national;
    assert_int_equal(ref->nnational, 2);
    assert_int_equal(nas[0].year, 2020);
    assert_string_equal(nas[1].andel, "0.6");
    assert_int_equal(kh_link_counts(l)->participants, 0);
    kh_link_destroy(&l);
}

static void rejects_sorted_by_table_then_line(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_ID_HISTORIKK, IDH(9, 5, 5), IDH(3, 6, 6));
    FEED(l, KH_TAB_F_INTRO, INTRO(2, 1, D(2017, 1, 1), D(2021, 6, 1), 10));
    open_scope(l);
    FEED(l, KH_TAB_BEFOLKNING, {8, {1, 2, D(1990, 1, 1), 100}, {0}});
    FEED(l, KH_TAB_BOSATTE, BOS(6, 1, 2021, 101), BOS(4, 1, 2021, 102));
    FEED(l, KH_TAB_BEFOLKNING, {7, {1, 2, D(1990, 1, 1), 100}, {0}});
    finish(l);
    size_t n;
    const kh_link_reject_t *r = kh_link_rejects(l, &n);
    assert_int_equal(n, 4);
    assert_int_equal(r[0].table, KH_TAB_ID_HISTORIKK);
    assert_int_equal(r[0].line, 3);
    assert_int_equal(r[1].table, KH_TAB_ID_HISTORIKK);
    assert_int_equal(r[1].line, 9);
    assert_int_equal(r[2].table, KH_TAB_BOSATTE);
    assert_int_equal(r[2].line, 6);
    assert_int_equal(r[3].table, KH_TAB_BEFOLKNING);
    assert_int_equal(r[3].line, 8);
    kh_link_destroy(&l);
}

static void batches_out_of_place_refused(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    const row_t bos[] = {BOS(2, 1, 2024, 301)};
    kh_rows_t *b = make_batch(KH_TAB_BOSATTE, bos, 1);
    assert_int_equal(kh_link_add(l, b), KH_E_PROTOCOL);   /* before scope */
    assert_int_equal(kh_link_finish(l), KH_E_PROTOCOL);   /* tables not done */
    open_scope(l);
    assert_int_equal(kh_link_table_done(l, KH_TAB_F_INTRO), KH_E_PROTOCOL);
    const row_t intro[] = {INTRO(2, 1, D(2017, 1, 1), D(2021, 6, 1), 10)};
    kh_rows_t *fi = make_batch(KH_TAB_F_INTRO, intro, 1);
    assert_int_equal(kh_link_add(l, fi), KH_E_PROTOCOL);  /* table done */
    kh_rows_destroy(&fi);
    assert_int_equal(kh_link_add(l, b), 0);
    kh_rows_destroy(&b);
    kh_rows_t *raw = kh_rows_new(KH_TAB_SHJ, 1);          /* ids not pseudonymised */
    const int64_t v[] = {1, 2024, 5};
    kh_rows_append(raw, 2, v, NULL);
    assert_int_equal(kh_link_add(l, raw), KH_E_PROTOCOL);
    kh_rows_destroy(&raw);
    finish(l);
    assert_int_equal(kh_link_finish(l), KH_E_PROTOCOL);
    size_t n;
    assert_non_null(kh_link_persons(l, &n));
    assert_int_equal(n, 0);
    kh_link_destroy(&l);
    kh_link_destroy(NULL);
}

/* ref_kommunenavn's names: after the person tables (it comes last), in two
 * batches; a code named again in the later batch is a duplicate (the
 * lowest line wins), the names come sorted by code, each once, and keep
 * the code as given (no carrying forward: they only name codes). */
static void names_deduplicated_across_batches(void **state)
{
    (void)state;
    kh_link_t *l = new_link(2024, 0, 0);
    FEED(l, KH_TAB_REF_KOMMUNEENDRINGER, ENDR(2, 219, 3024, D(2020, 1, 1)));
    open_scope(l);
    FEED(l, KH_TAB_BOSATTE, BOS(2, 1, 2024, 301));
    FEED(l, KH_TAB_REF_KOMMUNENAVN, {3, {5501}, {NULL, "Tromsø - Romsa - Tromssa"}},
         {2, {301}, {NULL, "Oslo"}}, {5, {219}, {NULL, "Bærum"}});
    FEED(l, KH_TAB_REF_KOMMUNENAVN, {4, {301}, {NULL, "Christiania"}});
    finish(l);
    const kh_refdata_t *ref = kh_link_refdata(l);
    const kh_ref_name_t *names = ref->names;
    assert_int_equal(ref->nnames, 3);
    assert_int_equal(names[0].kommnr, 219);
    assert_string_equal(names[0].navn, "Bærum");
    assert_int_equal(names[1].kommnr, 301);
    assert_string_equal(names[1].navn, "Oslo");
    assert_string_equal(names[2].navn, "Tromsø - Romsa - Tromssa");
    assert_true(has_reject(l, KH_TAB_REF_KOMMUNENAVN, 4, 0, KH_R_DUPLICATE));
    assert_int_equal(nrejects(l), 1);
    assert_int_equal(kh_link_counts(l)->received[KH_TAB_REF_KOMMUNENAVN], 4);
    kh_link_destroy(&l);
}

/* The linker's order of tables (link.c): the reference tables before
 * id_historikk, and ref_kommunenavn, a reference table added later, last. */
static void reference_tables_come_first(void **state)
{
    (void)state;
    for (int t = 0; t < KH_TAB_COUNT; t++)
        assert_int_equal(kh_schema_table((kh_table_t)t)->reference,
                         t < KH_TAB_ID_HISTORIKK || t == KH_TAB_REF_KOMMUNENAVN);
    assert_int_equal(KH_TAB_REF_KOMMUNENAVN, KH_TAB_COUNT - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pseudomap_grows_and_finds),
        cmocka_unit_test(id_chain_followed),
        cmocka_unit_test(duplicate_old_id_lowest_line_wins),
        cmocka_unit_test(cycles_rejected_lead_in_kept),
        cmocka_unit_test(out_of_scope_counted_per_table),
        cmocka_unit_test(bosatte_duplicates_on_resolved_person),
        cmocka_unit_test(befolkning_one_row_per_person),
        cmocka_unit_test(latest_exit_with_ties),
        cmocka_unit_test(december_and_after_r_left_out),
        cmocka_unit_test(cohort_window),
        cmocka_unit_test(no_home_counted),
        cmocka_unit_test(homes_carried_forward),
        cmocka_unit_test(without_change_table_codes_as_given),
        cmocka_unit_test(work_overlaps_year_r),
        cmocka_unit_test(education_levels_and_sa_summed),
        cmocka_unit_test(followup_facts_per_horizon),
        cmocka_unit_test(default_r_includes_out_of_scope),
        cmocka_unit_test(reference_rows_passed_through),
        cmocka_unit_test(rejects_sorted_by_table_then_line),
        cmocka_unit_test(batches_out_of_place_refused),
        cmocka_unit_test(names_deduplicated_across_batches),
        cmocka_unit_test(reference_tables_come_first),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
