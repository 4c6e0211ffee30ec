/* test_across.c - unit tests of aggregate/across: step 7.4 of
 * spec/indicators.md (no cell suppressed in one stored reference year and
 * shown in another) on hand-made `exit` and `cost` tables of a few years.
 * Stored years are made as a run would have stored them: steps 7.1 and 7.2
 * applied to their own values. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "aggregate/across.h"
#include "aggregate/disclosure.h"

#define BIT(c) (UINT32_C(1) << (c))
#define NROWS 9
#define K 5

/* A 2 x 2 grid of municipalities 101, 102 and cohorts 2020, 2021 with its
 * totals: every count is a third of the row's exits, except `attained`
 * of (101, 2020), which is `small` (and the totals above it follow), and
 * to_work and to_education, equal to attained (so that every row keeps
 * the relations of spec/indicators.md 7.3). */
static void make_exit(kh_indrow_t rows[NROWS], int64_t small)
{
    static const int32_t keys[NROWS][2] = {{0, 0}, {0, 2020}, {0, 2021}, {101, 0}, {101, 2020},
                                           {101, 2021}, {102, 0}, {102, 2020}, {102, 2021}};
    memset(rows, 0, NROWS * sizeof *rows);
    for (int i = 0; i < NROWS; i++) {
        kh_indrow_t *r = &rows[i];
        r->kommnr = keys[i][0];
        r->key2 = keys[i][1];
        int leaves = (r->kommnr ? 1 : 2) * (r->key2 ? 1 : 2); /* cells of 15 under it */
        int64_t exits = 15 * leaves;
        int64_t attained = 5 * leaves;
        if ((r->kommnr == 0 || r->kommnr == 101) && (r->key2 == 0 || r->key2 == 2020))
            attained += small - 5;
        for (int c = 0; c < KH_EXIT_NCOLS; c++) {
            r->present[c] = 1;
            r->value[c] = exits / 3;
        }
        r->value[KH_EXIT_EXITS] = exits;
        r->value[KH_EXIT_ATTAINED] = attained;
        r->value[KH_EXIT_TO_WORK] = attained;
        r->value[KH_EXIT_TO_EDUCATION] = attained;
        r->value[KH_EXIT_ATTAINED_SHARE] = attained * 10000 / exits;
    }
}

static void make_cost(kh_indrow_t rows[2])
{
    memset(rows, 0, 2 * sizeof *rows);
    for (int i = 0; i < 2; i++) {
        rows[i].kommnr = 101;
        rows[i].key2 = 2020 + i;
        for (int c = 0; c < KH_COST_NCOLS; c++) {
            rows[i].present[c] = 1;
            rows[i].value[c] = 1000 + c;
        }
    }
}

/* Steps 7.1 and 7.2 as the run that stored the year applied them. */
static void control_n(kh_indrow_t exit[NROWS], kh_indrow_t cost[2], size_t n)
{
    uint32_t masks[NROWS];
    assert_int_equal(kh_disclosure_apply(exit, n, kh_disclosure_spec(KH_IND_EXIT), K, masks,
                                         NULL), 0);
    kh_disclosure_follow_cost(exit, n, cost, 2);
}

static void control(kh_indrow_t exit[NROWS], kh_indrow_t cost[2])
{
    control_n(exit, cost, NROWS);
}

typedef struct {
    kh_indrow_t exit[NROWS], cost[2];
} year_t;

static void add_year(kh_across_t *a, int ref_year, const year_t *y)
{
    for (int i = 0; i < NROWS; i++)
        assert_int_equal(kh_across_add_row(a, ref_year, KH_IND_EXIT, &y->exit[i]), 0);
    for (int i = 0; i < 2; i++)
        assert_int_equal(kh_across_add_row(a, ref_year, KH_IND_COST, &y->cost[i]), 0);
}

static void set_run_n(kh_across_t *a, int ref_year, year_t *y, size_t nexit)
{
    kh_indrow_t *rows[KH_IND_COUNT] = {0};
    size_t n[KH_IND_COUNT] = {0};
    rows[KH_IND_EXIT] = y->exit;
    n[KH_IND_EXIT] = nexit;
    rows[KH_IND_COST] = y->cost;
    n[KH_IND_COST] = 2;
    assert_int_equal(kh_across_set_run(a, ref_year, rows, n, NULL), 0);
}

