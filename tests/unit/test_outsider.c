/* test_outsider.c - unit tests of aggregate/outsider: the outsider's
 * constraints (spec/indicators.md 7.3) on hand-made `status` grids of two
 * municipalities (0301, 1103) and two cohorts (2021, 2022) with their
 * totals, and the intervals derived by hand in the comment above each
 * test. Columns: persons, work, education, work_or_education,
 * sa_recipients. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "aggregate/outsider.h"

typedef struct {
    int32_t kommnr, cohort;
    int64_t persons, work, education, either, sa;
} srow_t;

/* Rows in key order (totals 0 first). */
static const srow_t base_grid[9] = {
    {0, 0, 90, 46, 13, 54, 12},
    {0, 2021, 50, 26, 8, 31, 7},
    {0, 2022, 40, 20, 5, 23, 5},
    {301, 0, 35, 19, 2, 21, 5},
    {301, 2021, 20, 11, 2, 13, 3},
    {301, 2022, 15, 8, 0, 8, 2},
    {1103, 0, 55, 27, 11, 33, 7},
    {1103, 2021, 30, 15, 6, 18, 4},
    {1103, 2022, 25, 12, 5, 15, 3},
};

static void fill(kh_indrow_t *rows, const srow_t *g, size_t n)
{
    memset(rows, 0, n * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        rows[i].kommnr = g[i].kommnr;
        rows[i].key2 = g[i].cohort;
        rows[i].value[KH_STATUS_PERSONS] = g[i].persons;
        rows[i].value[KH_STATUS_WORK] = g[i].work;
        rows[i].value[KH_STATUS_EDUCATION] = g[i].education;
        rows[i].value[KH_STATUS_WORK_OR_EDUCATION] = g[i].either;
        rows[i].value[KH_STATUS_SA_RECIPIENTS] = g[i].sa;
        for (int c = 0; c < KH_STATUS_NCOLS; c++)
            rows[i].present[c] = 1;
    }
}

static size_t row_of(int32_t kommnr, int32_t cohort)
{
    for (size_t i = 0; i < 9; i++)
        if (base_grid[i].kommnr == kommnr && base_grid[i].cohort == cohort)
            return i;
    fail_msg("no row %d/%d", kommnr, cohort);
    return 0;
}

static void hide(kh_indrow_t *rows, int32_t kommnr, int32_t cohort, int col)
{
    kh_indrow_t *r = &rows[row_of(kommnr, cohort)];
    r->present[col] = 0;
    r->suppressed_mask |= UINT32_C(1) << col;
    r->suppressed = 1;
}

/* Hides column `col` in the four inner rows (both municipalities, both
 * cohorts). */
static void hide_inner(kh_indrow_t *rows, int col)
{
    hide(rows, 301, 2021, col);
    hide(rows, 301, 2022, col);
    hide(rows, 1103, 2021, col);
    hide(rows, 1103, 2022, col);
}

/* Builds the constraints of a `status` table of 9 rows. */
static kh_outsider_t *build(kh_indrow_t *rows)
{
    kh_year_tables_t year;
    memset(&year, 0, sizeof year);
    year.rows[KH_IND_STATUS] = rows;
    year.n[KH_IND_STATUS] = 9;
    kh_outsider_t *o = NULL;
    assert_int_equal(kh_outsider_new(&year, &o), 0);
    return o;
}

/* 1 when unknown i's exact interval is narrower than 1. */
static int narrower_than_1(kh_outsider_t *o, size_t i)
{
    double lo = 0, hi = 0;
    assert_int_equal(kh_outsider_bounds(o, i, &lo, &hi), 0);
    return hi - lo < 1.0 - 1e-6;
}

