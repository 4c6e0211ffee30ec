/* test_idnum.c - unit tests of transform/idnum.c: national id / D-number
 * rules and their order, the 2032 rule, organisation numbers, masking.
 *
 * All numbers are synthetic. Most are built here by computing the check
 * digits (make_fnr); a few are published test vectors, cited where used. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "proto/reason.h"
#include "transform/idnum.h"

static const int w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
static const int w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};

static int sum_of(const char *s, const int *w, int n)
{
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += (s[i] - '0') * w[i];
    return sum;
}

/* Appends the strict check digit for weights w over out[0..n); -1 when the
 * result is 10 (no valid digit). */
static int append_digit(char *out, const int *w, int n)
{
    int k = 11 - sum_of(out, w, n) % 11;
    if (k == 11)
        k = 0;
    if (k == 10)
        return -1;
    out[n] = (char)('0' + k);
    return 0;
}

/* Builds an 11-digit number from 9 leading digits with strict check
 * digits; asserts that such a number exists. */
static void make_fnr(const char *nine, char out[12])
{
    memcpy(out, nine, 9);
    out[11] = '\0';
    assert_int_equal(append_digit(out, w1, 9), 0);
    assert_int_equal(append_digit(out, w2, 10), 0);
}

static int check(const char *s, int flags)
{
    int64_t id = -1;
    return kh_idnum_check_fnr(s, strlen(s), flags, &id);
}

static void test_published_vectors(void **state)
{
    (void)state;
    int64_t id = 0;
    /* python-stdnum, stdnum/no/fodselsnummer.py docstring: valid. */
    assert_int_equal(kh_idnum_check_fnr("15108695088", 11, 0, &id), KH_R_NONE);
    assert_true(id == INT64_C(15108695088));
    /* Same docstring: an invalid checksum. */
    assert_int_equal(check("15108695077", 0), KH_R_ID_CHECK_DIGIT);
    /* npm norwegian-national-id-validator README: valid (29 Feb 1996)... */
    assert_int_equal(check("29029600013", 0), KH_R_NONE);
    /* ...and invalid: right check digits, but 29 Feb 1999 is no day. */
    assert_int_equal(check("29029900157", 0), KH_R_ID_DATE);
}

static void test_computed_vectors_accept(void **state)
{
    (void)state;
    char fnr[12];
    int64_t id = 0;
    make_fnr("010190124", fnr);
    assert_string_equal(fnr, "01019012480");
    assert_int_equal(kh_idnum_check_fnr(fnr, 11, 0, &id), KH_R_NONE);
    assert_true(id == INT64_C(1019012480));
    make_fnr("311299001", fnr);
    assert_int_equal(check(fnr, 0), KH_R_NONE);
}

static void test_format(void **state)
{
    (void)state;
    assert_int_equal(check("", 0), KH_R_ID_FORMAT);
    assert_int_equal(check("1510869508", 0), KH_R_ID_FORMAT);
    assert_int_equal(check("151086950888", 0), KH_R_ID_FORMAT);
    assert_int_equal(check("1510869508a", 0), KH_R_ID_FORMAT);
    assert_int_equal(check("151086 9508", 0), KH_R_ID_FORMAT);
    assert_int_equal(check("-1510869508", 0), KH_R_ID_FORMAT);
    /* Full-width digits are not ASCII digits. */
    assert_int_equal(check("\xef\xbc\x91" "51086950", 0), KH_R_ID_FORMAT);
    /* A NUL inside the field. */
    assert_int_equal(kh_idnum_check_fnr("15108\0" "95088", 11, 0, &(int64_t){0}), KH_R_ID_FORMAT);
}

static void test_check_digits(void **state)
{
    (void)state;
    char fnr[12];
    make_fnr("151086950", fnr);
    fnr[9] = (char)('0' + (fnr[9] - '0' + 1) % 10);
    assert_int_equal(check(fnr, 0), KH_R_ID_CHECK_DIGIT);
    make_fnr("151086950", fnr);
    fnr[10] = (char)('0' + (fnr[10] - '0' + 1) % 10);
    assert_int_equal(check(fnr, 0), KH_R_ID_CHECK_DIGIT);
    /* 010190123 has no strict k1 (it would be 10): every ending fails. */
    for (int k = 0; k < 100; k++) {
        char s[12] = "010190123xx";
        s[9] = (char)('0' + k / 10);
        s[10] = (char)('0' + k % 10);
        assert_int_equal(check(s, 0), KH_R_ID_CHECK_DIGIT);
    }
}