static void set_run(kh_across_t *a, int ref_year, year_t *y)
{
    set_run_n(a, ref_year, y, NROWS);
}

static const kh_indrow_t *other_rows(const kh_across_t *a, int ref_year, kh_indtable_t t)
{
    for (size_t i = 0; i < kh_across_nyears(a); i++) {
        if (kh_across_year(a, i) == ref_year) {
            size_t n;
            return kh_across_rows(a, i, t, &n);
        }
    }
    fail_msg("no year %d", ref_year);
    return NULL;
}

/* Every year shows or hides each cell alike (rows matched by key: years
 * may hold different rows; nrows[y] of them); a suppressed `attained` has
 * its dependants and cost_per_attained suppressed; no line of a base or
 * count column holds exactly one suppressed cell. */
static void assert_consistent_n(const kh_indrow_t *const years[], const kh_indrow_t *const costs[],
                                const int nrows[], int nyears)
{
    const kh_disclosure_spec_t *spec = kh_disclosure_spec(KH_IND_EXIT);
    for (int y = 0; y < nyears; y++)
        for (int z = 0; z < nyears; z++)
            for (int i = 0; i < nrows[y]; i++)
                for (int j = 0; j < nrows[z]; j++)
                    if (years[y][i].kommnr == years[z][j].kommnr &&
                        years[y][i].key2 == years[z][j].key2)
                        assert_int_equal(years[y][i].suppressed_mask, years[z][j].suppressed_mask);
    for (int y = 0; y < nyears; y++) {
        const kh_indrow_t *rows = years[y];
        int n = nrows[y];
        for (int i = 0; i < n; i++) {
            uint32_t m = rows[i].suppressed_mask;
            for (int c = 0; c < KH_EXIT_NCOLS; c++)
                if (m & BIT(c)) {
                    assert_int_equal(m & spec->dependants[c], spec->dependants[c]);
                    assert_int_equal(rows[i].present[c], 0);
                }
            if (m & BIT(KH_EXIT_ATTAINED) && rows[i].kommnr == 101 && rows[i].key2)
                assert_true(costs[y][rows[i].key2 - 2020].suppressed_mask &
                            BIT(KH_COST_COST_PER_ATTAINED));
        }
        int cols[] = {KH_EXIT_EXITS, KH_EXIT_ATTAINED, KH_EXIT_TO_WORK, KH_EXIT_TO_EDUCATION,
                      KH_EXIT_PARENTAL_LEAVE, KH_EXIT_EXTENDED};
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
            for (int a = 0; a < n; a++) {
                int in_muni = 0, in_cohort = 0;
                for (int b = 0; b < n; b++) {
                    if (!(rows[b].suppressed_mask & BIT(cols[c])))
                        continue;
                    in_muni += rows[b].kommnr == rows[a].kommnr;
                    in_cohort += rows[b].key2 == rows[a].key2;
                }
                assert_int_not_equal(in_muni, 1);
                assert_int_not_equal(in_cohort, 1);
            }
    }
}

static void assert_consistent(const kh_indrow_t *const years[], const kh_indrow_t *const costs[],
                              int nyears)
{
    const int nrows[] = {NROWS, NROWS, NROWS};
    assert_consistent_n(years, costs, nrows, nyears);
}

/* R (2024) hides (101, 2020)'s attained of 2 and, by the lines, three
 * more attained cells (the lines of 101 and of 2020 each hold exactly
 * one: the smallest, (101, 2021) and (102, 2020), go too, and then the
 * line of 2021 and of 102 each hold one: (0, 2021)... until closed).
 * 2023 stored the same grid with 7 there: nothing hidden. Afterwards
 * 2023 hides exactly what R hides, dependants and cost included. */
