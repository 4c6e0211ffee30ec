/* test_kommune.c - unit tests of transform/kommune.c: municipality codes
 * carried forward through ref_kommuneendringer (chains, mergers, splits,
 * cycles, ignored rows, dates). Synthetic codes besides SSB's real ones. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>

#include "proto/date.h"
#include "transform/kommune.h"

static int64_t day(int y, int m, int d)
{
    return kh_date_from_ymd(y, m, d);
}

static kh_kommune_t *resolved(const int32_t (*rows)[2], const int64_t *dates, int n, int ref_year)
{
    kh_kommune_t *k = kh_kommune_new();
    for (int i = 0; i < n; i++)
        assert_int_equal(kh_kommune_add(k, rows[i][0], rows[i][1], dates[i]), 0);
    assert_int_equal(kh_kommune_resolve(k, day(ref_year, 1, 1)), 0);
    return k;
}

static void without_changes_codes_stay(void **state)
{
    (void)state;
    kh_kommune_t *k = kh_kommune_new();
    assert_int_equal(kh_kommune_carry(k, 301), 301);
    assert_int_equal(kh_kommune_resolve(k, day(2024, 1, 1)), 0);
    assert_int_equal(kh_kommune_carry(k, 219), 219);
    assert_int_equal(kh_kommune_carry(k, 9999), 9999);
    kh_kommune_destroy(&k);
    assert_null(k);
    kh_kommune_destroy(NULL);
}

static void chain_followed_and_dates_matter(void **state)
{
    (void)state;
    const int32_t rows[][2] = {{219, 3024}, {3024, 3201}, {1601, 5001}};
    const int64_t dates[] = {day(2020, 1, 1), day(2024, 1, 1), day(2018, 1, 1)};
    kh_kommune_t *k = resolved(rows, dates, 3, 2024);
    assert_int_equal(kh_kommune_carry(k, 219), 3201);
    assert_int_equal(kh_kommune_carry(k, 3024), 3201);
    assert_int_equal(kh_kommune_carry(k, 3201), 3201);
    assert_int_equal(kh_kommune_carry(k, 1601), 5001);
    /* For R = 2023 the 2024 change is dated after 1 January of R. */
    assert_int_equal(kh_kommune_resolve(k, day(2023, 1, 1)), 0);
    assert_int_equal(kh_kommune_carry(k, 219), 3024);
    assert_int_equal(kh_kommune_carry(k, 3024), 3024);
    /* A change dated exactly 1 January of R applies. */
    assert_int_equal(kh_kommune_resolve(k, day(2020, 1, 1)), 0);
    assert_int_equal(kh_kommune_carry(k, 219), 3024);
    assert_int_equal(kh_kommune_resolve(k, day(2019, 12, 31)), 0);
    assert_int_equal(kh_kommune_carry(k, 219), 219);
    assert_int_equal(kh_kommune_carry(k, 1601), 5001);
    kh_kommune_destroy(&k);
}

static void order_of_dates_irrelevant(void **state)
{
    (void)state;
    /* The second step is dated before the first: still chained. */
    const int32_t rows[][2] = {{3024, 3201}, {219, 3024}};
    const int64_t dates[] = {day(2010, 1, 1), day(2020, 1, 1)};
    kh_kommune_t *k = resolved(rows, dates, 2, 2024);
    assert_int_equal(kh_kommune_carry(k, 219), 3201);
    kh_kommune_destroy(&k);
}

static void merger(void **state)
{
    (void)state;
    const int32_t rows[][2] = {{231, 3030}, {227, 3030}, {226, 3030}};
    const int64_t dates[] = {day(2020, 1, 1), day(2020, 1, 1), day(2020, 1, 1)};
    kh_kommune_t *k = resolved(rows, dates, 3, 2024);
    assert_int_equal(kh_kommune_carry(k, 231), 3030);
    assert_int_equal(kh_kommune_carry(k, 227), 3030);
    assert_int_equal(kh_kommune_carry(k, 226), 3030);
    assert_int_equal(kh_kommune_carry(k, 3030), 3030);
    kh_kommune_destroy(&k);
}