static void test_d_number(void **state)
{
    (void)state;
    char fnr[12];
    make_fnr("551086950", fnr); /* 15 October + 40 */
    assert_string_equal(fnr, "55108695071");
    assert_int_equal(check(fnr, 0), KH_R_NONE);
    make_fnr("711299123", fnr); /* 31 December + 40 */
    assert_int_equal(check(fnr, 0), KH_R_NONE);
    make_fnr("400101123", fnr); /* day 0 */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    make_fnr("720101123", fnr); /* day 32 */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    make_fnr("700486123", fnr); /* 30 April */
    assert_int_equal(check(fnr, 0), KH_R_NONE);
    make_fnr("710486124", fnr); /* 31 April */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
}

static void test_synthetic(void **state)
{
    (void)state;
    char fnr[12];
    make_fnr("159086950", fnr); /* month 10 + 80 */
    assert_int_equal(check(fnr, 0), KH_R_ID_SYNTHETIC);
    assert_int_equal(check(fnr, KH_IDNUM_ALLOW_SYNTHETIC), KH_R_NONE);
    make_fnr("558186950", fnr); /* D-number and synthetic: 15 January */
    assert_int_equal(check(fnr, 0), KH_R_ID_SYNTHETIC);
    assert_int_equal(check(fnr, KH_IDNUM_ALLOW_SYNTHETIC), KH_R_NONE);
    /* Synthetic with a bad date: id_synthetic first, id_date when allowed. */
    make_fnr("318186950", fnr); /* 31 January fine */
    assert_int_equal(check(fnr, KH_IDNUM_ALLOW_SYNTHETIC), KH_R_NONE);
    make_fnr("308286951", fnr); /* 30 February */
    assert_int_equal(check(fnr, 0), KH_R_ID_SYNTHETIC);
    assert_int_equal(check(fnr, KH_IDNUM_ALLOW_SYNTHETIC), KH_R_ID_DATE);
    /* Month 80 and 93 are neither synthetic nor real. */
    make_fnr("018086950", fnr);
    assert_int_equal(check(fnr, KH_IDNUM_ALLOW_SYNTHETIC), KH_R_ID_DATE);
    make_fnr("019386951", fnr);
    assert_int_equal(check(fnr, KH_IDNUM_ALLOW_SYNTHETIC), KH_R_ID_DATE);
}

static void test_h_and_fh_numbers(void **state)
{
    (void)state;
    char fnr[12];
    make_fnr("155086950", fnr); /* month 10 + 40 */
    assert_int_equal(check(fnr, 0), KH_R_ID_H_NUMBER);
    assert_int_equal(check(fnr, KH_IDNUM_ALLOW_SYNTHETIC), KH_R_ID_H_NUMBER);
    make_fnr("154186950", fnr); /* month 1 + 40 */
    assert_int_equal(check(fnr, 0), KH_R_ID_H_NUMBER);
    make_fnr("155286950", fnr); /* month 12 + 40 */
    assert_int_equal(check(fnr, 0), KH_R_ID_H_NUMBER);
    /* An H-number with wrong check digits is just a wrong number. */
    assert_int_equal(check("15508695061", 0), KH_R_ID_CHECK_DIGIT);
    make_fnr("819086123", fnr);
    assert_string_equal(fnr, "81908612388");
    assert_int_equal(check(fnr, 0), KH_R_ID_FH_NUMBER);
    assert_int_equal(check("81908612389", 0), KH_R_ID_CHECK_DIGIT);
    make_fnr("912345678", fnr);
    assert_int_equal(check(fnr, KH_IDNUM_ALLOW_SYNTHETIC), KH_R_ID_FH_NUMBER);
    /* FH comes before the H rule, H before synthetic and date. */
    make_fnr("815086950", fnr);
    assert_int_equal(check(fnr, 0), KH_R_ID_FH_NUMBER);
    make_fnr("325086951", fnr); /* H-number with day 32 */
    assert_int_equal(check(fnr, 0), KH_R_ID_H_NUMBER);
    /* A bad format comes before all. */
    assert_int_equal(check("9150869506", 0), KH_R_ID_FORMAT);
}