static void test_cell_hidden_in_one_year_is_hidden_in_both(void **state)
{
    (void)state;
    year_t r, y;
    make_exit(r.exit, 2);
    make_cost(r.cost);
    control(r.exit, r.cost);
    make_exit(y.exit, 7);
    make_cost(y.cost);
    control(y.exit, y.cost);
    assert_int_equal(kh_across_count(KH_IND_EXIT, y.exit, NROWS, NULL), 0);
    size_t r_cells = kh_across_count(KH_IND_EXIT, r.exit, NROWS, NULL);
    assert_true(r_cells >= 4);

    kh_across_t *a = kh_across_new(K);
    add_year(a, 2023, &y);
    set_run(a, 2024, &r);
    kh_across_stats_t st;
    assert_int_equal(kh_across_apply(a, &st), 0);
    const kh_indrow_t *years[] = {r.exit, other_rows(a, 2023, KH_IND_EXIT)};
    const kh_indrow_t *costs[] = {r.cost, other_rows(a, 2023, KH_IND_COST)};
    assert_consistent(years, costs, 2);
    assert_int_equal(st.across_years[KH_IND_EXIT], 0);     /* R had them all already */
    assert_int_equal(st.elsewhere[KH_IND_EXIT], r_cells);  /* 2023 took every one */
    assert_int_equal(st.elsewhere_total, r_cells);
    assert_int_equal(st.changed_years, 1);
    assert_true(kh_across_changed(a, 0, KH_IND_EXIT));
    assert_true(kh_across_changed(a, 0, KH_IND_COST));
    assert_true(st.rounds >= 2);
    /* 2023's values stay where they are shown */
    const kh_indrow_t *y2 = years[1];
    for (int i = 0; i < NROWS; i++)
        for (int c = 0; c < KH_EXIT_NCOLS; c++)
            if (y2[i].present[c])
                assert_int_equal(y2[i].value[c], y.exit[i].value[c]);
    kh_across_destroy(&a);
    assert_null(a);
}

/* The same the other way round: the stored year hides, R (the run) takes
 * it over, and counts it as across_years. */
static void test_run_takes_over_a_stored_suppression(void **state)
{
    (void)state;
    year_t r, y;
    make_exit(r.exit, 7);
    make_cost(r.cost);
    control(r.exit, r.cost);
    make_exit(y.exit, 2);
    make_cost(y.cost);
    control(y.exit, y.cost);
    size_t y_cells = kh_across_count(KH_IND_EXIT, y.exit, NROWS, NULL);
    kh_across_t *a = kh_across_new(K);
    add_year(a, 2022, &y);
    set_run(a, 2024, &r);
    kh_across_stats_t st;
    assert_int_equal(kh_across_apply(a, &st), 0);
    const kh_indrow_t *years[] = {r.exit, other_rows(a, 2022, KH_IND_EXIT)};
    const kh_indrow_t *costs[] = {r.cost, other_rows(a, 2022, KH_IND_COST)};
    assert_consistent(years, costs, 2);
    assert_int_equal(st.across_years[KH_IND_EXIT], y_cells);
    assert_int_equal(st.elsewhere_total, 0);
    assert_int_equal(st.changed_years, 0);
    assert_false(kh_across_changed(a, 0, KH_IND_EXIT));
    kh_across_destroy(&a);
}

/* A value that is merely unavailable (present 0, no suppressed bit) is not
 * in U: the other year keeps showing it. A cell of U that a year holds
 * without a value is still marked suppressed there. */
static void test_unavailable_is_not_suppressed(void **state)
{
    (void)state;
    year_t r, y;
    make_exit(r.exit, 7);
    make_cost(r.cost);
    control(r.exit, r.cost);
    make_exit(y.exit, 7);
    make_cost(y.cost);
    control(y.exit, y.cost);
    /* 2023: (102, 2021) has no predicted share (a national figure missing) */
    y.exit[8].present[KH_EXIT_PREDICTED_SHARE] = 0;
    /* R: (102, 2020) has no attained_share_adjusted; 2023 hid it */
    r.exit[7].present[KH_EXIT_ATTAINED_SHARE_ADJUSTED] = 0;
    y.exit[7].present[KH_EXIT_ATTAINED_SHARE_ADJUSTED] = 0;
    y.exit[7].suppressed_mask |= BIT(KH_EXIT_ATTAINED_SHARE_ADJUSTED);
    y.exit[7].suppressed = 1;
    kh_across_t *a = kh_across_new(K);
    add_year(a, 2023, &y);
    set_run(a, 2024, &r);
    kh_across_stats_t st;
    assert_int_equal(kh_across_apply(a, &st), 0);
    assert_int_equal(r.exit[8].present[KH_EXIT_PREDICTED_SHARE], 1);
    assert_int_equal(r.exit[8].suppressed_mask, 0);
    assert_int_equal(r.exit[7].suppressed_mask, BIT(KH_EXIT_ATTAINED_SHARE_ADJUSTED));
    assert_int_equal(r.exit[7].suppressed, 1);
    /* not a base or count cell: nothing to count, the stored year unchanged */
    assert_int_equal(st.across_years[KH_IND_EXIT], 0);
    assert_false(kh_across_changed(a, 0, KH_IND_EXIT));
    kh_across_destroy(&a);
}

