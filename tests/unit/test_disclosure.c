/* test_disclosure.c - unit tests of aggregate/disclosure: primary and
 * secondary suppression (spec/indicators.md section 7) on hand-made grids.
 * Each expected suppression is derived by hand in the comment above it,
 * line by line, in the order the rule walks them. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "aggregate/disclosure.h"

/* A two-column table: base in column 0, one count in column 1, no
 * dependants, so that the line rules can be followed cell by cell. */
static const kh_disclosure_spec_t two_col = {
    .ncols = 2, .base = 0, .ncounts = 1, .counts = {1},
    .lines = {.ndims = 2, .nkinds = 2, .vary = {1, 0}},
};

/* Only the base is protected: for following the base column's lines alone
 * (with a count column of zeros, the count lines would take zero cells of
 * their own in between). */
static const kh_disclosure_spec_t base_only = {
    .ncols = 2, .base = 0, .ncounts = 0,
    .lines = {.ndims = 2, .nkinds = 2, .vary = {1, 0}},
};

typedef struct {
    int32_t kommnr, key2;
    int64_t base, count;
} cell_t;

static void fill_rows(kh_indrow_t *rows, const cell_t *cells, size_t n)
{
    memset(rows, 0, n * sizeof *rows);
    for (size_t i = 0; i < n; i++) {
        rows[i].kommnr = cells[i].kommnr;
        rows[i].key2 = cells[i].key2;
        rows[i].value[0] = cells[i].base;
        rows[i].value[1] = cells[i].count;
        rows[i].present[0] = rows[i].present[1] = 1;
    }
}

static size_t find(const kh_indrow_t *rows, size_t n, int32_t kommnr, int32_t key2)
{
    for (size_t i = 0; i < n; i++)
        if (rows[i].kommnr == kommnr && rows[i].key2 == key2)
            return i;
    fail_msg("no row %d/%d", kommnr, key2);
    return 0;
}

/* Section 7's promise: no line holds exactly one suppressed value of a base
 * or count column (a row suppressed whole counts in every column). */
static void assert_no_single_in_lines(const kh_indrow_t *rows, size_t n, const uint32_t *masks,
                                      const kh_disclosure_spec_t *spec)
{
    int cols[KH_DISCLOSURE_MAX_COUNTS + 1];
    int ncols = 0;
    cols[ncols++] = spec->base;
    for (int i = 0; i < spec->ncounts; i++)
        cols[ncols++] = spec->counts[i];
    for (int c = 0; c < ncols; c++) {
        for (size_t a = 0; a < n; a++) {
            size_t in_muni = 0, in_cohort = 0;
            for (size_t b = 0; b < n; b++) {
                if (!(masks[b] & (UINT32_C(1) << cols[c])))
                    continue;
                in_muni += rows[b].kommnr == rows[a].kommnr;
                in_cohort += rows[b].key2 == rows[a].key2;
            }
            assert_int_not_equal(in_muni, 1);
            assert_int_not_equal(in_cohort, 1);
        }
    }
}

static void test_k_zero_turns_control_off(void **state)
{
    (void)state;
    const cell_t cells[] = {{0, 0, 1, 1}, {0, 2010, 1, 1}, {101, 0, 1, 1}, {101, 2010, 1, 1}};
    kh_indrow_t rows[4];
    uint32_t masks[4] = {9, 9, 9, 9};
    fill_rows(rows, cells, 4);
    kh_disclosure_stats_t st;
    assert_int_equal(kh_disclosure_apply(rows, 4, &two_col, 0, masks, &st), 0);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(masks[i], 0);
        assert_int_equal(rows[i].suppressed, 0);
        assert_true(rows[i].present[0] && rows[i].present[1]);
    }
    assert_int_equal(st.primary_rows + st.primary_cells + st.secondary_cells + st.passes, 0);
}

/* k = 5. Row (101,2010) has base 3 < 5: whole row. Row (101,2011): count 2
 * (0 < 2 < 5) suppressed. Row (102,2010): count 18 of 20, 20-18 = 2 < 5,
 * suppressed. Row (102,2011): count 0 and count = base are both safe
 * (0 is not > 0); so does (103,2011) (count = base) and (104,2011)
 * (5 is not < 5). Secondary then works on these lines too, so only the
 * primary stats and the cells primary must have taken are checked. */
