/* test_protect.c - unit tests of aggregate/protect: step 7.3 on hand-made
 * and random `status` grids. After protection no suppressed cell's
 * interval is narrower than 1, checked by the outsider in exact mode on the
 * stored form of the rows (suppressed values erased, so it first finds a
 * point of its own: another path than step 7.3's, which starts from the
 * true values); the suppressions of steps 1 and 2 are kept; the result is
 * the same on every run; the `narrow` count is at least the number of
 * primary cells whose exact interval is narrower than k. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "aggregate/disclosure.h"
#include "aggregate/protect.h"

#define NK 3                       /* municipalities */
#define NC 3                       /* cohorts */
#define NROWS ((NK + 1) * (NC + 1))

/* A small deterministic generator (C11 has no reentrant rand). */
static int64_t next_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (int64_t)((*seed >> 16) & 0x7fff);
}

/* A random consistent status grid: inner cells drawn, totals summed. Rows
 * in key order: (0,0), (0,c)..., (k,0), (k,c)... */
static void random_grid(kh_indrow_t *rows, unsigned *seed)
{
    memset(rows, 0, NROWS * sizeof *rows);
    for (int k = 0; k <= NK; k++)
        for (int c = 0; c <= NC; c++) {
            kh_indrow_t *r = &rows[k * (NC + 1) + c];
            r->kommnr = k ? 300 + k : 0;
            r->key2 = c ? 2020 + c : 0;
            for (int col = 0; col < KH_STATUS_NCOLS; col++)
                r->present[col] = 1;
            if (!k || !c)
                continue;
            int64_t persons = 1 + next_rand(seed) % 14;
            int64_t work = next_rand(seed) % (persons + 1), edu = next_rand(seed) % (persons + 1);
            int64_t lo = work > edu ? work : edu, hi = work + edu < persons ? work + edu : persons;
            r->value[KH_STATUS_PERSONS] = persons;
            r->value[KH_STATUS_WORK] = work;
            r->value[KH_STATUS_EDUCATION] = edu;
            r->value[KH_STATUS_WORK_OR_EDUCATION] = lo + next_rand(seed) % (hi - lo + 1);
            r->value[KH_STATUS_SA_RECIPIENTS] = next_rand(seed) % (persons + 1);
        }
    static const int cols[5] = {KH_STATUS_PERSONS, KH_STATUS_WORK, KH_STATUS_EDUCATION,
                                KH_STATUS_WORK_OR_EDUCATION, KH_STATUS_SA_RECIPIENTS};
    for (int k = 1; k <= NK; k++)
        for (int c = 1; c <= NC; c++)
            for (int i = 0; i < 5; i++) {
                int64_t v = rows[k * (NC + 1) + c].value[cols[i]];
                rows[k * (NC + 1)].value[cols[i]] += v;
                rows[c].value[cols[i]] += v;
                rows[0].value[cols[i]] += v;
            }
}

static void protect(kh_indrow_t *rows, const uint32_t *primary, int k, kh_protect_stats_t *stats)
{
    kh_year_tables_t year;
    memset(&year, 0, sizeof year);
    year.rows[KH_IND_STATUS] = rows;
    year.n[KH_IND_STATUS] = NROWS;
    year.primary[KH_IND_STATUS] = primary;
    year.values_known = 1;
    assert_int_equal(kh_protect_year(&year, k, stats), 0);
}

/* The second formulation: the rows as the store keeps them, exact mode.
 * Counts the suppressed cells whose interval is narrower than w (of those
 * marked in primary, unless it is NULL). */