/* Three years whose own suppressions differ: the union goes everywhere.
 * The union of closed years is closed, but R lacks a row, (102, 2021),
 * that 2021's pattern holds: R's lines through it are left with one
 * suppressed cell, R's re-closing hides another, and a later round takes
 * that to the other years. Adding the years in another order gives the
 * same bytes. */
static void run_three(year_t out[3], int reversed, kh_across_stats_t *st)
{
    year_t r, y1, y2;
    make_exit(r.exit, 7);
    make_cost(r.cost);
    /* R: a parental_leave of 3 in (102, 2020) */
    r.exit[7].value[KH_EXIT_PARENTAL_LEAVE] = 3;
    r.exit[6].value[KH_EXIT_PARENTAL_LEAVE] = 8;
    r.exit[1].value[KH_EXIT_PARENTAL_LEAVE] = 8;
    r.exit[0].value[KH_EXIT_PARENTAL_LEAVE] = 18;
    control_n(r.exit, r.cost, NROWS - 1);
    make_exit(y1.exit, 2);
    make_cost(y1.cost);
    control(y1.exit, y1.cost);
    make_exit(y2.exit, 7);
    make_cost(y2.cost);
    /* 2023: an extended of 1 in (101, 2021) */
    y2.exit[5].value[KH_EXIT_EXTENDED] = 1;
    y2.exit[3].value[KH_EXIT_EXTENDED] = 6;
    y2.exit[2].value[KH_EXIT_EXTENDED] = 6;
    y2.exit[0].value[KH_EXIT_EXTENDED] = 16;
    control(y2.exit, y2.cost);
    kh_across_t *a = kh_across_new(K);
    if (reversed) {
        add_year(a, 2023, &y2);
        add_year(a, 2021, &y1);
    } else {
        add_year(a, 2021, &y1);
        add_year(a, 2023, &y2);
    }
    set_run_n(a, 2024, &r, NROWS - 1);
    assert_int_equal(kh_across_apply(a, st), 0);
    assert_int_equal(kh_across_nyears(a), 2);
    assert_int_equal(kh_across_year(a, 0), 2021);
    assert_int_equal(kh_across_year(a, 1), 2023);
    out[0] = r;
    memcpy(out[1].exit, other_rows(a, 2021, KH_IND_EXIT), sizeof out[1].exit);
    memcpy(out[1].cost, other_rows(a, 2021, KH_IND_COST), sizeof out[1].cost);
    memcpy(out[2].exit, other_rows(a, 2023, KH_IND_EXIT), sizeof out[2].exit);
    memcpy(out[2].cost, other_rows(a, 2023, KH_IND_COST), sizeof out[2].cost);
    kh_across_destroy(&a);
}

static void test_several_years_and_rounds(void **state)
{
    (void)state;
    year_t one[3], two[3];
    kh_across_stats_t st1, st2;
    run_three(one, 0, &st1);
    const kh_indrow_t *years[] = {one[0].exit, one[1].exit, one[2].exit};
    const kh_indrow_t *costs[] = {one[0].cost, one[1].cost, one[2].cost};
    const int nrows[] = {NROWS - 1, NROWS, NROWS};
    assert_consistent_n(years, costs, nrows, 3);
    /* the three patterns are all there */
    assert_true(one[0].exit[4].suppressed_mask & BIT(KH_EXIT_ATTAINED));
    assert_true(one[0].exit[7].suppressed_mask & BIT(KH_EXIT_PARENTAL_LEAVE));
    assert_true(one[0].exit[5].suppressed_mask & BIT(KH_EXIT_EXTENDED));
    assert_true(st1.rounds >= 3);
    assert_true(st1.across_years[KH_IND_EXIT] > 0);
    assert_true(st1.elsewhere_total > 0);
    assert_int_equal(st1.changed_years, 2);
    run_three(two, 1, &st2);
    assert_memory_equal(one, two, sizeof one);
    assert_memory_equal(&st1, &st2, sizeof st1);
}