static void test_date_part(void **state)
{
    (void)state;
    char fnr[12];
    make_fnr("290200123", fnr); /* 29 Feb: YY 00 can be 2000 */
    assert_int_equal(check(fnr, 0), KH_R_NONE);
    make_fnr("290204123", fnr);
    assert_int_equal(check(fnr, 0), KH_R_NONE);
    make_fnr("290201124", fnr); /* 2001 and 1901 are not leap years */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    make_fnr("300200001", fnr);
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    make_fnr("310486124", fnr); /* 31 April */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    make_fnr("000186950", fnr); /* day 0 */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    make_fnr("010086950", fnr); /* month 0 */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    make_fnr("011386950", fnr); /* month 13 */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    make_fnr("015386950", fnr); /* month 53: not H (41-52) */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    make_fnr("320186950", fnr); /* day 32 */
    assert_int_equal(check(fnr, 0), KH_R_ID_DATE);
    /* The check digits are judged before the date. */
    make_fnr("320186950", fnr);
    fnr[10] = (char)('0' + (fnr[10] - '0' + 1) % 10);
    assert_int_equal(check(fnr, 0), KH_R_ID_CHECK_DIGIT);
}

/* Finds a k1 for `nine` whose remainder (sum + k1) mod 11 is `rem`, builds
 * the number with a strict k2 and returns 0, or -1 when impossible. */
static int make_2032(const char *nine, int rem, char out[12])
{
    memcpy(out, nine, 9);
    out[11] = '\0';
    int sum = sum_of(nine, w1, 9);
    for (int k = 0; k <= 9; k++) {
        if ((sum + k) % 11 != rem)
            continue;
        out[9] = (char)('0' + k);
        return append_digit(out, w2, 10);
    }
    return -1;
}

static void test_rule_2032(void **state)
{
    (void)state;
    char fnr[12];
    /* Remainder 0 is today's rule: valid either way. */
    assert_int_equal(make_2032("010190100", 0, fnr), 0);
    assert_int_equal(check(fnr, 0), KH_R_NONE);
    assert_int_equal(check(fnr, KH_IDNUM_RULE_2032), KH_R_NONE);
    for (int rem = 1; rem <= 3; rem++) {
        assert_int_equal(make_2032("010190100", rem, fnr), 0);
        assert_int_equal(check(fnr, 0), KH_R_ID_CHECK_DIGIT);
        assert_int_equal(check(fnr, KH_IDNUM_RULE_2032), KH_R_NONE);
    }
    assert_int_equal(make_2032("010190100", 4, fnr), 0);
    assert_int_equal(check(fnr, KH_IDNUM_RULE_2032), KH_R_ID_CHECK_DIGIT);
    /* 010190108 has no strict k1, but 2032 numbers exist for it. */
    assert_int_equal(make_2032("010190108", 1, fnr), 0);
    assert_int_equal(check(fnr, 0), KH_R_ID_CHECK_DIGIT);
    assert_int_equal(check(fnr, KH_IDNUM_RULE_2032), KH_R_NONE);
    /* k2 stays strict under the 2032 rule. */
    fnr[10] = (char)('0' + (fnr[10] - '0' + 1) % 10);
    assert_int_equal(check(fnr, KH_IDNUM_RULE_2032), KH_R_ID_CHECK_DIGIT);
    /* Both options together: a synthetic 2032 number. */
    assert_int_equal(make_2032("159086951", 2, fnr), 0);
    assert_int_equal(check(fnr, KH_IDNUM_RULE_2032), KH_R_ID_SYNTHETIC);
    assert_int_equal(check(fnr, KH_IDNUM_RULE_2032 | KH_IDNUM_ALLOW_SYNTHETIC), KH_R_NONE);
}

static void test_id_untouched_on_reject(void **state)
{
    (void)state;
    int64_t id = 42;
    assert_int_equal(kh_idnum_check_fnr("15108695077", 11, 0, &id), KH_R_ID_CHECK_DIGIT);
    assert_true(id == 42);
}

static int orgnr(const char *s, int64_t *out)
{
    return kh_idnum_check_orgnr(s, strlen(s), out);
}

/* The memo answers as the check itself: ids of every verdict, each
 * repeated, under each set of flags, a changed flag or byte judged again;
 * *id untouched on a reject, also when the reject comes from the memo. */
static void test_memo(void **state)
{
    (void)state;
    static const char *const ids[] = {
        "15108695088", "15108695088", "15108695077", "15108695077", "55108695088",
        "15908695088", "15908695088", "15508695088", "95108695088", "1510869508",
        "1510869508x", "15108695088", "31028695088", "15108695088", "15108695089",
    };
    kh_idnum_memo_t memo;
    memset(&memo, 0, sizeof memo);
    for (int flags = 0; flags < 4; flags++) {
        for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
            for (int twice = 0; twice < 2; twice++) {
                int64_t want_id = -7, got_id = -7;
                size_t len = strlen(ids[i]);
                int want = kh_idnum_check_fnr(ids[i], len, flags, &want_id);
                int got = kh_idnum_check_fnr_memo(&memo, ids[i], len, flags, &got_id);
                assert_int_equal(got, want);
                assert_int_equal(got_id, want_id);
            }
        }
    }
}