static void test_primary_rules(void **state)
{
    (void)state;
    const cell_t cells[] = {
        {101, 2010, 3, 1}, {101, 2011, 10, 2}, {102, 2010, 20, 18},
        {102, 2011, 10, 0}, {103, 2011, 10, 10}, {104, 2011, 10, 5},
    };
    kh_indrow_t rows[6];
    uint32_t masks[6];
    fill_rows(rows, cells, 6);
    kh_disclosure_stats_t st;
    assert_int_equal(kh_disclosure_apply(rows, 6, &two_col, 5, masks, &st), 0);
    assert_int_equal(st.primary_rows, 1);
    assert_int_equal(st.primary_cells, 2);
    assert_int_equal(masks[0], 3);           /* whole row: both columns */
    assert_int_equal(rows[0].suppressed, 1);
    assert_false(rows[0].present[0] || rows[0].present[1]);
    assert_int_equal(masks[1] & 2, 2);       /* count 2 */
    assert_int_equal(masks[2] & 2, 2);       /* 20 - 18 = 2 */
}

/* k = 5, base only (count 0 everywhere, which never triggers primary for a
 * base >= 5). Rows (kommnr, cohort) = exits:
 *   (0,0)=27 (0,2010)=9 (0,2011)=18
 *   (101,0)=13 (101,2010)=3 (101,2011)=10
 *   (102,0)=14 (102,2010)=6 (102,2011)=8
 * Primary: (101,2010) whole. Pass 1, exits column:
 *   muni 0: none; muni 101: one -> smallest of 13,10 -> (101,2011);
 *   muni 102: none; cohort 0: none;
 *   cohort 2010: one -> smallest of 9,6 -> (102,2010);
 *   cohort 2011: one ((101,2011)) -> smallest of 18,8 -> (102,2011).
 *   count column: every line holds 0 or 2 (whole rows count) -> nothing.
 * Pass 2 changes nothing: passes = 2, secondary = 3. Totals stay. */
static void test_secondary_base_column(void **state)
{
    (void)state;
    const cell_t cells[] = {
        {0, 0, 27, 0}, {0, 2010, 9, 0}, {0, 2011, 18, 0},
        {101, 0, 13, 0}, {101, 2010, 3, 0}, {101, 2011, 10, 0},
        {102, 0, 14, 0}, {102, 2010, 6, 0}, {102, 2011, 8, 0},
    };
    kh_indrow_t rows[9];
    uint32_t masks[9];
    fill_rows(rows, cells, 9);
    kh_disclosure_stats_t st;
    assert_int_equal(kh_disclosure_apply(rows, 9, &two_col, 5, masks, &st), 0);
    const uint32_t want[9] = {0, 0, 0, 0, 3, 3, 0, 3, 3};
    for (int i = 0; i < 9; i++)
        assert_int_equal(masks[i], want[i]);
    assert_int_equal(st.primary_rows, 1);
    assert_int_equal(st.secondary_cells, 3);
    assert_int_equal(st.passes, 2);
    assert_no_single_in_lines(rows, 9, masks, &two_col);
}

/* k = 5, base only (spec base_only). Exits:
 *   (101,2010)=2 (101,2011)=20 (101,0)=22
 *   (102,2010)=7 (102,2011)=30 (102,0)=37
 *   (103,2010)=9 (103,2011)=8  (103,0)=17
 *   (0,2010)=18  (0,2011)=58   (0,0)=76
 * Primary: (101,2010). Pass 1: muni 101 -> smallest of 22,20 -> (101,2011);
 *   cohort 2010 -> smallest of 18,7,9 -> (102,2010); cohort 2011 (one:
 *   (101,2011)) -> smallest of 58,30,8 -> (103,2011). Muni lines 102 and
 *   103 now hold one each, but they were walked already: a second pass.
 * Pass 2: muni 102 -> smallest of 37,30 -> (102,2011); muni 103 -> smallest
 *   of 17,9 -> (103,2010); cohort lines hold three each.
 * Pass 3: nothing. passes = 3, secondary = 5. */