static void assert_interval(kh_outsider_t *o, int32_t kommnr, int32_t cohort, int col,
                            double lo, double hi)
{
    size_t i = kh_outsider_find(o, KH_IND_STATUS, row_of(kommnr, cohort), col);
    assert_true(i != SIZE_MAX);
    double got_lo = 0, got_hi = 0;
    assert_int_equal(kh_outsider_bounds(o, i, &got_lo, &got_hi), 0);
    if (got_lo < lo - 1e-6 || got_lo > lo + 1e-6 || got_hi < hi - 1e-6 || got_hi > hi + 1e-6)
        fail_msg("%04d,%04d col %d: [%g, %g], expected [%g, %g]", kommnr, cohort, col, got_lo,
                 got_hi, lo, hi);
}

/* The first example: education hidden in the four inner cells.
 * Line 0301: e(2021) + e(2022) = 2, and in row (0301,2021)
 * work_or_education - work = 13 - 11 = 2 <= e(2021): so e(2021) = 2 and
 * e(2022) = 0; the cohort lines then give e(1103,2021) = 8 - 2 = 6 and
 * e(1103,2022) = 5 - 0 = 5. All four are exactly disclosed. */
static void test_education_pinned_by_row(void **state)
{
    (void)state;
    kh_indrow_t rows[9];
    fill(rows, base_grid, 9);
    hide_inner(rows, KH_STATUS_EDUCATION);
    kh_outsider_t *o = build(rows);
    assert_int_equal(kh_outsider_nunknowns(o), 4);
    assert_interval(o, 301, 2021, KH_STATUS_EDUCATION, 2, 2);
    assert_interval(o, 301, 2022, KH_STATUS_EDUCATION, 0, 0);
    assert_interval(o, 1103, 2021, KH_STATUS_EDUCATION, 6, 6);
    assert_interval(o, 1103, 2022, KH_STATUS_EDUCATION, 5, 5);
    for (size_t i = 0; i < 4; i++)
        assert_true(narrower_than_1(o, i));
    kh_outsider_destroy(&o);
    assert_null(o);
}

/* sa_recipients hidden in the four inner cells: s(0301,2021) = t gives
 * s(0301,2022) = 5 - t, s(1103,2021) = 7 - t, s(1103,2022) = 5 - (5 - t)
 * = t; all >= 0 and below their persons: t in [0, 5]. Nothing is
 * disclosed. */
static void test_cycle_is_safe(void **state)
{
    (void)state;
    kh_indrow_t rows[9];
    fill(rows, base_grid, 9);
    hide_inner(rows, KH_STATUS_SA_RECIPIENTS);
    kh_outsider_t *o = build(rows);
    assert_interval(o, 301, 2021, KH_STATUS_SA_RECIPIENTS, 0, 5);
    assert_interval(o, 301, 2022, KH_STATUS_SA_RECIPIENTS, 0, 5);
    assert_interval(o, 1103, 2021, KH_STATUS_SA_RECIPIENTS, 2, 7);
    assert_interval(o, 1103, 2022, KH_STATUS_SA_RECIPIENTS, 0, 5);
    for (size_t i = 0; i < kh_outsider_nunknowns(o); i++)
        assert_false(narrower_than_1(o, i));
    kh_outsider_destroy(&o);
}

/* Rows suppressed whole: both rows of 1103 (and so, for the cohort lines,
 * both rows of 0301 too). Municipality 1103 shows sa_recipients 0 in its
 * total, so both its hidden sa cells are exactly 0. Its persons are not
 * exact: p(1103,2021) = t, p(0301,2021) = 50 - t, p(0301,2022) = 35 - 50
 * + t = t - 15, p(1103,2022) = 55 - t, with every base >= 1 and each
 * count below its base: t in [16 + ..]. Only the zero cells are checked. */
