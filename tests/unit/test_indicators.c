/* test_indicators.c - unit tests of aggregate/indicators.c and cost.c: the
 * `exit`, `status` and `cost` tables of spec/indicators.md sections 2-7
 * from tiny synthetic person sets. Every expected cell is worked out by
 * hand in the comment above its check; stored cells are scaled (share
 * 0.6250 -> 6250, one decimal 100.3 -> 1003). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "aggregate/indicators.h"
#include "proto/date.h"
#include "proto/err.h"

/* ---- Fixture helpers -------------------------------------------------------- */

static int32_t day(const char *ymd)
{
    int64_t days = 0;
    assert_int_equal(kh_date_parse(ymd, strlen(ymd), &days), 0);
    return (int32_t)days;
}

/* A resident person without work, education, assistance or befolkning row. */
static kh_person_t person(int home, int cohort, int status, const char *start, const char *exit)
{
    kh_person_t p = {
        .cohort = cohort, .home = home, .status = status,
        .start_date = day(start), .exit_date = day(exit),
        .resident = 1, .landbakgrunn = -1, .kjonn = -1,
    };
    return p;
}

/* A person whose programme lasted `days` days from 1 January of the cohort. */
static kh_person_t person_days(int home, int cohort, int status, int days)
{
    char start[16];
    snprintf(start, sizeof start, "%04d-01-01", cohort);
    kh_person_t p = person(home, cohort, status, start, start);
    p.exit_date = p.start_date + days;
    return p;
}

static kh_agg_t *new_agg(int from, int to, int k)
{
    kh_agg_params_t params = {.ref_year = to, .cohort_from = from, .cohort_to = to, .min_cell = k};
    kh_agg_t *agg = kh_agg_new(&params);
    assert_non_null(agg);
    return agg;
}

static void add(kh_agg_t *agg, kh_person_t p)
{
    assert_int_equal(kh_agg_add_person(agg, &p), 0);
}

static const kh_indrow_t *row_of(const kh_agg_t *agg, kh_indtable_t t, int kommnr, int key2)
{
    size_t n;
    const kh_indrow_t *rows = kh_agg_rows(agg, t, &n);
    for (size_t i = 0; i < n; i++)
        if (rows[i].kommnr == kommnr && rows[i].key2 == key2)
            return &rows[i];
    return NULL;
}

static const kh_indrow_t *must_row(const kh_agg_t *agg, kh_indtable_t t, int kommnr, int key2)
{
    const kh_indrow_t *row = row_of(agg, t, kommnr, key2);
    if (!row)
        fail_msg("table %d has no row %04d/%d", (int)t, kommnr, key2);
    return row;
}

static void expect_cell(const kh_indrow_t *row, int col, int64_t want)
{
    if (!row->present[col])
        fail_msg("row %04d/%d column %d is empty, want %lld", row->kommnr, row->key2, col,
                 (long long)want);
    if (row->value[col] != want)
        fail_msg("row %04d/%d column %d is %lld, want %lld", row->kommnr, row->key2, col,
                 (long long)row->value[col], (long long)want);
}

static void expect_empty(const kh_indrow_t *row, int col)
{
    if (row->present[col])
        fail_msg("row %04d/%d column %d is %lld, want empty", row->kommnr, row->key2, col,
                 (long long)row->value[col]);
}

static void expect_rows_sorted(const kh_agg_t *agg, kh_indtable_t t)
{
    size_t n;
    const kh_indrow_t *rows = kh_agg_rows(agg, t, &n);
    for (size_t i = 1; i < n; i++)
        assert_true(rows[i - 1].kommnr < rows[i].kommnr ||
                    (rows[i - 1].kommnr == rows[i].kommnr && rows[i - 1].key2 < rows[i].key2));
}

/* ---- exit ---------------------------------------------------------------------- */

/* (301, 2012), 8 persons, sluttstatus 10 11 20 21 30 60 60 50, durations
 * 100 x 7 and 102:
 *   exits 8; attained {10,11,20,21,30} = 5; to_work {10,11,30} = 3;
 *   to_education {20,21,30} = 3; parental_leave 2;
 *   attained_share 5/8 = 0.6250; adjusted 5/(8-2) = 0.83333 -> 0.8333;
 *   mean duration 802/8 = 100.25 -> 100.3 (half away from zero);
 *   extended 0 -> share 0.0000; predicted and residual empty (no reference
 *   tables). The three totals rows hold the same persons. */
static void test_exit_counts_and_shares(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2014, 0);
    const int statuses[8] = {10, 11, 20, 21, 30, 60, 60, 50};
    for (int i = 0; i < 8; i++)
        add(agg, person_days(301, 2012, statuses[i], i == 7 ? 102 : 100));
    assert_int_equal(kh_agg_finish(agg), 0);
    size_t n;
    kh_agg_rows(agg, KH_IND_EXIT, &n);
    assert_int_equal(n, 4); /* (0,0) (0,2012) (301,0) (301,2012) */
    expect_rows_sorted(agg, KH_IND_EXIT);
    const int keys[4][2] = {{0, 0}, {0, 2012}, {301, 0}, {301, 2012}};
    for (int i = 0; i < 4; i++) {
        const kh_indrow_t *row = must_row(agg, KH_IND_EXIT, keys[i][0], keys[i][1]);
        expect_cell(row, KH_EXIT_EXITS, 8);
        expect_cell(row, KH_EXIT_ATTAINED, 5);
        expect_cell(row, KH_EXIT_TO_WORK, 3);
        expect_cell(row, KH_EXIT_TO_EDUCATION, 3);
        expect_cell(row, KH_EXIT_ATTAINED_SHARE, 6250);
        expect_cell(row, KH_EXIT_PARENTAL_LEAVE, 2);
        expect_cell(row, KH_EXIT_ATTAINED_SHARE_ADJUSTED, 8333);
        expect_cell(row, KH_EXIT_MEAN_DURATION_DAYS, 1003);
        expect_cell(row, KH_EXIT_EXTENDED, 0);
        expect_cell(row, KH_EXIT_EXTENDED_SHARE, 0);
        expect_empty(row, KH_EXIT_PREDICTED_SHARE);
        expect_empty(row, KH_EXIT_RESIDUAL);
        assert_int_equal(row->suppressed, 0);
    }
    kh_agg_destroy(&agg);
    assert_null(agg);
}