static size_t count_narrower(const kh_indrow_t *rows, double w, const uint32_t *primary)
{
    kh_indrow_t stored[NROWS];
    memcpy(stored, rows, sizeof stored);
    for (size_t i = 0; i < NROWS; i++)
        for (int c = 0; c < KH_STATUS_NCOLS; c++)
            if (!stored[i].present[c])
                stored[i].value[c] = 0;
    kh_year_tables_t year;
    memset(&year, 0, sizeof year);
    year.rows[KH_IND_STATUS] = stored;
    year.n[KH_IND_STATUS] = NROWS;
    kh_outsider_t *o = NULL;
    assert_int_equal(kh_outsider_new(&year, &o), 0);
    size_t narrower = 0;
    for (size_t i = 0; i < kh_outsider_nunknowns(o); i++) {
        kh_cell_t cell = kh_outsider_cell(o, i);
        if (primary && !(primary[cell.row] & (UINT32_C(1) << cell.col)))
            continue;
        double lo = 0, hi = 0;
        assert_int_equal(kh_outsider_bounds(o, i, &lo, &hi), 0);
        narrower += hi - lo < w - 1e-6;
    }
    kh_outsider_destroy(&o);
    return narrower;
}

static size_t count_disclosed(const kh_indrow_t *rows)
{
    return count_narrower(rows, 1.0, NULL);
}

/* Many random grids through steps 1 and 2 and then 7.3. */
static void test_random_grids(void **state)
{
    (void)state;
    unsigned seed = 11;
    size_t before_total = 0, added_total = 0, narrow_total = 0;
    for (int g = 0; g < 200; g++) {
        kh_indrow_t rows[NROWS], again[NROWS];
        uint32_t masks[NROWS], lines_masks[NROWS], primary[NROWS];
        random_grid(rows, &seed);
        int k = 3 + g % 3;
        assert_int_equal(kh_disclosure_primary(rows, NROWS, kh_disclosure_spec(KH_IND_STATUS), k,
                                               primary),
                         0);
        assert_int_equal(kh_disclosure_apply(rows, NROWS,
                                             kh_disclosure_spec(KH_IND_STATUS), k, masks, NULL),
                         0);
        for (size_t i = 0; i < NROWS; i++)
            lines_masks[i] = rows[i].suppressed_mask;
        before_total += count_disclosed(rows);
        memcpy(again, rows, sizeof rows);
        kh_protect_stats_t stats, stats2;
        protect(rows, primary, k, &stats);
        protect(again, primary, k, &stats2);
        /* deterministic */
        assert_memory_equal(rows, again, sizeof rows);
        assert_memory_equal(&stats, &stats2, sizeof stats);
        /* `narrow` counts every primary cell narrower than k, maybe more */
        size_t narrow = count_narrower(rows, (double)k, primary);
        if (stats.narrow[KH_IND_STATUS] < narrow)
            fail_msg("grid %d (k %d): narrow %zu, but %zu primary cells are narrower than k", g,
                     k, stats.narrow[KH_IND_STATUS], narrow);
        narrow_total += narrow;
        /* steps 1 and 2 kept */
        for (size_t i = 0; i < NROWS; i++)
            assert_int_equal(rows[i].suppressed_mask & lines_masks[i], lines_masks[i]);
        /* nothing disclosed, by the other path */
        size_t left = count_disclosed(rows);
        if (left)
            fail_msg("grid %d (k %d): %zu cells still disclosed after 7.3", g, k, left);
        added_total += stats.protection[KH_IND_STATUS];
    }
    /* the grids do exercise 7.3 */
    assert_true(before_total > 0);
    assert_true(added_total > 0);
    assert_true(narrow_total > 0);
}

/* k <= 0: nothing happens. */
static void test_off(void **state)
{
    (void)state;
    unsigned seed = 5;
    kh_indrow_t rows[NROWS], copy[NROWS];
    random_grid(rows, &seed);
    memcpy(copy, rows, sizeof rows);
    kh_protect_stats_t stats;
    protect(rows, NULL, 0, &stats);
    assert_memory_equal(rows, copy, sizeof rows);
    assert_int_equal(stats.protection[KH_IND_STATUS], 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_random_grids),
        cmocka_unit_test(test_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