static void test_secondary_cascade_needs_second_pass(void **state)
{
    (void)state;
    const cell_t cells[] = {
        {0, 0, 76, 0}, {0, 2010, 18, 0}, {0, 2011, 58, 0},
        {101, 0, 22, 0}, {101, 2010, 2, 0}, {101, 2011, 20, 0},
        {102, 0, 37, 0}, {102, 2010, 7, 0}, {102, 2011, 30, 0},
        {103, 0, 17, 0}, {103, 2010, 9, 0}, {103, 2011, 8, 0},
    };
    kh_indrow_t rows[12];
    uint32_t masks[12];
    fill_rows(rows, cells, 12);
    kh_disclosure_stats_t st;
    assert_int_equal(kh_disclosure_apply(rows, 12, &base_only, 5, masks, &st), 0);
    const uint32_t want[12] = {0, 0, 0, 0, 3, 3, 0, 3, 3, 0, 3, 3};
    for (int i = 0; i < 12; i++)
        assert_int_equal(masks[i], want[i]);
    assert_int_equal(st.secondary_cells, 5);
    assert_int_equal(st.passes, 3);
    assert_no_single_in_lines(rows, 12, masks, &base_only);
}

/* k = 3, (base, count):
 *   (101,2010)=(10,9) (101,2011)=(10,5) (101,2012)=(10,5) (101,0)=(30,19)
 *   (102,2010)=(10,4) (102,2011)=(10,4) (102,2012)=(10,4) (102,0)=(30,12)
 *   (0,2010)=(20,13) (0,2011)=(20,9) (0,2012)=(20,9) (0,0)=(60,31)
 * Primary: (101,2010) count, 10 - 9 = 1 < 3. Base column: nothing.
 * Count, pass 1: muni 101 -> 19,5,5: tie at 5 -> lowest cohort (101,2011);
 *   cohort 2010 -> 13,4 -> (102,2010); cohort 2011 -> 9,4 -> (102,2011).
 * Pass 2: nothing. secondary = 3, passes = 2; (101,2012) stays. */
static void test_secondary_tie_goes_to_lowest_key(void **state)
{
    (void)state;
    const cell_t cells[] = {
        {0, 0, 60, 31}, {0, 2010, 20, 13}, {0, 2011, 20, 9}, {0, 2012, 20, 9},
        {101, 0, 30, 19}, {101, 2010, 10, 9}, {101, 2011, 10, 5}, {101, 2012, 10, 5},
        {102, 0, 30, 12}, {102, 2010, 10, 4}, {102, 2011, 10, 4}, {102, 2012, 10, 4},
    };
    kh_indrow_t rows[12];
    uint32_t masks[12];
    fill_rows(rows, cells, 12);
    kh_disclosure_stats_t st;
    assert_int_equal(kh_disclosure_apply(rows, 12, &two_col, 3, masks, &st), 0);
    const uint32_t want[12] = {0, 0, 0, 0, 0, 2, 2, 0, 0, 2, 2, 0};
    for (int i = 0; i < 12; i++)
        assert_int_equal(masks[i], want[i]);
    assert_int_equal(st.primary_cells, 1);
    assert_int_equal(st.secondary_cells, 3);
    assert_int_equal(st.passes, 2);
    assert_true(rows[find(rows, 12, 101, 2011)].suppressed);
    assert_false(rows[find(rows, 12, 101, 2012)].suppressed);
    assert_true(rows[find(rows, 12, 101, 2011)].present[0]); /* count only */
    assert_no_single_in_lines(rows, 12, masks, &two_col);
}

/* k = 3, (base, count):
 *   (101,2010)=(10,0) (101,2011)=(10,9) (101,0)=(20,9)
 *   (102,2010)=(10,4) (102,2011)=(10,4) (102,0)=(20,8)
 *   (0,2010)=(20,4)   (0,2011)=(20,13)  (0,0)=(40,17)
 * Primary: (101,2011) count, 10 - 9 = 1.
 * Count, pass 1: muni 101 -> 9 (101,0), 0 (101,2010): the zero is smallest
 *   -> (101,2010); cohort 2010 -> 4 (0,2010), 4 (102,2010): tie, the 0000
 *   cell is lowest -> (0,2010); cohort 2011 -> 13, 4 -> (102,2011).
 * Pass 2: muni 0 -> 17, 13 -> (0,2011); muni 102 -> 8, 4 -> (102,2010).
 * Pass 3: nothing. secondary = 5, passes = 3. */