static void test_whole_rows_show_zero(void **state)
{
    (void)state;
    srow_t g[9];
    memcpy(g, base_grid, sizeof g);
    /* sa of 1103 all zero: move them to 0301 to keep the totals */
    g[row_of(301, 2021)].sa = 7;
    g[row_of(301, 2022)].sa = 5;
    g[row_of(301, 0)].sa = 12;
    g[row_of(1103, 2021)].sa = 0;
    g[row_of(1103, 2022)].sa = 0;
    g[row_of(1103, 0)].sa = 0;
    kh_indrow_t rows[9];
    fill(rows, g, 9);
    static const int cols[5] = {KH_STATUS_PERSONS, KH_STATUS_WORK, KH_STATUS_EDUCATION,
                                KH_STATUS_WORK_OR_EDUCATION, KH_STATUS_SA_RECIPIENTS};
    for (int c = 0; c < 5; c++)
        hide_inner(rows, cols[c]);
    kh_outsider_t *o = build(rows);
    assert_interval(o, 1103, 2021, KH_STATUS_SA_RECIPIENTS, 0, 0);
    assert_interval(o, 1103, 2022, KH_STATUS_SA_RECIPIENTS, 0, 0);
    size_t persons = kh_outsider_find(o, KH_IND_STATUS, row_of(1103, 2021), KH_STATUS_PERSONS);
    assert_false(narrower_than_1(o, persons));
    kh_outsider_destroy(&o);
}

/* The second example: a row shows work 13 and education 0 with
 * work_or_education hidden, so 13 <= w <= 13 + 0; the municipality line
 * then gives the other hidden cell by subtraction: 21 - 13 = 8. With the
 * cohort lines: w(1103,2021) = 31 - 13 = 18, w(1103,2022) = 23 - 8 = 15. */
static void test_column_relation_and_line(void **state)
{
    (void)state;
    srow_t g[9];
    memcpy(g, base_grid, sizeof g);
    /* (0301,2021): work 13, education 0 (and 2 more in 2022 to keep totals) */
    g[row_of(301, 2021)].work = 13;
    g[row_of(301, 2021)].education = 0;
    g[row_of(301, 2022)].work = 6;
    g[row_of(301, 2022)].education = 2;
    kh_indrow_t rows[9];
    fill(rows, g, 9);
    hide_inner(rows, KH_STATUS_WORK_OR_EDUCATION);
    kh_outsider_t *o = build(rows);
    assert_interval(o, 301, 2021, KH_STATUS_WORK_OR_EDUCATION, 13, 13);
    assert_interval(o, 301, 2022, KH_STATUS_WORK_OR_EDUCATION, 8, 8);
    assert_interval(o, 1103, 2021, KH_STATUS_WORK_OR_EDUCATION, 18, 18);
    assert_interval(o, 1103, 2022, KH_STATUS_WORK_OR_EDUCATION, 15, 15);
    kh_outsider_destroy(&o);
}

/* Independent tables and cells make independent components. */
static void test_components(void **state)
{
    (void)state;
    kh_indrow_t rows[9];
    fill(rows, base_grid, 9);
    hide(rows, 301, 2021, KH_STATUS_SA_RECIPIENTS);
    hide(rows, 301, 2022, KH_STATUS_SA_RECIPIENTS);
    hide(rows, 1103, 2021, KH_STATUS_EDUCATION);
    hide(rows, 1103, 2022, KH_STATUS_EDUCATION);
    kh_year_tables_t year;
    memset(&year, 0, sizeof year);
    year.rows[KH_IND_STATUS] = rows;
    year.n[KH_IND_STATUS] = 9;
    kh_outsider_t *o = NULL;
    assert_int_equal(kh_outsider_new(&year, &o), 0);
    assert_int_equal(kh_outsider_nunknowns(o), 4);
    assert_int_equal(kh_outsider_ncomponents(o), 2);
    assert_int_equal(kh_outsider_component(o, 0), kh_outsider_component(o, 1));
    assert_int_equal(kh_outsider_component(o, 2), kh_outsider_component(o, 3));
    assert_int_not_equal(kh_outsider_component(o, 0), kh_outsider_component(o, 2));
    kh_outsider_destroy(&o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_education_pinned_by_row),
        cmocka_unit_test(test_cycle_is_safe),
        cmocka_unit_test(test_whole_rows_show_zero),
        cmocka_unit_test(test_column_relation_and_line),
        cmocka_unit_test(test_components),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