/* A stored year that does not meet today's steps (here: a lone suppressed
 * `extended` in its lines, as a store written under other rules might
 * hold) is re-closed on the first visit although U adds nothing to it,
 * and what that adds reaches R in the next round. */
static void test_stored_year_is_reclosed_once(void **state)
{
    (void)state;
    year_t r, y;
    make_exit(r.exit, 7);
    make_cost(r.cost);
    control(r.exit, r.cost);
    make_exit(y.exit, 7);
    make_cost(y.cost);
    control(y.exit, y.cost);
    kh_disclosure_suppress(&y.exit[4], kh_disclosure_spec(KH_IND_EXIT), KH_EXIT_EXTENDED);
    kh_across_t *a = kh_across_new(K);
    add_year(a, 2023, &y);
    set_run(a, 2024, &r);
    kh_across_stats_t st;
    assert_int_equal(kh_across_apply(a, &st), 0);
    const kh_indrow_t *years[] = {r.exit, other_rows(a, 2023, KH_IND_EXIT)};
    const kh_indrow_t *costs[] = {r.cost, other_rows(a, 2023, KH_IND_COST)};
    assert_consistent(years, costs, 2);
    assert_true(r.exit[4].suppressed_mask & BIT(KH_EXIT_EXTENDED));
    assert_true(kh_across_count(KH_IND_EXIT, r.exit, NROWS, NULL) >= 4);
    assert_int_equal(st.across_years[KH_IND_EXIT], kh_across_count(KH_IND_EXIT, r.exit, NROWS, NULL));
    assert_true(st.elsewhere_total >= 3); /* the closing cells, not the lone one */
    assert_true(st.rounds >= 2);
    assert_true(kh_across_changed(a, 0, KH_IND_EXIT));
    kh_across_destroy(&a);
}

/* k = 0 turns disclosure control off, and 7.4 with it. */
static void test_k_zero_does_nothing(void **state)
{
    (void)state;
    year_t r, y;
    make_exit(r.exit, 7);
    make_cost(r.cost);
    make_exit(y.exit, 2);
    make_cost(y.cost);
    control(y.exit, y.cost);
    year_t before = r;
    kh_across_t *a = kh_across_new(0);
    add_year(a, 2023, &y);
    set_run(a, 2024, &r);
    kh_across_stats_t st;
    assert_int_equal(kh_across_apply(a, &st), 0);
    assert_memory_equal(&before, &r, sizeof r);
    assert_int_equal(st.rounds, 0);
    assert_false(kh_across_changed(a, 0, KH_IND_EXIT));
    kh_across_destroy(&a);
}

static void test_refuses_misuse(void **state)
{
    (void)state;
    year_t r, y;
    make_exit(r.exit, 7);
    make_cost(r.cost);
    make_exit(y.exit, 7);
    make_cost(y.cost);
    kh_across_t *a = kh_across_new(K);
    assert_int_equal(kh_across_apply(a, NULL), -EINVAL); /* no run year */
    kh_across_destroy(&a);

    a = kh_across_new(K);
    set_run(a, 2024, &r);
    assert_int_equal(kh_across_add_row(a, 2024, KH_IND_EXIT, &y.exit[0]), -EINVAL);
    assert_int_equal(kh_across_add_row(a, 0, KH_IND_EXIT, &y.exit[0]), -EINVAL);
    assert_int_equal(kh_across_add_row(a, 2023, KH_IND_COUNT, &y.exit[0]), -EINVAL);
    /* a key stored twice */
    assert_int_equal(kh_across_add_row(a, 2023, KH_IND_EXIT, &y.exit[0]), 0);
    assert_int_equal(kh_across_add_row(a, 2023, KH_IND_EXIT, &y.exit[0]), 0);
    assert_int_equal(kh_across_apply(a, NULL), -EINVAL);
    kh_across_destroy(&a);
    kh_across_destroy(&a); /* NULL is fine */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cell_hidden_in_one_year_is_hidden_in_both),
        cmocka_unit_test(test_run_takes_over_a_stored_suppression),
        cmocka_unit_test(test_unavailable_is_not_suppressed),
        cmocka_unit_test(test_several_years_and_rounds),
        cmocka_unit_test(test_stored_year_is_reclosed_once),
        cmocka_unit_test(test_k_zero_does_nothing),
        cmocka_unit_test(test_refuses_misuse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