static void test_orgnr(void **state)
{
    (void)state;
    int64_t v = 0;
    /* python-stdnum, stdnum/no/orgnr.py docstring: 988 077 917 valid. */
    assert_int_equal(orgnr("988077917", &v), KH_R_NONE);
    assert_true(v == 988077917);
    assert_int_equal(orgnr("988077918", &v), KH_R_BAD_ORGNR);
    /* Computed: 12345678 has sum 3+4+21+24+25+24+21+16 = 138, 138 mod 11 =
     * 6, check digit 5. */
    assert_int_equal(orgnr("123456785", &v), KH_R_NONE);
    /* 10000000: sum 3 -> 8. 40000000: sum 12, mod 1 -> 10: invalid. */
    assert_int_equal(orgnr("100000008", &v), KH_R_NONE);
    for (int d = 0; d <= 9; d++) {
        char s[10] = "40000000x";
        s[8] = (char)('0' + d);
        assert_int_equal(orgnr(s, &v), KH_R_BAD_ORGNR);
    }
    /* 11 -> 0: 00000000 has sum 0; 14000000 has sum 3 + 8 = 11. */
    assert_int_equal(orgnr("000000000", &v), KH_R_NONE);
    assert_int_equal(orgnr("140000000", &v), KH_R_NONE);
    assert_int_equal(orgnr("140000001", &v), KH_R_BAD_ORGNR);
    /* 10000011: 3 + 3 + 2 = 8 -> 3. */
    assert_int_equal(orgnr("100000113", &v), KH_R_NONE);
    assert_int_equal(orgnr("", &v), KH_R_BAD_ORGNR);
    assert_int_equal(orgnr("98807791", &v), KH_R_BAD_ORGNR);
    assert_int_equal(orgnr("9880779170", &v), KH_R_BAD_ORGNR);
    assert_int_equal(orgnr("988 077 917", &v), KH_R_BAD_ORGNR);
    assert_int_equal(orgnr("98807791a", &v), KH_R_BAD_ORGNR);
}

static void expect_mask(const char *in, const char *want)
{
    char out[64];
    size_t n = kh_idnum_mask(in, strlen(in), out, sizeof out);
    assert_string_equal(out, want);
    assert_int_equal(n, strlen(want));
}

static void test_mask(void **state)
{
    (void)state;
    expect_mask("01010112377", "0101******7");
    expect_mask("", "");
    expect_mask("1", "*");
    expect_mask("123", "***");
    expect_mask("1234", "1***");
    expect_mask("123456", "1*****");
    expect_mask("1234567", "12****7");
    expect_mask("1234567890", "12*******0");
    expect_mask("123456789012", "1234*******2");
    /* Non-printable or non-ASCII shown bytes become stars. */
    expect_mask("\xc3\xa5" "010112345", "**01******5");
    expect_mask("a b\tc", "a****");
    char long_in[201];
    memset(long_in, '7', 200);
    long_in[200] = '\0';
    char out[64];
    size_t n = kh_idnum_mask(long_in, 200, out, sizeof out);
    assert_int_equal(n, KH_IDNUM_MASK_MAX);
    assert_memory_equal(out, "7777", 4);
    assert_int_equal(out[n - 1], '7');
    for (size_t i = 4; i + 1 < n; i++)
        assert_int_equal(out[i], '*');
}

static void test_mask_small_buffer(void **state)
{
    (void)state;
    char out[8];
    /* Room for 7: the 11-char id shows 4 + 2 stars + 1. */
    assert_int_equal(kh_idnum_mask("01010112377", 11, out, 8), 7);
    assert_string_equal(out, "0101**7");
    /* Room for 5: not enough for head, a star and tail: stars only. */
    assert_int_equal(kh_idnum_mask("01010112377", 11, out, 6), 5);
    assert_string_equal(out, "*****");
    assert_int_equal(kh_idnum_mask("01010112377", 11, out, 1), 0);
    assert_string_equal(out, "");
    out[0] = 'x';
    assert_int_equal(kh_idnum_mask("01010112377", 11, out, 0), 0);
    assert_int_equal(out[0], 'x');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_published_vectors),
        cmocka_unit_test(test_computed_vectors_accept),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_check_digits),
        cmocka_unit_test(test_d_number),
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_h_and_fh_numbers),
        cmocka_unit_test(test_date_part),
        cmocka_unit_test(test_rule_2032),
        cmocka_unit_test(test_id_untouched_on_reject),
        cmocka_unit_test(test_memo),
        cmocka_unit_test(test_orgnr),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_mask_small_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