/* (302, 2013), 32 persons, one attained (10) and one extended (start
 * 2010-01-01, exit 2013-01-02, later than 2012-01-01), the rest 50 after
 * 10 days: attained_share 1/32 = 0.03125 -> 0.0313; extended_share 0.0313.
 * (303, 2012): two persons both on parental leave (60): adjusted share has
 * denominator 2 - 2 = 0 -> empty; attained_share 0/2 -> 0.0000. */
static void test_exit_rounding_and_empty_share(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2014, 0);
    add(agg, person(302, 2013, 10, "2010-01-01", "2013-01-02"));
    for (int i = 0; i < 31; i++)
        add(agg, person_days(302, 2013, 50, 10));
    add(agg, person_days(303, 2012, 60, 10));
    add(agg, person_days(303, 2012, 60, 10));
    assert_int_equal(kh_agg_finish(agg), 0);
    const kh_indrow_t *row = must_row(agg, KH_IND_EXIT, 302, 2013);
    expect_cell(row, KH_EXIT_ATTAINED_SHARE, 313);
    expect_cell(row, KH_EXIT_EXTENDED, 1);
    expect_cell(row, KH_EXIT_EXTENDED_SHARE, 313);
    row = must_row(agg, KH_IND_EXIT, 303, 2012);
    expect_cell(row, KH_EXIT_ATTAINED_SHARE, 0);
    expect_empty(row, KH_EXIT_ATTAINED_SHARE_ADJUSTED);
    assert_int_equal(row->suppressed, 0); /* empty, not suppressed */
    kh_agg_destroy(&agg);
}

/* Extension is "exit later than startdato + 2 calendar years", 29 Feb + 2
 * years = 28 Feb:
 *   2010-03-15 -> 2012-03-15: equal, not extended (731 days)
 *   2010-03-15 -> 2012-03-16: extended (732 days)
 *   2012-02-29 -> 2014-02-28: equal to 28 Feb, not extended (730 days)
 *   2012-02-29 -> 2014-03-01: extended (731 days; a 1 March reading would
 *                             call this not extended)
 * (304,2012): extended 1/2 -> 0.5000, mean (731+732)/2 = 731.5 -> 7315.
 * (304,2014): extended 1/2, mean (730+731)/2 = 730.5 -> 7305.
 * (304,0000): extended 2/4, mean 2924/4 = 731.0 -> 7310. */
static void test_exit_extension_and_leap_day(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2014, 0);
    add(agg, person(304, 2012, 10, "2010-03-15", "2012-03-15"));
    add(agg, person(304, 2012, 10, "2010-03-15", "2012-03-16"));
    add(agg, person(304, 2014, 10, "2012-02-29", "2014-02-28"));
    add(agg, person(304, 2014, 10, "2012-02-29", "2014-03-01"));
    assert_int_equal(kh_agg_finish(agg), 0);
    const kh_indrow_t *row = must_row(agg, KH_IND_EXIT, 304, 2012);
    expect_cell(row, KH_EXIT_EXTENDED, 1);
    expect_cell(row, KH_EXIT_EXTENDED_SHARE, 5000);
    expect_cell(row, KH_EXIT_MEAN_DURATION_DAYS, 7315);
    row = must_row(agg, KH_IND_EXIT, 304, 2014);
    expect_cell(row, KH_EXIT_EXTENDED, 1);
    expect_cell(row, KH_EXIT_MEAN_DURATION_DAYS, 7305);
    row = must_row(agg, KH_IND_EXIT, 304, 0);
    expect_cell(row, KH_EXIT_EXTENDED, 2);
    expect_cell(row, KH_EXIT_EXTENDED_SHARE, 5000);
    expect_cell(row, KH_EXIT_MEAN_DURATION_DAYS, 7310);
    kh_agg_destroy(&agg);
}

/* Totals come from persons, not from rounded shares:
 *   (311,2012): 1 of 3 attained -> 0.3333; (312,2012): 1 of 6 -> 0.1667;
 *   (312,2011): 2 of 2 -> 1.0000.
 *   (0000,2012): 2/9 = 0.2222 (the mean of the rounded shares would give
 *   0.2500); (0000,2011): 1.0000; (312,0000): 3/8 = 0.3750;
 *   (0000,0000): 4/11 = 0.363636 -> 0.3636.
 * Rows: (0,0) (0,2011) (0,2012) (311,0) (311,2012) (312,0) (312,2011)
 *   (312,2012) = 8, in that order. */
static void test_totals_from_persons(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2014, 0);
    add(agg, person_days(311, 2012, 10, 1));
    add(agg, person_days(311, 2012, 50, 1));
    add(agg, person_days(311, 2012, 50, 1));
    add(agg, person_days(312, 2012, 20, 1));
    for (int i = 0; i < 5; i++)
        add(agg, person_days(312, 2012, 50, 1));
    add(agg, person_days(312, 2011, 30, 1));
    add(agg, person_days(312, 2011, 11, 1));
    assert_int_equal(kh_agg_finish(agg), 0);
    size_t n;
    const kh_indrow_t *rows = kh_agg_rows(agg, KH_IND_EXIT, &n);
    assert_int_equal(n, 8);
    const int keys[8][2] = {{0, 0}, {0, 2011}, {0, 2012}, {311, 0},
                            {311, 2012}, {312, 0}, {312, 2011}, {312, 2012}};
    for (int i = 0; i < 8; i++) {
        assert_int_equal(rows[i].kommnr, keys[i][0]);
        assert_int_equal(rows[i].key2, keys[i][1]);
    }
    expect_cell(must_row(agg, KH_IND_EXIT, 311, 2012), KH_EXIT_ATTAINED_SHARE, 3333);
    expect_cell(must_row(agg, KH_IND_EXIT, 312, 2012), KH_EXIT_ATTAINED_SHARE, 1667);
    expect_cell(must_row(agg, KH_IND_EXIT, 0, 2012), KH_EXIT_ATTAINED_SHARE, 2222);
    expect_cell(must_row(agg, KH_IND_EXIT, 0, 2011), KH_EXIT_ATTAINED_SHARE, 10000);
    expect_cell(must_row(agg, KH_IND_EXIT, 312, 0), KH_EXIT_ATTAINED_SHARE, 3750);
    expect_cell(must_row(agg, KH_IND_EXIT, 0, 0), KH_EXIT_ATTAINED_SHARE, 3636);
    expect_cell(must_row(agg, KH_IND_EXIT, 0, 0), KH_EXIT_EXITS, 11);
    kh_agg_destroy(&agg);
}