static void split_has_no_successor(void **state)
{
    (void)state;
    /* 1000 splits (even though both parts merge again into 1200); 900 leads
     * into the split; 1100 -> 1101 twice is one change, not a split. */
    const int32_t rows[][2] = {{1000, 1001}, {1000, 1002}, {1001, 1200}, {1002, 1200},
                               {900, 1000}, {1100, 1101}, {1100, 1101}};
    const int64_t d = day(2020, 1, 1);
    const int64_t dates[] = {d, d, d, d, d, d, d};
    kh_kommune_t *k = resolved(rows, dates, 7, 2024);
    assert_int_equal(kh_kommune_carry(k, 1000), KH_KOMMUNE_NONE);
    assert_int_equal(kh_kommune_carry(k, 900), KH_KOMMUNE_NONE);
    assert_int_equal(kh_kommune_carry(k, 1001), 1200);
    assert_int_equal(kh_kommune_carry(k, 1002), 1200);
    assert_int_equal(kh_kommune_carry(k, 1100), 1101);
    kh_kommune_destroy(&k);
}

static void split_dated_after_r_not_applied(void **state)
{
    (void)state;
    const int32_t rows[][2] = {{1000, 1001}, {1000, 1002}};
    const int64_t dates[] = {day(2020, 1, 1), day(2025, 1, 1)};
    kh_kommune_t *k = resolved(rows, dates, 2, 2024);
    assert_int_equal(kh_kommune_carry(k, 1000), 1001);
    kh_kommune_destroy(&k);
}

static void cycle_has_no_successor(void **state)
{
    (void)state;
    const int32_t rows[][2] = {{2000, 2001}, {2001, 2000}, {2002, 2000}, {2003, 2004}};
    const int64_t d = day(2019, 1, 1);
    const int64_t dates[] = {d, d, d, d};
    kh_kommune_t *k = resolved(rows, dates, 4, 2024);
    assert_int_equal(kh_kommune_carry(k, 2000), KH_KOMMUNE_NONE);
    assert_int_equal(kh_kommune_carry(k, 2001), KH_KOMMUNE_NONE);
    assert_int_equal(kh_kommune_carry(k, 2002), KH_KOMMUNE_NONE);
    assert_int_equal(kh_kommune_carry(k, 2003), 2004);
    kh_kommune_destroy(&k);
}

static void same_code_rows_ignored(void **state)
{
    (void)state;
    /* 3000 -> 3000 neither moves the code nor makes a split with 3000 -> 3001;
     * 3100 -> 3100 alone is no cycle. */
    const int32_t rows[][2] = {{3000, 3000}, {3000, 3001}, {3100, 3100}};
    const int64_t d = day(2019, 1, 1);
    const int64_t dates[] = {d, d, d};
    kh_kommune_t *k = resolved(rows, dates, 3, 2024);
    assert_int_equal(kh_kommune_carry(k, 3000), 3001);
    assert_int_equal(kh_kommune_carry(k, 3100), 3100);
    assert_int_equal(kh_kommune_count(k), 1);
    kh_kommune_destroy(&k);
}

static void bad_codes_refused(void **state)
{
    (void)state;
    kh_kommune_t *k = kh_kommune_new();
    assert_int_equal(kh_kommune_add(k, 0, 301, 0), -EINVAL);
    assert_int_equal(kh_kommune_add(k, 301, 10000, 0), -EINVAL);
    assert_int_equal(kh_kommune_count(k), 0);
    kh_kommune_destroy(&k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(without_changes_codes_stay),
        cmocka_unit_test(chain_followed_and_dates_matter),
        cmocka_unit_test(order_of_dates_irrelevant),
        cmocka_unit_test(merger),
        cmocka_unit_test(split_has_no_successor),
        cmocka_unit_test(split_dated_after_r_not_applied),
        cmocka_unit_test(cycle_has_no_successor),
        cmocka_unit_test(same_code_rows_ignored),
        cmocka_unit_test(bad_codes_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