static void test_secondary_zeros_and_total_cells(void **state)
{
    (void)state;
    const cell_t cells[] = {
        {0, 0, 40, 17}, {0, 2010, 20, 4}, {0, 2011, 20, 13},
        {101, 0, 20, 9}, {101, 2010, 10, 0}, {101, 2011, 10, 9},
        {102, 0, 20, 8}, {102, 2010, 10, 4}, {102, 2011, 10, 4},
    };
    kh_indrow_t rows[9];
    uint32_t masks[9];
    fill_rows(rows, cells, 9);
    kh_disclosure_stats_t st;
    assert_int_equal(kh_disclosure_apply(rows, 9, &two_col, 3, masks, &st), 0);
    const uint32_t want[9] = {0, 2, 2, 0, 2, 2, 0, 2, 2};
    for (int i = 0; i < 9; i++)
        assert_int_equal(masks[i], want[i]);
    assert_int_equal(st.secondary_cells, 5);
    assert_int_equal(st.passes, 3);
    assert_no_single_in_lines(rows, 9, masks, &two_col);
}

/* Base column first: a whole row taken by the base counts as suppressed in
 * the count column, so a count line holding it and one primary count is
 * left alone. k = 3, (base, count):
 *   (101,2010)=(2,0) (101,2011)=(6,5) (101,2012)=(9,3) (101,0)=(17,8)
 *   (0,*) rows equal to (101,*) rows (one municipality).
 * Primary: (101,2010) whole, (0,2010) whole (both base 2);
 *   (101,2011) and (0,2011) count (6 - 5 = 1).
 * Pass 1, base: muni 0 (0,2010 whole) -> smallest of 17,6,9 -> (0,2011)
 *   whole; muni 101 -> (101,2011) whole; cohort lines hold two each.
 * Count: every line holds 0 or 2 -> nothing (had the whole rows not
 *   counted, (101,2011)'s count would stand alone). Pass 2: nothing. */
static void test_whole_row_counts_in_every_column(void **state)
{
    (void)state;
    const cell_t cells[] = {
        {0, 0, 17, 8}, {0, 2010, 2, 0}, {0, 2011, 6, 5}, {0, 2012, 9, 3},
        {101, 0, 17, 8}, {101, 2010, 2, 0}, {101, 2011, 6, 5}, {101, 2012, 9, 3},
    };
    kh_indrow_t rows[8];
    uint32_t masks[8];
    fill_rows(rows, cells, 8);
    kh_disclosure_stats_t st;
    assert_int_equal(kh_disclosure_apply(rows, 8, &two_col, 3, masks, &st), 0);
    const uint32_t want[8] = {0, 3, 3, 0, 0, 3, 3, 0};
    for (int i = 0; i < 8; i++)
        assert_int_equal(masks[i], want[i]);
    assert_int_equal(st.primary_rows, 2);
    assert_int_equal(st.primary_cells, 2);
    assert_int_equal(st.secondary_cells, 2);
    assert_int_equal(st.passes, 2);
}