/* ---- status ---------------------------------------------------------------------- */

/* (321,2012): p1 resident, work, sa 1000; p2 resident, education, sa 0;
 *   p3 resident, work and education, sa 2501; p4 NOT resident (work,
 *   education, sa 9999: counted in exit only).
 *   persons 3; work 2; education 2; work_or_education 3 -> share 1.0000;
 *   sa_recipients 2 -> share 2/3 = 0.6667; sa_total 3501;
 *   sa_mean 3501/2 = 1750.5 -> 1751 (half away from zero).
 * (322,2012): one person, not resident: exit row exists, status row not;
 *   nor (322,0000) in status.
 * (323,2012): one resident without assistance: sa_total 0, sa_share
 *   0.0000, sa_mean empty (no recipients).
 * (0000,2012) status: persons 4. exit: exits 6. */
static void test_status_only_resident(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2014, 0);
    kh_person_t p = person_days(321, 2012, 10, 1);
    p.work = 1, p.sa_amount = 1000;
    add(agg, p);
    p = person_days(321, 2012, 10, 1);
    p.education = 1;
    add(agg, p);
    p = person_days(321, 2012, 10, 1);
    p.work = 1, p.education = 1, p.sa_amount = 2501;
    add(agg, p);
    p = person_days(321, 2012, 10, 1);
    p.resident = 0, p.work = 1, p.education = 1, p.sa_amount = 9999;
    add(agg, p);
    p = person_days(322, 2012, 10, 1);
    p.resident = 0;
    add(agg, p);
    add(agg, person_days(323, 2012, 10, 1));
    assert_int_equal(kh_agg_finish(agg), 0);

    const kh_indrow_t *row = must_row(agg, KH_IND_STATUS, 321, 2012);
    expect_cell(row, KH_STATUS_PERSONS, 3);
    expect_cell(row, KH_STATUS_WORK, 2);
    expect_cell(row, KH_STATUS_EDUCATION, 2);
    expect_cell(row, KH_STATUS_WORK_OR_EDUCATION, 3);
    expect_cell(row, KH_STATUS_WORK_OR_EDUCATION_SHARE, 10000);
    expect_cell(row, KH_STATUS_SA_RECIPIENTS, 2);
    expect_cell(row, KH_STATUS_SA_SHARE, 6667);
    expect_cell(row, KH_STATUS_SA_TOTAL, 3501);
    expect_cell(row, KH_STATUS_SA_MEAN_PER_RECIPIENT, 1751);
    expect_cell(must_row(agg, KH_IND_EXIT, 321, 2012), KH_EXIT_EXITS, 4);

    assert_non_null(row_of(agg, KH_IND_EXIT, 322, 2012));
    assert_null(row_of(agg, KH_IND_STATUS, 322, 2012));
    assert_null(row_of(agg, KH_IND_STATUS, 322, 0));

    row = must_row(agg, KH_IND_STATUS, 323, 2012);
    expect_cell(row, KH_STATUS_SA_TOTAL, 0);
    expect_cell(row, KH_STATUS_SA_SHARE, 0);
    expect_empty(row, KH_STATUS_SA_MEAN_PER_RECIPIENT);

    expect_cell(must_row(agg, KH_IND_STATUS, 0, 2012), KH_STATUS_PERSONS, 4);
    expect_cell(must_row(agg, KH_IND_EXIT, 0, 2012), KH_EXIT_EXITS, 6);
    expect_rows_sorted(agg, KH_IND_STATUS);
    kh_agg_destroy(&agg);
}

/* ---- predicted attainment ------------------------------------------------------ */

static kh_person_t with_background(kh_person_t p, int landbakgrunn, int kjonn)
{
    p.landbakgrunn = landbakgrunn;
    p.kjonn = kjonn;
    return p;
}

/* ref_monitor: (*,*) 0.5; (100,1) 0.6 -> r 1.2; (100,2) 0.4 -> r 0.8;
 * (400,2) 1.0 -> r 2; (*,1) 0.9 and (200,*) 0.1 are not used.
 * ref_nasjonal: 2011 0.55, 2012 0.6. */
static void add_reference(kh_agg_t *agg, int with_2012)
{
    assert_int_equal(kh_agg_add_monitor(agg, KH_STAR, KH_STAR, "0.5"), 0);
    assert_int_equal(kh_agg_add_monitor(agg, 100, 1, "0.6"), 0);
    assert_int_equal(kh_agg_add_monitor(agg, 100, 2, "0.4"), 0);
    assert_int_equal(kh_agg_add_monitor(agg, 400, 2, "1.0"), 0);
    assert_int_equal(kh_agg_add_monitor(agg, KH_STAR, 1, "0.9"), 0);
    assert_int_equal(kh_agg_add_monitor(agg, 200, KH_STAR, "0.1"), 0);
    assert_int_equal(kh_agg_add_national(agg, 2011, "0.55"), 0);
    if (with_2012)
        assert_int_equal(kh_agg_add_national(agg, 2012, "0,6"), 0);
}

/* (301,2012): A (100,1) attained, B (100,2), C (100,1): r 1.2, 0.8, 1.2;
 *   predicted = 3.2/3 * 0.6 = 0.64; attained 1/3; residual 1/3 - 0.64 =
 *   -0.30667 -> -0.3067.
 * (302,2012): D (200,1) - only (200,*) exists, not used -> r 1; E without
 *   befolkning row -> r 1; both attained: predicted 0.6, residual 0.4.
 * (303,2011): F (400,2) r 2, attained: 2 * 0.55 = 1.1 -> min 1: 1.0000,
 *   residual 1 - 1 = 0.
 * (0000,2012): (1.2+0.8+1.2+1+1) * 0.6 / 5 = 0.624; attained 3/5 ->
 *   residual -0.024.
 * (0000,2011): 1.0000. (0000,0000): (3.12 + 1.1) / 6 = 0.70333 -> 0.7033
 *   (the cap is per row, F's 1.1 enters uncapped); attained 4/6; residual
 *   0.66667 - 0.70333 = -0.036667 -> -0.0367. */
