/* test_header.c - unit tests of ingest/header: matching an extract's header
 * line to its table's canonical columns, and the unusable cases. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "ingest/header.h"
#include "proto/err.h"

static char err[256];

static int parse(kh_table_t table, const char *file, const char *text, kh_header_t **h)
{
    kh_csvrec_t rec = {1, text, strlen(text), 0, 0, 0};
    return kh_header_parse(table, file, &rec, h, err, sizeof err);
}

static void expect_unusable(kh_table_t table, const char *file, const char *text, const char *msg)
{
    kh_header_t *h = (kh_header_t *)&h; /* must be reset to NULL */
    assert_int_equal(parse(table, file, text, &h), KH_E_UNUSABLE);
    assert_null(h);
    assert_string_equal(err, msg);
}

static void test_canonical_order(void **state)
{
    (void)state;
    kh_header_t *h = NULL;
    assert_int_equal(parse(KH_TAB_BOSATTE, "bosatte.csv", "fnr;aar;kommnr", &h), 0);
    assert_int_equal(kh_header_nfields(h), 3);
    assert_int_equal(kh_header_field_of(h, KH_BOSATTE_FNR), 0);
    assert_int_equal(kh_header_field_of(h, KH_BOSATTE_AAR), 1);
    assert_int_equal(kh_header_field_of(h, KH_BOSATTE_KOMMNR), 2);
    assert_string_equal(kh_header_name(h, 2), "kommnr");
    assert_string_equal(err, "");
    kh_header_destroy(&h);
    assert_null(h);
    kh_header_destroy(&h);
}

static void test_any_order_any_case_trimmed_quoted(void **state)
{
    (void)state;
    kh_header_t *h = NULL;
    assert_int_equal(parse(KH_TAB_F_INTRO, "f_intro.csv",
                           " SluttStatus ;\"AVGANGSDATO\";fnr\t;StartDato", &h), 0);
    assert_int_equal(kh_header_nfields(h), 4);
    const int *map = kh_header_colmap(h);
    assert_int_equal(map[KH_F_INTRO_FNR], 2);
    assert_int_equal(map[KH_F_INTRO_STARTDATO], 3);
    assert_int_equal(map[KH_F_INTRO_AVGANGSDATO], 1);
    assert_int_equal(map[KH_F_INTRO_SLUTTSTATUS], 0);
    /* names as written, for the quarantine */
    assert_string_equal(kh_header_name(h, 0), "SluttStatus");
    assert_string_equal(kh_header_name(h, 1), "AVGANGSDATO");
    assert_int_equal(kh_header_column_at(h, 3), KH_F_INTRO_STARTDATO);
    kh_header_destroy(&h);
}

static void test_extra_columns_ignored(void **state)
{
    (void)state;
    kh_header_t *h = NULL;
    assert_int_equal(parse(KH_TAB_SHJ, "shj.csv", "kommnr;fnr;;aar;belop;merknad;", &h), 0);
    assert_int_equal(kh_header_nfields(h), 7);
    assert_int_equal(kh_header_column_at(h, 0), -1); /* shj's optional kommnr */
    assert_int_equal(kh_header_column_at(h, 2), -1);
    assert_int_equal(kh_header_column_at(h, 6), -1);
    assert_int_equal(kh_header_field_of(h, KH_SHJ_FNR), 1);
    assert_int_equal(kh_header_field_of(h, KH_SHJ_AAR), 3);
    assert_int_equal(kh_header_field_of(h, KH_SHJ_BELOP), 4);
    assert_string_equal(kh_header_name(h, 2), "");
    kh_header_destroy(&h);
}

static void test_missing_column(void **state)
{
    (void)state;
    expect_unusable(KH_TAB_BOSATTE, "bosatte.csv", "fnr;aar",
                    "bosatte.csv: required column 'kommnr' is missing");
    expect_unusable(KH_TAB_F_JOBBER, "f_jobber.csv.gz", "fnr;org_nr;startdato;sluttdato",
                    "f_jobber.csv.gz: required column 'orgnr' is missing");
    /* optional values do not make an optional column */
    expect_unusable(KH_TAB_F_INTRO, "f_intro.csv", "fnr;startdato;sluttstatus",
                    "f_intro.csv: required column 'avgangsdato' is missing");
}

static void test_duplicate_column(void **state)
{
    (void)state;
    expect_unusable(KH_TAB_BOSATTE, "bosatte.csv", "fnr;aar;kommnr;FNR",
                    "bosatte.csv: column 'FNR' appears twice in the header");
    /* an unknown name twice is a duplicate too */
    expect_unusable(KH_TAB_BOSATTE, "bosatte.csv", "fnr;x;aar;kommnr;X",
                    "bosatte.csv: column 'X' appears twice in the header");
    /* empty names may repeat */
    kh_header_t *h = NULL;
    assert_int_equal(parse(KH_TAB_BOSATTE, "bosatte.csv", ";fnr;;aar;kommnr; ", &h), 0);
    kh_header_destroy(&h);
}

static void test_bad_quoting_and_encoding(void **state)
{
    (void)state;
    expect_unusable(KH_TAB_BOSATTE, "bosatte.csv", "fnr;a\"ar;kommnr",
                    "bosatte.csv: the header line has malformed quoting");
    expect_unusable(KH_TAB_BOSATTE, "bosatte.csv", "\"fnr;aar;kommnr",
                    "bosatte.csv: the header line has malformed quoting");
    expect_unusable(KH_TAB_BOSATTE, "bosatte.csv", "fnr;aar;kommnr;n\xf8kkel",
                    "bosatte.csv: the header line has invalid UTF-8");
    /* valid UTF-8 in an extra column is fine */
    kh_header_t *h = NULL;
    assert_int_equal(parse(KH_TAB_BOSATTE, "bosatte.csv", "fnr;aar;kommnr;n\xc3\xb8kkel", &h), 0);
    assert_string_equal(kh_header_name(h, 3), "n\xc3\xb8kkel");
    kh_header_destroy(&h);
}

static void test_no_header_or_too_long(void **state)
{
    (void)state;
    kh_header_t *h = NULL;
    assert_int_equal(kh_header_parse(KH_TAB_SHJ, "shj.csv", NULL, &h, err, sizeof err),
                     KH_E_UNUSABLE);
    assert_string_equal(err, "shj.csv: no header line (the file holds no data)");
    kh_csvrec_t rec = {3, "", 0, 1, 0, 0};
    assert_int_equal(kh_header_parse(KH_TAB_SHJ, "shj.csv", &rec, &h, err, sizeof err),
                     KH_E_UNUSABLE);
    assert_string_equal(err, "shj.csv: the header line (line 3) is longer than the line limit");
    /* a short error buffer still gets a terminated prefix */
    char small[8];
    assert_int_equal(kh_header_parse(KH_TAB_SHJ, "shj.csv", NULL, &h, small, sizeof small),
                     KH_E_UNUSABLE);
    assert_int_equal(strlen(small), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_canonical_order),
        cmocka_unit_test(test_any_order_any_case_trimmed_quoted),
        cmocka_unit_test(test_extra_columns_ignored),
        cmocka_unit_test(test_missing_column),
        cmocka_unit_test(test_duplicate_column),
        cmocka_unit_test(test_bad_quoting_and_encoding),
        cmocka_unit_test(test_no_header_or_too_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