/* The exit and status specs carry the dependants of section 7. */
static void test_dependants_of_real_tables(void **state)
{
    (void)state;
    const kh_disclosure_spec_t *exit_spec = kh_disclosure_spec(KH_IND_EXIT);
    const kh_disclosure_spec_t *status_spec = kh_disclosure_spec(KH_IND_STATUS);
    assert_non_null(exit_spec);
    assert_non_null(status_spec);
    assert_null(kh_disclosure_spec(KH_IND_COST));
    assert_int_equal(exit_spec->base, KH_EXIT_EXITS);
    assert_int_equal(status_spec->base, KH_STATUS_PERSONS);

    /* One exit row (k = 5): exits 20, attained 2 (primary), to_work 10,
     * to_education 10, parental_leave 19 (20 - 19 = 1: primary), extended
     * 10. attained takes its share, adjusted share, residual; parental
     * leave takes the adjusted share; the rest stays. */
    kh_indrow_t row;
    memset(&row, 0, sizeof row);
    row.kommnr = 101;
    row.key2 = 2010;
    const int64_t v[KH_EXIT_NCOLS] = {20, 2, 10, 10, 1000, 19, 20000, 300, 10, 5000, 500, -400};
    for (int c = 0; c < KH_EXIT_NCOLS; c++) {
        row.value[c] = v[c];
        row.present[c] = 1;
    }
    uint32_t mask;
    assert_int_equal(kh_disclosure_apply(&row, 1, exit_spec, 5, &mask, NULL), 0);
    const uint32_t want = (1u << KH_EXIT_ATTAINED) | (1u << KH_EXIT_ATTAINED_SHARE) |
                          (1u << KH_EXIT_ATTAINED_SHARE_ADJUSTED) | (1u << KH_EXIT_RESIDUAL) |
                          (1u << KH_EXIT_PARENTAL_LEAVE);
    assert_int_equal(mask, want);
    for (int c = 0; c < KH_EXIT_NCOLS; c++)
        assert_int_equal(row.present[c], !(want & (1u << c)));
    assert_int_equal(row.suppressed, 1);

    /* extended 3 -> extended_share. */
    row.value[KH_EXIT_ATTAINED] = 10;
    row.value[KH_EXIT_PARENTAL_LEAVE] = 0;
    row.value[KH_EXIT_EXTENDED] = 3;
    row.suppressed = 0;
    assert_int_equal(kh_disclosure_apply(&row, 1, exit_spec, 5, &mask, NULL), 0);
    assert_int_equal(mask, (1u << KH_EXIT_EXTENDED) | (1u << KH_EXIT_EXTENDED_SHARE));

    /* Status (k = 5): persons 10, work 5, education 5, work_or_education 8
     * (10 - 8 = 2: primary), sa_recipients 1 (primary). */
    memset(&row, 0, sizeof row);
    const int64_t s[KH_STATUS_NCOLS] = {10, 5, 5, 8, 8000, 1, 1000, 5000, 5000};
    for (int c = 0; c < KH_STATUS_NCOLS; c++) {
        row.value[c] = s[c];
        row.present[c] = 1;
    }
    assert_int_equal(kh_disclosure_apply(&row, 1, status_spec, 5, &mask, NULL), 0);
    assert_int_equal(mask, (1u << KH_STATUS_WORK_OR_EDUCATION) |
                               (1u << KH_STATUS_WORK_OR_EDUCATION_SHARE) |
                               (1u << KH_STATUS_SA_RECIPIENTS) | (1u << KH_STATUS_SA_SHARE) |
                               (1u << KH_STATUS_SA_TOTAL) |
                               (1u << KH_STATUS_SA_MEAN_PER_RECIPIENT));

    /* persons 4 < 5: every column. */
    row.value[KH_STATUS_PERSONS] = 4;
    assert_int_equal(kh_disclosure_apply(&row, 1, status_spec, 5, &mask, NULL), 0);
    assert_int_equal(mask, (1u << KH_STATUS_NCOLS) - 1);
}

/* followup's gender line (spec 8), k = 3, one municipality 0301, cohort
 * 2019, horizon 1, so every (kommnr, cohort) combination holds the same
 * figures: kjonn 1 persons 10 work 4, kjonn 2 8 / 4, kjonn 9 5 / 1, kjonn 0
 * 23 / 9. Primary: work 1 < 3 in the four kjonn-9 rows. Municipality and
 * cohort lines (kjonn fixed) then hold two suppressed work cells each, so
 * they do nothing. Each of the four gender lines (kommnr, cohort, 1) holds
 * one (kjonn 9): the smallest unsuppressed is 4, a tie of kjonn 1 and 2,
 * which goes to the lowest key, kjonn 1. Pass 2 finds every line with two
 * or none. */
static void test_followup_gender_lines(void **state)
{
    (void)state;
    const kh_disclosure_spec_t *spec = kh_disclosure_spec(KH_IND_FOLLOWUP);
    assert_non_null(spec);
    static const int32_t kjonn[4] = {0, 1, 2, 9};
    static const int64_t persons[4] = {23, 10, 8, 5}, work[4] = {9, 4, 4, 1};
    kh_indrow_t rows[16];
    uint32_t masks[16];
    memset(rows, 0, sizeof rows);
    size_t n = 0;
    for (int m = 0; m < 2; m++)
        for (int c = 0; c < 2; c++)
            for (int g = 0; g < 4; g++) {
                kh_indrow_t *r = &rows[n++];
                r->kommnr = m ? 301 : 0;
                r->key2 = c ? 2019 : 0;
                r->key3 = 1;
                r->key4 = kjonn[g];
                r->value[KH_FOLLOWUP_PERSONS] = persons[g];
                r->value[KH_FOLLOWUP_WORK] = work[g];
                r->value[KH_FOLLOWUP_WORK_OR_EDUCATION] = work[g];
                for (int col = 0; col < KH_FOLLOWUP_NCOLS; col++)
                    r->present[col] = 1;
            }
    kh_disclosure_stats_t stats;
    assert_int_equal(kh_disclosure_apply(rows, n, spec, 3, masks, &stats), 0);
    const uint32_t work_cells = UINT32_C(1) << KH_FOLLOWUP_WORK |
                                UINT32_C(1) << KH_FOLLOWUP_WORK_OR_EDUCATION |
                                UINT32_C(1) << KH_FOLLOWUP_WORK_OR_EDUCATION_SHARE;
    for (size_t i = 0; i < n; i++) {
        int hidden = rows[i].key4 == 1 || rows[i].key4 == 9;
        assert_int_equal(masks[i], hidden ? work_cells : 0);
        assert_int_equal(rows[i].suppressed, hidden);
    }
    /* primary: work and work_or_education in 4 rows; lines: both in 4 more */
    assert_int_equal(stats.primary_cells, 8);
    assert_int_equal(stats.secondary_cells, 8);
}