static void test_predicted_and_residual(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2014, 0);
    add(agg, with_background(person_days(301, 2012, 10, 1), 100, 1));
    add(agg, with_background(person_days(301, 2012, 50, 1), 100, 2));
    add(agg, with_background(person_days(301, 2012, 50, 1), 100, 1));
    add(agg, with_background(person_days(302, 2012, 10, 1), 200, 1));
    add(agg, person_days(302, 2012, 10, 1));
    add(agg, with_background(person_days(303, 2011, 10, 1), 400, 2));
    add_reference(agg, 1);
    assert_int_equal(kh_agg_finish(agg), 0);

    const kh_indrow_t *row = must_row(agg, KH_IND_EXIT, 301, 2012);
    expect_cell(row, KH_EXIT_PREDICTED_SHARE, 6400);
    expect_cell(row, KH_EXIT_RESIDUAL, -3067);
    expect_cell(must_row(agg, KH_IND_EXIT, 301, 0), KH_EXIT_PREDICTED_SHARE, 6400);
    row = must_row(agg, KH_IND_EXIT, 302, 2012);
    expect_cell(row, KH_EXIT_PREDICTED_SHARE, 6000);
    expect_cell(row, KH_EXIT_RESIDUAL, 4000);
    row = must_row(agg, KH_IND_EXIT, 303, 2011);
    expect_cell(row, KH_EXIT_PREDICTED_SHARE, 10000);
    expect_cell(row, KH_EXIT_RESIDUAL, 0);
    row = must_row(agg, KH_IND_EXIT, 0, 2012);
    expect_cell(row, KH_EXIT_PREDICTED_SHARE, 6240);
    expect_cell(row, KH_EXIT_RESIDUAL, -240);
    expect_cell(must_row(agg, KH_IND_EXIT, 0, 2011), KH_EXIT_PREDICTED_SHARE, 10000);
    row = must_row(agg, KH_IND_EXIT, 0, 0);
    expect_cell(row, KH_EXIT_PREDICTED_SHARE, 7033);
    expect_cell(row, KH_EXIT_RESIDUAL, -367);
    kh_agg_destroy(&agg);
}

/* Without the national figure for 2012, every row that holds a 2012 exit
 * has no prediction: (301,2012), (301,0000), (0000,2012), (0000,0000);
 * (303,2011) and (0000,2011) keep theirs (1.0000). */
static void test_predicted_missing_national_year(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2014, 0);
    add(agg, with_background(person_days(301, 2012, 10, 1), 100, 1));
    add(agg, with_background(person_days(303, 2011, 10, 1), 400, 2));
    add_reference(agg, 0);
    assert_int_equal(kh_agg_finish(agg), 0);
    const int empty[4][2] = {{301, 2012}, {301, 0}, {0, 2012}, {0, 0}};
    for (int i = 0; i < 4; i++) {
        const kh_indrow_t *row = must_row(agg, KH_IND_EXIT, empty[i][0], empty[i][1]);
        expect_empty(row, KH_EXIT_PREDICTED_SHARE);
        expect_empty(row, KH_EXIT_RESIDUAL);
        expect_cell(row, KH_EXIT_ATTAINED_SHARE, 10000);
        assert_int_equal(row->suppressed, 0);
    }
    expect_cell(must_row(agg, KH_IND_EXIT, 303, 2011), KH_EXIT_PREDICTED_SHARE, 10000);
    expect_cell(must_row(agg, KH_IND_EXIT, 0, 2011), KH_EXIT_PREDICTED_SHARE, 10000);
    kh_agg_destroy(&agg);
}

/* Without a (*, *) row, or with andel 0 there, nothing is predicted. */
static void test_predicted_needs_star_row(void **state)
{
    (void)state;
    for (int variant = 0; variant < 2; variant++) {
        kh_agg_t *agg = new_agg(2010, 2014, 0);
        add(agg, with_background(person_days(301, 2012, 10, 1), 100, 1));
        if (variant == 1)
            assert_int_equal(kh_agg_add_monitor(agg, KH_STAR, KH_STAR, "0.000"), 0);
        assert_int_equal(kh_agg_add_monitor(agg, 100, 1, "0.6"), 0);
        assert_int_equal(kh_agg_add_national(agg, 2012, "0.6"), 0);
        assert_int_equal(kh_agg_finish(agg), 0);
        size_t n;
        const kh_indrow_t *rows = kh_agg_rows(agg, KH_IND_EXIT, &n);
        assert_int_equal(n, 4);
        for (size_t i = 0; i < n; i++) {
            expect_empty(&rows[i], KH_EXIT_PREDICTED_SHARE);
            expect_empty(&rows[i], KH_EXIT_RESIDUAL);
        }
        kh_agg_destroy(&agg);
    }
}

/* A residual that rounds to -0.0000 is stored as 0: national 0.50001,
 * r = 1, attained 1/2: residual = 0.5 - 0.50001 = -0.00001 -> 0;
 * predicted 0.50001 -> 0.5000. */
static void test_residual_negative_zero(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2014, 0);
    add(agg, person_days(301, 2012, 10, 1));
    add(agg, person_days(301, 2012, 50, 1));
    assert_int_equal(kh_agg_add_monitor(agg, KH_STAR, KH_STAR, "0.5"), 0);
    assert_int_equal(kh_agg_add_national(agg, 2012, "0.50001"), 0);
    assert_int_equal(kh_agg_finish(agg), 0);
    const kh_indrow_t *row = must_row(agg, KH_IND_EXIT, 301, 2012);
    expect_cell(row, KH_EXIT_PREDICTED_SHARE, 5000);
    expect_cell(row, KH_EXIT_RESIDUAL, 0);
    kh_agg_destroy(&agg);
}

/* ---- cost ------------------------------------------------------------------------- */

