/* test_date.c - unit tests of proto/date: days since 1970 both ways over the
 * whole supported range, the calendar's edges (leap years, century years,
 * month lengths), the two accepted text forms and what they refuse, and
 * adding years across 29 February. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "proto/date.h"

static int64_t parse(const char *s, int *rc)
{
    int64_t days = 12345;
    *rc = kh_date_parse(s, strlen(s), &days);
    return days;
}

static void test_epoch_and_known_days(void **state)
{
    (void)state;
    assert_int_equal(kh_date_from_ymd(1970, 1, 1), 0);
    assert_int_equal(kh_date_from_ymd(1970, 1, 2), 1);
    assert_int_equal(kh_date_from_ymd(1969, 12, 31), -1);
    assert_int_equal(kh_date_from_ymd(2000, 3, 1), 11017);
    assert_int_equal(kh_date_from_ymd(2024, 12, 31), 20088);
    assert_int_equal(kh_date_from_ymd(1900, 1, 1), -25567);
}

/* Every day from year 1 to 9999 maps back to itself, one day apart. */
static void test_round_trip_every_day(void **state)
{
    (void)state;
    int64_t first = kh_date_from_ymd(1, 1, 1), last = kh_date_from_ymd(9999, 12, 31);
    int py = 0, pm = 12, pd = 31;
    for (int64_t days = first; days <= last; days++) {
        int y, m, d;
        kh_date_to_ymd(days, &y, &m, &d);
        assert_true(kh_date_valid(y, m, d));
        assert_int_equal(kh_date_from_ymd(y, m, d), days);
        /* the day after the previous one */
        if (d == 1) {
            assert_true(m == pm + 1 || (m == 1 && pm == 12 && y == py + 1));
        } else {
            assert_int_equal(d, pd + 1);
            assert_int_equal(m, pm);
        }
        py = y, pm = m, pd = d;
    }
    assert_int_equal(py, 9999);
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_true(kh_date_is_leap(2000));
    assert_true(kh_date_is_leap(2024));
    assert_false(kh_date_is_leap(1900));
    assert_false(kh_date_is_leap(2100));
    assert_false(kh_date_is_leap(2023));
    assert_true(kh_date_valid(2024, 2, 29));
    assert_false(kh_date_valid(2023, 2, 29));
    assert_false(kh_date_valid(1900, 2, 29));
    assert_true(kh_date_valid(2000, 2, 29));
}

static void test_valid_edges(void **state)
{
    (void)state;
    static const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    for (int m = 1; m <= 12; m++) {
        assert_true(kh_date_valid(2023, m, month_days[m - 1]));
        assert_false(kh_date_valid(2023, m, month_days[m - 1] + 1));
        assert_false(kh_date_valid(2023, m, 0));
    }
    assert_false(kh_date_valid(2023, 0, 1));
    assert_false(kh_date_valid(2023, 13, 1));
    assert_false(kh_date_valid(0, 1, 1));
    assert_false(kh_date_valid(10000, 1, 1));
    assert_true(kh_date_valid(1, 1, 1));
    assert_true(kh_date_valid(9999, 12, 31));
}

static void test_parse_forms(void **state)
{
    (void)state;
    int rc;
    assert_int_equal(parse("2020-01-01", &rc), kh_date_from_ymd(2020, 1, 1));
    assert_int_equal(rc, 0);
    assert_int_equal(parse("20200101", &rc), kh_date_from_ymd(2020, 1, 1));
    assert_int_equal(rc, 0);
    assert_int_equal(parse("2024-02-29", &rc), kh_date_from_ymd(2024, 2, 29));
    assert_int_equal(rc, 0);
    assert_int_equal(parse("1969-12-31", &rc), -1);
    assert_int_equal(rc, 0);
}

/* A refused text leaves *days as it was. */
static void test_parse_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "",           "2020-1-01",  "2020-01-1",   "2020/01/01", "2020-01-01 ", " 2020-01-01",
        "2020-13-01", "2020-00-10", "2021-02-29",  "2020-04-31", "202001011",  "2020011",
        "20201301",   "2O20-01-01", "-020-01-01",  "2020-01-0a", "+2020-01-1", "2020--01-01",
        "0000-01-01", "00000101",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc;
        int64_t days = parse(bad[i], &rc);
        assert_int_equal(rc, -1);
        assert_int_equal(days, 12345);
    }
}

static void test_add_years(void **state)
{
    (void)state;
    int64_t d = kh_date_from_ymd(2020, 2, 29);
    assert_int_equal(kh_date_add_years(d, 1), kh_date_from_ymd(2021, 2, 28));
    assert_int_equal(kh_date_add_years(d, 4), kh_date_from_ymd(2024, 2, 29));
    assert_int_equal(kh_date_add_years(d, -4), kh_date_from_ymd(2016, 2, 29));
    assert_int_equal(kh_date_add_years(d, 80), kh_date_from_ymd(2100, 2, 28));
    d = kh_date_from_ymd(2019, 3, 1);
    assert_int_equal(kh_date_add_years(d, 2), kh_date_from_ymd(2021, 3, 1));
    assert_int_equal(kh_date_add_years(d, 0), d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_epoch_and_known_days),
        cmocka_unit_test(test_round_trip_every_day),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_valid_edges),
        cmocka_unit_test(test_parse_forms),
        cmocka_unit_test(test_parse_refusals),
        cmocka_unit_test(test_add_years),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