static void test_rejects_unsorted_rows(void **state)
{
    (void)state;
    const cell_t cells[] = {{101, 2010, 10, 1}, {101, 0, 10, 1}};
    kh_indrow_t rows[2];
    uint32_t masks[2];
    fill_rows(rows, cells, 2);
    assert_int_equal(kh_disclosure_apply(rows, 2, &two_col, 5, masks, NULL), -EINVAL);
    assert_int_equal(kh_disclosure_apply(rows, 0, &two_col, 5, masks, NULL), 0);
    assert_int_equal(kh_disclosure_apply(rows, 2, NULL, 5, masks, NULL), -EINVAL);
}

/* A fixed-seed generator: reproducible grids, no clock. */
static uint32_t lcg(uint32_t *seed)
{
    *seed = *seed * 1664525u + 1013904223u;
    return *seed >> 8;
}

/* Consistent random grids (totals are sums of their rows): afterwards no
 * primary-unsafe cell is shown and no line holds a single suppression. */
static void test_random_grids_keep_the_promise(void **state)
{
    (void)state;
    enum { NM = 7, NC = 4, N = (NM + 1) * (NC + 1) };
    uint32_t seed = 12345;
    for (int round = 0; round < 200; round++) {
        int64_t base[NM + 1][NC + 1] = {{0}}, count[NM + 1][NC + 1] = {{0}};
        for (int m = 1; m <= NM; m++)
            for (int c = 1; c <= NC; c++) {
                int64_t b = 1 + lcg(&seed) % 25, k = lcg(&seed) % (uint32_t)(b + 1);
                base[m][c] = b;
                count[m][c] = k;
                base[m][0] += b, count[m][0] += k;
                base[0][c] += b, count[0][c] += k;
                base[0][0] += b, count[0][0] += k;
            }
        kh_indrow_t rows[N];
        uint32_t masks[N];
        memset(rows, 0, sizeof rows);
        size_t n = 0;
        for (int m = 0; m <= NM; m++)
            for (int c = 0; c <= NC; c++) {
                rows[n].kommnr = m ? 100 + m : 0;
                rows[n].key2 = c ? 2000 + c : 0;
                rows[n].value[0] = base[m][c];
                rows[n].value[1] = count[m][c];
                rows[n].present[0] = rows[n].present[1] = 1;
                n++;
            }
        assert_int_equal(kh_disclosure_apply(rows, n, &two_col, 5, masks, NULL), 0);
        assert_no_single_in_lines(rows, n, masks, &two_col);
        for (size_t i = 0; i < n; i++) {
            int64_t b = rows[i].value[0], k = rows[i].value[1];
            if (b < 5)
                assert_int_equal(masks[i], 3);
            if ((k > 0 && k < 5) || (b - k > 0 && b - k < 5))
                assert_true(masks[i] & 2);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_k_zero_turns_control_off),
        cmocka_unit_test(test_primary_rules),
        cmocka_unit_test(test_secondary_base_column),
        cmocka_unit_test(test_secondary_cascade_needs_second_pass),
        cmocka_unit_test(test_secondary_tie_goes_to_lowest_key),
        cmocka_unit_test(test_secondary_zeros_and_total_cells),
        cmocka_unit_test(test_whole_row_counts_in_every_column),
        cmocka_unit_test(test_dependants_of_real_tables),
        cmocka_unit_test(test_followup_gender_lines),
        cmocka_unit_test(test_rejects_unsorted_rows),
        cmocka_unit_test(test_random_grids_keep_the_promise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