/* Window 2011-2012, k = 0. Exits: (301,2012) 3 attained + 1 not;
 * (303,2012) 1 not attained. ref_kostnader (kommnr already carried forward):
 *   (301,2012) 1000 / 100 / 10     -> cpp 100, admin pp 10
 *   (302,2012) 2000 / 300 / 10     -> cpp 200, admin pp 30
 *   (303,2012) 500/50/5 + 700/70/5 -> summed 1200 / 120 / 10: cpp 120, 12
 *   (304,2011) 1000.5 / 0 / 2      -> cpp 500.25 -> 500
 *   (301,2010) outside the window  -> no row
 * 2012 mean cpp (100+200+120)/3 = 140 (had the merged rows counted twice it
 *   would be (100+200+100+140)/4 = 135):
 *   cost_index 301: 100*100/140 = 71.43 -> 71.4; 302: 142.857 -> 142.9;
 *   303: 85.714 -> 85.7.
 * 2012 mean admin pp 52/3: admin_index 301: 1000*3/52 = 57.69 -> 57.7;
 *   302: 9000/52 = 173.08 -> 173.1; 303: 3600/52 = 69.23 -> 69.2.
 * 2011: one row: cost_index 100.0; admin mean 0 -> admin_index empty.
 * cost_per_attained: 301: 1000/3 = 333.3 -> 333; 302: no exit row ->
 *   empty; 303: attained 0 -> empty; 304: no exit row -> empty. */
static void test_cost_table(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2011, 2012, 0);
    for (int i = 0; i < 3; i++)
        add(agg, person_days(301, 2012, 10, 1));
    add(agg, person_days(301, 2012, 50, 1));
    add(agg, person_days(303, 2012, 50, 1));
    assert_int_equal(kh_agg_add_cost(agg, 301, 2012, "1000", "100", "10"), 0);
    assert_int_equal(kh_agg_add_cost(agg, 303, 2012, "500", "50", "5"), 0);
    assert_int_equal(kh_agg_add_cost(agg, 302, 2012, "2000", "300", "10"), 0);
    assert_int_equal(kh_agg_add_cost(agg, 304, 2011, "1000.5", "0", "2"), 0);
    assert_int_equal(kh_agg_add_cost(agg, 303, 2012, "700", "70", "5"), 0);
    assert_int_equal(kh_agg_add_cost(agg, 301, 2010, "5", "5", "1"), 0);
    assert_int_equal(kh_agg_finish(agg), 0);

    size_t n;
    const kh_indrow_t *rows = kh_agg_rows(agg, KH_IND_COST, &n);
    assert_int_equal(n, 4);
    expect_rows_sorted(agg, KH_IND_COST);
    for (size_t i = 0; i < n; i++)
        assert_int_not_equal(rows[i].kommnr, 0); /* no totals rows */

    const kh_indrow_t *row = must_row(agg, KH_IND_COST, 301, 2012);
    expect_cell(row, KH_COST_COST_PER_PERSON, 100);
    expect_cell(row, KH_COST_COST_INDEX, 714);
    expect_cell(row, KH_COST_ADMIN_INDEX, 577);
    expect_cell(row, KH_COST_COST_PER_ATTAINED, 333);
    row = must_row(agg, KH_IND_COST, 302, 2012);
    expect_cell(row, KH_COST_COST_PER_PERSON, 200);
    expect_cell(row, KH_COST_COST_INDEX, 1429);
    expect_cell(row, KH_COST_ADMIN_INDEX, 1731);
    expect_empty(row, KH_COST_COST_PER_ATTAINED);
    assert_int_equal(row->suppressed, 0);
    row = must_row(agg, KH_IND_COST, 303, 2012);
    expect_cell(row, KH_COST_COST_PER_PERSON, 120);
    expect_cell(row, KH_COST_COST_INDEX, 857);
    expect_cell(row, KH_COST_ADMIN_INDEX, 692);
    expect_empty(row, KH_COST_COST_PER_ATTAINED);
    row = must_row(agg, KH_IND_COST, 304, 2011);
    expect_cell(row, KH_COST_COST_PER_PERSON, 500);
    expect_cell(row, KH_COST_COST_INDEX, 1000);
    expect_empty(row, KH_COST_ADMIN_INDEX);
    expect_empty(row, KH_COST_COST_PER_ATTAINED);
    assert_null(row_of(agg, KH_IND_COST, 301, 2010));
    kh_agg_destroy(&agg);
}

/* kh_agg_add_refdata: the linker's REFDATA rows as they come, the same as
 * the one-row calls (the cost rows of test_cost_table for 301 and 302);
 * the first bad row stops it with its code. */
static void test_refdata_as_sent(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2011, 2012, 0);
    for (int i = 0; i < 3; i++)
        add(agg, person_days(301, 2012, 10, 1));
    add(agg, person_days(301, 2012, 50, 1));
    kh_ref_cost_t cost[2] = {{301, 2012, "1000", "100", "10"}, {302, 2012, "2000", "300", "10"}};
    kh_refdata_t ref = {.ncost = 2, .cost = cost};
    assert_int_equal(kh_agg_add_refdata(agg, &ref), 0);
    assert_int_equal(kh_agg_finish(agg), 0);
    expect_cell(must_row(agg, KH_IND_COST, 301, 2012), KH_COST_COST_PER_PERSON, 100);
    expect_cell(must_row(agg, KH_IND_COST, 302, 2012), KH_COST_COST_PER_PERSON, 200);
    kh_agg_destroy(&agg);

    agg = new_agg(2011, 2012, 0);
    kh_ref_national_t national[1] = {{2012, "0.6x"}};
    ref = (kh_refdata_t){.nnational = 1, .national = national, .ncost = 2, .cost = cost};
    assert_int_equal(kh_agg_add_refdata(agg, &ref), KH_E_DECODE);
    assert_int_equal(kh_agg_finish(agg), 0);
    assert_null(row_of(agg, KH_IND_COST, 301, 2012)); /* rows after the bad one not added */
    kh_agg_destroy(&agg);
}

/* ---- disclosure inside the aggregator ------------------------------------------- */

/* k = 3, one cohort 2012. (301,2012): 2 persons, neither attained;
 * (302,2012): 10 persons, 5 attained (10), 5 not (50).
 * exit rows: (0,0)=12 (0,2012)=12 (301,0)=2 (301,2012)=2 (302,0)=10
 *   (302,2012)=10.
 * Primary: (301,0) and (301,2012) whole (2 < 3). (0000,*) attained 5 of
 *   12 (rest 7) and (302,*) 5 of 10 are safe.
 * Secondary, exits: muni 0 none; muni 301 two; muni 302 none; cohort 0000:
 *   one ((301,0)) -> smallest of 12, 10 -> (302,0) whole; cohort 2012:
 *   one -> (302,2012) whole. Counts: lines hold 0 or 2. Pass 2: nothing.
 * So only the 0000 rows show. Step 7.3 then hides some of their cells
 * (a total of 0, such as parental_leave's, pins every hidden cell of its
 * line at 0); their bases, 12, stay.
 * Status (everyone resident) has the same shape and the same outcome.
 * Cost (301,2012) and (302,2012): attained suppressed -> cost_per_attained
 *   suppressed, row suppressed = 1 (for 301 even though attained is 0),
 *   cost_per_person still shown (100/1 = 100). */
