/* test_decimal.c - unit tests of aggregate/decimal: parsing decimal text
 * into exact rationals and rounding half away from zero, once. Every
 * expected value is worked out by hand in the comment beside it. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>
#include <gmp.h>

#include "aggregate/decimal.h"
#include "proto/err.h"

/* Parses `text` and checks it equals num/den exactly. */
static void expect_parse(const char *text, unsigned long num, unsigned long den)
{
    mpq_t q, want;
    mpq_inits(q, want, NULL);
    assert_int_equal(kh_decimal_parse(q, text), 0);
    mpq_set_ui(want, num, den);
    mpq_canonicalize(want);
    assert_true(mpq_equal(q, want));
    mpq_clears(q, want, NULL);
}

static void test_parse_accepts_decimals(void **state)
{
    (void)state;
    expect_parse("0.6123", 6123, 10000);
    expect_parse("526.5", 1053, 2);          /* 5265/10 */
    expect_parse("12", 12, 1);
    expect_parse("0,5", 1, 2);               /* a comma separator is a point */
    expect_parse("007.50", 15, 2);           /* 750/100 */
    expect_parse("0", 0, 1);
    expect_parse("0.0000", 0, 1);
}

static void test_parse_rejects_other_text(void **state)
{
    (void)state;
    static const char *const bad[] = {"", ".5", "5.", "1.2.3", "-1", " 1", "1 ", "1e3", "+1",
                                      "1,2.3", "abc", "0x10"};
    mpq_t q;
    mpq_init(q);
    mpq_set_ui(q, 7, 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(kh_decimal_parse(q, bad[i]), KH_E_DECODE);
    assert_true(mpq_cmp_ui(q, 7, 1) == 0); /* unchanged after a failure */
    mpq_clear(q);
}

static void test_parse_n_uses_length_only(void **state)
{
    (void)state;
    mpq_t q;
    mpq_init(q);
    assert_int_equal(kh_decimal_parse_n(q, "0.25xyz", 4), 0); /* "0.25" */
    assert_true(mpq_cmp_ui(q, 1, 4) == 0);
    mpq_clear(q);
}

static int64_t round_q(long num, unsigned long den, int scale)
{
    mpq_t q;
    mpq_init(q);
    mpq_set_si(q, num, den);
    mpq_canonicalize(q);
    int64_t out = 12345;
    assert_int_equal(kh_decimal_round(q, scale, &out), 0);
    mpq_clear(q);
    return out;
}

static void test_round_half_away_from_zero(void **state)
{
    (void)state;
    assert_int_equal(round_q(1, 32, 4), 313);      /* 0.03125 -> 0.0313 */
    assert_int_equal(round_q(-1, 32, 4), -313);    /* -0.03125 -> -0.0313 */
    assert_int_equal(round_q(1, 3, 4), 3333);      /* 0.33333 -> 0.3333 */
    assert_int_equal(round_q(2, 3, 4), 6667);      /* 0.66666 -> 0.6667 */
    assert_int_equal(round_q(5, 2, 0), 3);         /* 2.5 -> 3 */
    assert_int_equal(round_q(-5, 2, 0), -3);       /* -2.5 -> -3 */
    assert_int_equal(round_q(1, 8, 2), 13);        /* 0.125 -> 0.13 */
    assert_int_equal(round_q(1, 20000, 4), 1);     /* 0.00005 -> 0.0001 */
    assert_int_equal(round_q(-1, 20000, 4), -1);   /* -0.00005 -> -0.0001 */
    assert_int_equal(round_q(1, 20001, 4), 0);     /* just below half */
    assert_int_equal(round_q(1053, 2, 1), 5265);   /* 526.5 at one decimal */
}

static void test_round_negative_zero_is_zero(void **state)
{
    (void)state;
    int64_t v = round_q(-1, 100000, 4);            /* -0.00001 -> -0.0000 -> 0 */
    assert_int_equal(v, 0);
    assert_false(v < 0);
}

static void test_round_errors(void **state)
{
    (void)state;
    mpq_t q;
    mpq_init(q);
    int64_t out = 0;
    mpq_set_ui(q, 1, 1);
    assert_int_equal(kh_decimal_round(q, -1, &out), -EINVAL);
    assert_int_equal(kh_decimal_round(q, 19, &out), -EINVAL);
    mpz_ui_pow_ui(mpq_numref(q), 2, 63);            /* 2^63 does not fit */
    assert_int_equal(kh_decimal_round(q, 0, &out), -ERANGE);
    mpq_set_ui(q, 1, 1);
    assert_int_equal(kh_decimal_round(q, 18, &out), 0);   /* 10^18 fits */
    assert_int_equal(out, INT64_C(1000000000000000000));
    mpq_clear(q);
}

static void test_round_ratio(void **state)
{
    (void)state;
    int64_t out = 0;
    assert_int_equal(kh_decimal_round_ratio(1, 32, 4, &out), 0);
    assert_int_equal(out, 313);
    assert_int_equal(kh_decimal_round_ratio(1, -32, 4, &out), 0);
    assert_int_equal(out, -313);
    assert_int_equal(kh_decimal_round_ratio(INT64_MAX, 1, 0, &out), 0);
    assert_int_equal(out, INT64_MAX);
    assert_int_equal(kh_decimal_round_ratio(1, 0, 4, &out), -EDOM);
    assert_int_equal(kh_decimal_round_ratio(0, 7, 4, &out), 0);
    assert_int_equal(out, 0);
}

static void test_set_i64_full_range(void **state)
{
    (void)state;
    mpz_t z;
    mpz_init(z);
    kh_decimal_set_i64(z, INT64_MIN);
    char *text = mpz_get_str(NULL, 10, z);
    assert_string_equal(text, "-9223372036854775808");
    void (*freefunc)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &freefunc);
    freefunc(text, strlen(text) + 1);
    kh_decimal_set_i64(z, -42);
    assert_true(mpz_cmp_si(z, -42) == 0);
    mpz_clear(z);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_accepts_decimals),
        cmocka_unit_test(test_parse_rejects_other_text),
        cmocka_unit_test(test_parse_n_uses_length_only),
        cmocka_unit_test(test_round_half_away_from_zero),
        cmocka_unit_test(test_round_negative_zero_is_zero),
        cmocka_unit_test(test_round_errors),
        cmocka_unit_test(test_round_ratio),
        cmocka_unit_test(test_set_i64_full_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
