/* test_html.c - numbers as the report writes them for people: thousands
 * separated by a narrow no-break space from 1 000 on, shares as
 * percentages, the residual in percentage points, a cell of each scale,
 * suppressed and unavailable cells. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "cli/html.h"

#define NNBSP "\xe2\x80\xaf"

static void test_thousands(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(kh_html_thousands(buf, sizeof buf, 0), "0");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, 999), "999");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, -999), "-999");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, 1000), "1" NNBSP "000");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, 3608), "3" NNBSP "608");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, -1919), "-1" NNBSP "919");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, 9999), "9" NNBSP "999");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, 10000), "10" NNBSP "000");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, 2264247), "2" NNBSP "264" NNBSP "247");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, -123456), "-123" NNBSP "456");
    assert_string_equal(kh_html_thousands(buf, sizeof buf, INT64_MIN),
                        "-9" NNBSP "223" NNBSP "372" NNBSP "036" NNBSP "854" NNBSP "775" NNBSP "808");
}

static void test_percent(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(kh_html_pct(buf, sizeof buf, 0.5417), "54.2 %");
    assert_string_equal(kh_html_pct(buf, sizeof buf, 1.0), "100.0 %");
    assert_string_equal(kh_html_pct(buf, sizeof buf, -0.0001), "0.0 %");
    assert_string_equal(kh_html_pct(buf, sizeof buf, -0.0237), "-2.4 %");
}

static void test_cells(void **state)
{
    (void)state;
    char buf[64];
    kh_indrow_t row;
    memset(&row, 0, sizeof row);
    row.present[KH_EXIT_EXITS] = 1;
    row.value[KH_EXIT_EXITS] = 12345;
    row.present[KH_EXIT_ATTAINED_SHARE] = 1;
    row.value[KH_EXIT_ATTAINED_SHARE] = 313; /* 0.0313 */
    row.present[KH_EXIT_MEAN_DURATION_DAYS] = 1;
    row.value[KH_EXIT_MEAN_DURATION_DAYS] = 5953; /* 595.3 */
    row.suppressed_mask = 1u << KH_EXIT_ATTAINED;
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_EXITS), "12" NNBSP "345");
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_ATTAINED_SHARE), "3.1 %");
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_MEAN_DURATION_DAYS), "595.3");
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_ATTAINED), ":");
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_RESIDUAL), "");
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, NULL, KH_EXIT_EXITS), "");
    row.present[KH_EXIT_RESIDUAL] = 1;
    /* the residual, a difference of two shares, in percentage points */
    row.value[KH_EXIT_RESIDUAL] = -5; /* -0.05 p.p.: half away from zero */
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_RESIDUAL), "-0.1 p.p.");
    row.value[KH_EXIT_RESIDUAL] = -4; /* -0.04 p.p.: no "-0.0 p.p." */
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_RESIDUAL), "0.0 p.p.");
    row.value[KH_EXIT_RESIDUAL] = -116; /* -0.0116 */
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_RESIDUAL), "-1.2 p.p.");
    row.present[KH_EXIT_PREDICTED_SHARE] = 1; /* a share beside it stays a percentage */
    row.value[KH_EXIT_PREDICTED_SHARE] = 5381;
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_PREDICTED_SHARE), "53.8 %");
    row.present[KH_EXIT_MEAN_DURATION_DAYS] = 1;
    row.value[KH_EXIT_MEAN_DURATION_DAYS] = -5; /* -0.5 */
    assert_string_equal(kh_html_cell(buf, sizeof buf, KH_IND_EXIT, &row, KH_EXIT_MEAN_DURATION_DAYS), "-0.5");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thousands),
        cmocka_unit_test(test_percent),
        cmocka_unit_test(test_cells),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