static void test_disclosure_in_tables(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2012, 3);
    add(agg, person_days(301, 2012, 50, 1));
    add(agg, person_days(301, 2012, 50, 1));
    for (int i = 0; i < 10; i++)
        add(agg, person_days(302, 2012, i < 5 ? 10 : 50, 1));
    assert_int_equal(kh_agg_add_cost(agg, 301, 2012, "100", "10", "1"), 0);
    assert_int_equal(kh_agg_add_cost(agg, 302, 2012, "100", "10", "1"), 0);
    assert_int_equal(kh_agg_finish(agg), 0);

    for (int t = KH_IND_EXIT; t <= KH_IND_STATUS; t++) {
        const int hidden[4][2] = {{301, 0}, {301, 2012}, {302, 0}, {302, 2012}};
        for (int i = 0; i < 4; i++) {
            const kh_indrow_t *row = must_row(agg, (kh_indtable_t)t, hidden[i][0], hidden[i][1]);
            assert_int_equal(row->suppressed, 1);
            for (int c = 0; c < kh_schema_indtable((kh_indtable_t)t)->ncols; c++)
                expect_empty(row, c);
        }
        expect_cell(must_row(agg, (kh_indtable_t)t, 0, 2012),
                    kh_disclosure_spec((kh_indtable_t)t)->base, 12);
        assert_int_equal(kh_agg_disclosure_stats(agg, (kh_indtable_t)t)->primary_rows, 2);
        assert_int_equal(kh_agg_disclosure_stats(agg, (kh_indtable_t)t)->secondary_cells, 2);
    }
    const kh_indrow_t *row;
    for (int kommnr = 301; kommnr <= 302; kommnr++) {
        row = must_row(agg, KH_IND_COST, kommnr, 2012);
        assert_int_equal(row->suppressed, 1);
        expect_empty(row, KH_COST_COST_PER_ATTAINED);
        expect_cell(row, KH_COST_COST_PER_PERSON, 100);
        expect_cell(row, KH_COST_COST_INDEX, 1000);
    }
    kh_agg_destroy(&agg);
}

/* k = 3: a primary count suppression takes its dependants, the rest of the
 * row stays. Cohort 2012, 10 persons in each of two municipalities, all
 * sluttstatus 20 (attained, to education) or 50:
 *   (401,*): attained 9, to_education 9 (10 - 9 = 1 < 3: both primary, in
 *            (401,2012) and in (401,0000), which holds the same persons);
 *   (402,*): attained 4, to_education 4 (safe); (0000,*): 13 of 20 (safe).
 * Secondary, attained: muni 0000 none; muni 401 two; muni 402 none;
 *   cohort 0000: 13, S, 4 -> (402,0000); cohort 2012: 13, S, 4 ->
 *   (402,2012). to_education the same. Pass 2: nothing.
 * So the four municipality rows lose attained, to_education and the shares
 * hanging on attained; exits, to_work (0) and the mean duration (1 day ->
 * 1.0) stay; the 0000 rows are untouched. Cost (401,2012): its
 * cost_per_attained is suppressed with attained. */
static void test_count_suppression_keeps_row(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2012, 3);
    for (int i = 0; i < 10; i++)
        add(agg, person_days(401, 2012, i < 9 ? 20 : 50, 1));
    for (int i = 0; i < 10; i++)
        add(agg, person_days(402, 2012, i < 4 ? 20 : 50, 1));
    assert_int_equal(kh_agg_add_cost(agg, 401, 2012, "900", "90", "9"), 0);
    assert_int_equal(kh_agg_finish(agg), 0);
    const int hidden[4][2] = {{401, 0}, {401, 2012}, {402, 0}, {402, 2012}};
    for (int i = 0; i < 4; i++) {
        const kh_indrow_t *row = must_row(agg, KH_IND_EXIT, hidden[i][0], hidden[i][1]);
        assert_int_equal(row->suppressed, 1);
        expect_cell(row, KH_EXIT_EXITS, 10);
        expect_empty(row, KH_EXIT_ATTAINED);
        expect_empty(row, KH_EXIT_ATTAINED_SHARE);
        expect_empty(row, KH_EXIT_ATTAINED_SHARE_ADJUSTED);
        expect_empty(row, KH_EXIT_TO_EDUCATION);
        expect_cell(row, KH_EXIT_TO_WORK, 0);
        expect_cell(row, KH_EXIT_MEAN_DURATION_DAYS, 10);
    }
    const kh_indrow_t *row = must_row(agg, KH_IND_EXIT, 0, 2012);
    expect_cell(row, KH_EXIT_ATTAINED, 13);
    assert_int_equal(row->suppressed, 0);
    assert_int_equal(kh_agg_disclosure_stats(agg, KH_IND_EXIT)->primary_cells, 4);
    assert_int_equal(kh_agg_disclosure_stats(agg, KH_IND_EXIT)->secondary_cells, 4);
    row = must_row(agg, KH_IND_COST, 401, 2012);
    assert_int_equal(row->suppressed, 1);
    expect_empty(row, KH_COST_COST_PER_ATTAINED);
    expect_cell(row, KH_COST_COST_PER_PERSON, 100);
    kh_agg_destroy(&agg);
}

/* k = 0 turns control off: a single person is shown in full. */
static void test_k_zero_shows_small_cells(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2010, 2012, 0);
    add(agg, person_days(501, 2012, 10, 1));
    assert_int_equal(kh_agg_finish(agg), 0);
    const kh_indrow_t *row = must_row(agg, KH_IND_EXIT, 501, 2012);
    expect_cell(row, KH_EXIT_EXITS, 1);
    expect_cell(row, KH_EXIT_ATTAINED, 1);
    expect_cell(row, KH_EXIT_ATTAINED_SHARE, 10000);
    assert_int_equal(row->suppressed, 0);
    expect_cell(must_row(agg, KH_IND_STATUS, 501, 2012), KH_STATUS_PERSONS, 1);
    kh_agg_destroy(&agg);
}

/* ---- input checks ------------------------------------------------------------------ */

static void test_input_errors(void **state)
{
    (void)state;
    kh_agg_params_t bad = {.ref_year = 2013, .cohort_from = 2013, .cohort_to = 2012};
    assert_null(kh_agg_new(&bad));
    bad = (kh_agg_params_t){.ref_year = 2013, .cohort_from = 2010, .cohort_to = 2013,
                            .min_cell = -1};
    assert_null(kh_agg_new(&bad));

    kh_agg_t *agg = new_agg(2010, 2012, 5);
    size_t n = 99;
    assert_null(kh_agg_rows(agg, KH_IND_EXIT, &n)); /* before finish */
    assert_int_equal(n, 0);
    kh_person_t p = person_days(301, 2013, 10, 1);
    assert_int_equal(kh_agg_add_person(agg, &p), KH_E_PROTOCOL); /* outside window */
    p = person_days(0, 2012, 10, 1);
    assert_int_equal(kh_agg_add_person(agg, &p), KH_E_PROTOCOL); /* 0000 is no home */
    assert_int_equal(kh_agg_add_monitor(agg, 100, 1, "0.6x"), KH_E_DECODE);
    assert_int_equal(kh_agg_add_national(agg, 2012, ""), KH_E_DECODE);
    assert_int_equal(kh_agg_add_cost(agg, 301, 2012, "1", "x", "1"), KH_E_DECODE);
    assert_int_equal(kh_agg_add_cost(agg, 0, 2012, "1", "1", "1"), KH_E_PROTOCOL);
    assert_int_equal(kh_agg_add_monitor(agg, KH_STAR, KH_STAR, "0.5"), 0);
    assert_int_equal(kh_agg_add_monitor(agg, KH_STAR, KH_STAR, "0.5"), KH_E_PROTOCOL);
    assert_int_equal(kh_agg_finish(agg), 0);
    assert_int_equal(kh_agg_finish(agg), KH_E_PROTOCOL);
    p = person_days(301, 2012, 10, 1);
    assert_int_equal(kh_agg_add_person(agg, &p), KH_E_PROTOCOL); /* after finish */
    kh_agg_rows(agg, KH_IND_EXIT, &n);
    assert_int_equal(n, 0); /* no persons: no rows */
    kh_agg_destroy(&agg);
    kh_agg_destroy(&agg); /* NULL is fine */

    agg = new_agg(2010, 2012, 5);
    assert_int_equal(kh_agg_add_monitor(agg, 100, 1, "0.5"), 0);
    assert_int_equal(kh_agg_add_monitor(agg, 100, 1, "0.6"), 0);
    assert_int_equal(kh_agg_finish(agg), KH_E_PROTOCOL); /* duplicate key */
    assert_null(kh_agg_rows(agg, KH_IND_EXIT, &n));
    kh_agg_destroy(&agg);

    agg = new_agg(2010, 2012, 5);
    assert_int_equal(kh_agg_add_national(agg, 2011, "0.5"), 0);
    assert_int_equal(kh_agg_add_national(agg, 2011, "0.5"), 0);
    assert_int_equal(kh_agg_finish(agg), KH_E_PROTOCOL);
    kh_agg_destroy(&agg);
}

/* ---- national scale ---------------------------------------------------------------- */

static uint32_t lcg(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

/* 200 000 persons over 400 municipalities x 8 cohorts with k = 5: the
 * totals add up and every row of the disclosed tables keeps the line
 * promise for the base (checked on the 0000 rows, which always stay: the
 * grand total row is never the smallest in a line). Deterministic data. */
/* ---- followup ------------------------------------------------------------------ */

static const kh_indrow_t *followup_row(const kh_agg_t *agg, int kommnr, int cohort, int h,
                                       int kjonn)
{
    size_t n;
    const kh_indrow_t *rows = kh_agg_rows(agg, KH_IND_FOLLOWUP, &n);
    for (size_t i = 0; i < n; i++)
        if (rows[i].kommnr == kommnr && rows[i].key2 == cohort && rows[i].key3 == h &&
            rows[i].key4 == kjonn)
            return &rows[i];
    return NULL;
}

/* (301, 2019): P1 man, h1 in work; P2 woman, h1 education and assistance;
 * P3 no befolkning row (kjonn 9), h1 moved; P4 man, abroad at h1, h2 in
 * work. (4601, 2020): P5 woman, h1 work and education.
 *   (0000, 0000, 1, 0): P1 P2 P3 P5 = 4; work 2, education 2, work or
 *   education 3 -> 0.7500, assistance 1 -> 0.2500, moved 1 -> 0.2500.
 *   (0301, 2019, 1, 9): P3 alone, moved 1.0000. (0301, 2019, 1, 1): P1
 *   only (P4 was abroad). (0301, 0000, 2, 0): P4. No horizon 5 (never in
 *   Norway then), no horizon total, no row without persons. */
static void test_followup_table(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2017, 2024, 0);
    kh_person_t p = person_days(301, 2019, 10, 300);
    p.kjonn = 1;
    p.followup[0] = KH_FU_IN_NORWAY | KH_FU_WORK;
    add(agg, p);
    p.kjonn = 2;
    p.followup[0] = KH_FU_IN_NORWAY | KH_FU_EDUCATION | KH_FU_SA;
    add(agg, p);
    p.kjonn = -1;
    p.followup[0] = KH_FU_IN_NORWAY | KH_FU_MOVED;
    add(agg, p);
    p.kjonn = 1;
    p.followup[0] = 0;
    p.followup[1] = KH_FU_IN_NORWAY | KH_FU_WORK;
    add(agg, p);
    kh_person_t q = person_days(4601, 2020, 10, 300);
    q.kjonn = 2;
    q.followup[0] = KH_FU_IN_NORWAY | KH_FU_WORK | KH_FU_EDUCATION;
    add(agg, q);
    assert_int_equal(kh_agg_finish(agg), 0);

    const kh_indrow_t *all = followup_row(agg, 0, 0, 1, 0);
    assert_non_null(all);
    expect_cell(all, KH_FOLLOWUP_PERSONS, 4);
    expect_cell(all, KH_FOLLOWUP_WORK, 2);
    expect_cell(all, KH_FOLLOWUP_EDUCATION, 2);
    expect_cell(all, KH_FOLLOWUP_WORK_OR_EDUCATION, 3);
    expect_cell(all, KH_FOLLOWUP_WORK_OR_EDUCATION_SHARE, 7500);
    expect_cell(all, KH_FOLLOWUP_SA_RECIPIENTS, 1);
    expect_cell(all, KH_FOLLOWUP_SA_SHARE, 2500);
    expect_cell(all, KH_FOLLOWUP_MOVED, 1);
    expect_cell(all, KH_FOLLOWUP_MOVED_SHARE, 2500);
    const kh_indrow_t *nine = followup_row(agg, 301, 2019, 1, 9);
    assert_non_null(nine);
    expect_cell(nine, KH_FOLLOWUP_PERSONS, 1);
    expect_cell(nine, KH_FOLLOWUP_MOVED_SHARE, 10000);
    const kh_indrow_t *man = followup_row(agg, 301, 2019, 1, 1);
    assert_non_null(man);
    expect_cell(man, KH_FOLLOWUP_PERSONS, 1);
    expect_cell(man, KH_FOLLOWUP_WORK, 1);
    const kh_indrow_t *two = followup_row(agg, 301, 0, 2, 0);
    assert_non_null(two);
    expect_cell(two, KH_FOLLOWUP_PERSONS, 1);
    expect_cell(two, KH_FOLLOWUP_WORK_OR_EDUCATION_SHARE, 10000);
    assert_null(followup_row(agg, 0, 0, 5, 0));
    assert_null(followup_row(agg, 4601, 2020, 2, 0));
    assert_non_null(followup_row(agg, 0, 2020, 1, 2));
    size_t n;
    const kh_indrow_t *rows = kh_agg_rows(agg, KH_IND_FOLLOWUP, &n);
    /* horizon 1: kommnr {0, 301, 4601} x ... counted by hand: (0,0) 0 1 2 9,
     * (0,2019) 0 1 2 9, (0,2020) 0 2, (301,0) 0 1 2 9, (301,2019) 0 1 2 9,
     * (4601,0) 0 2, (4601,2020) 0 2 = 22; horizon 2: P4 in (0|301, 0|2019,
     * 0|1) = 8 */
    assert_int_equal(n, 30);
    for (size_t i = 0; i < n; i++) {
        assert_true(rows[i].key3 == 1 || rows[i].key3 == 2);
        assert_true(rows[i].value[KH_FOLLOWUP_PERSONS] > 0);
        if (i == 0)
            continue;
        const kh_indrow_t *a = &rows[i - 1], *b = &rows[i];
        int64_t ka = ((int64_t)a->kommnr * 10000 + a->key2) * 100 + a->key3 * 10 + a->key4;
        int64_t kb = ((int64_t)b->kommnr * 10000 + b->key2) * 100 + b->key3 * 10 + b->key4;
        assert_true(ka < kb);
    }
    kh_agg_destroy(&agg);
}

static void test_national_scale(void **state)
{
    (void)state;
    kh_agg_t *agg = new_agg(2006, 2013, 5);
    assert_int_equal(kh_agg_add_monitor(agg, KH_STAR, KH_STAR, "0.52"), 0);
    for (int c = 0; c < 50; c++)
        for (int g = 1; g <= 2; g++) {
            char andel[16];
            snprintf(andel, sizeof andel, "0.%02d", 20 + (c * 7 + g) % 60);
            assert_int_equal(kh_agg_add_monitor(agg, 100 + c, g, andel), 0);
        }
    for (int y = 2006; y <= 2013; y++)
        assert_int_equal(kh_agg_add_national(agg, y, "0.55"), 0);
    uint32_t seed = 7;
    int64_t attained = 0;
    for (int i = 0; i < 200000; i++) {
        int home = 1 + (int)(lcg(&seed) % 400) * 7;
        int cohort = 2006 + (int)(lcg(&seed) % 8);
        int status = (lcg(&seed) % 2) ? 10 : 50;
        attained += status == 10;
        kh_person_t p = person_days(home, cohort, status, 300 + (int)(lcg(&seed) % 600));
        p.landbakgrunn = 100 + (int)(lcg(&seed) % 60);
        p.kjonn = 1 + (int)(lcg(&seed) % 2);
        p.resident = lcg(&seed) % 4 != 0;
        p.work = lcg(&seed) % 2;
        p.sa_amount = lcg(&seed) % 3 ? 0 : (int64_t)(lcg(&seed) % 50000);
        add(agg, p);
    }
    for (int m = 0; m < 400; m++)
        for (int y = 2006; y <= 2013; y++)
            assert_int_equal(kh_agg_add_cost(agg, 1 + m * 7, y, "1000000", "100000", "50"), 0);
    assert_int_equal(kh_agg_finish(agg), 0);
    size_t n;
    kh_agg_rows(agg, KH_IND_EXIT, &n);
    assert_int_equal(n, 401 * 9);
    const kh_indrow_t *grand = must_row(agg, KH_IND_EXIT, 0, 0);
    expect_cell(grand, KH_EXIT_EXITS, 200000);
    expect_cell(grand, KH_EXIT_ATTAINED, attained);
    assert_true(grand->present[KH_EXIT_PREDICTED_SHARE]);
    kh_agg_rows(agg, KH_IND_COST, &n);
    assert_int_equal(n, 400 * 8);
    expect_rows_sorted(agg, KH_IND_EXIT);
    expect_rows_sorted(agg, KH_IND_STATUS);
    kh_agg_destroy(&agg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exit_counts_and_shares),
        cmocka_unit_test(test_exit_rounding_and_empty_share),
        cmocka_unit_test(test_exit_extension_and_leap_day),
        cmocka_unit_test(test_totals_from_persons),
        cmocka_unit_test(test_status_only_resident),
        cmocka_unit_test(test_predicted_and_residual),
        cmocka_unit_test(test_predicted_missing_national_year),
        cmocka_unit_test(test_predicted_needs_star_row),
        cmocka_unit_test(test_residual_negative_zero),
        cmocka_unit_test(test_cost_table),
        cmocka_unit_test(test_refdata_as_sent),
        cmocka_unit_test(test_disclosure_in_tables),
        cmocka_unit_test(test_count_suppression_keeps_row),
        cmocka_unit_test(test_k_zero_shows_small_cells),
        cmocka_unit_test(test_input_errors),
        cmocka_unit_test(test_followup_table),
        cmocka_unit_test(test_national_scale),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
