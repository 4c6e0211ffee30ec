/* test_csvfield.c - unit tests of proto/csvfield: field splitting, quoting,
 * trimming and the UTF-8 check, on small hand-made records. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "proto/csvfield.h"
#include "proto/reason.h"

#define MAXF 16

typedef struct {
    int rc;
    int n;
    kh_field_t f[MAXF];
    char scratch[256];
} split_t;

static void split(const char *rec, split_t *s)
{
    memset(s, 0, sizeof *s);
    s->rc = kh_csv_split(rec, strlen(rec), s->scratch, s->f, MAXF, &s->n);
}

static void assert_field(const split_t *s, int i, const char *want)
{
    assert_true(i < s->n);
    assert_int_equal(s->f[i].len, strlen(want));
    assert_memory_equal(s->f[i].data, want, strlen(want));
}

static void test_plain_fields(void **state)
{
    (void)state;
    split_t s;
    split("01017012345;2020-01-01;;10", &s);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 4);
    assert_field(&s, 0, "01017012345");
    assert_field(&s, 1, "2020-01-01");
    assert_field(&s, 2, "");
    assert_field(&s, 3, "10");
}

static void test_empty_record_and_trailing_delimiter(void **state)
{
    (void)state;
    split_t s;
    split("", &s);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 1);
    assert_field(&s, 0, "");
    split("a;", &s);
    assert_int_equal(s.n, 2);
    assert_field(&s, 1, "");
    split(";;", &s);
    assert_int_equal(s.n, 3);
}

static void test_trimming(void **state)
{
    (void)state;
    split_t s;
    split(" \ta b \t;  ;x ", &s);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 3);
    assert_field(&s, 0, "a b");
    assert_field(&s, 1, "");
    assert_field(&s, 2, "x");
}

static void test_fields_point_into_record(void **state)
{
    (void)state;
    const char *rec = "ab;\"cd\"";
    split_t s;
    split(rec, &s);
    assert_ptr_equal(s.f[0].data, rec);
    assert_ptr_equal(s.f[1].data, rec + 4); /* no "" to unescape: no copy */
}

static void test_quoted_with_delimiter_and_newline(void **state)
{
    (void)state;
    split_t s;
    split("\"a;b\";\"line1\nline2\";\"x\r\ny\"", &s);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 3);
    assert_field(&s, 0, "a;b");
    assert_field(&s, 1, "line1\nline2");
    assert_field(&s, 2, "x\r\ny");
}

static void test_escaped_quotes_use_scratch(void **state)
{
    (void)state;
    split_t s;
    split("\"say \"\"hi\"\"\";\"\"\"\";\"\"", &s);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 3);
    assert_field(&s, 0, "say \"hi\"");
    assert_true(s.f[0].data >= s.scratch && s.f[0].data < s.scratch + sizeof s.scratch);
    assert_field(&s, 1, "\"");
    assert_field(&s, 2, "");
}

/* Quoted content is trimmed; spaces around the quotes are malformed quoting
 * (extracts.md: the quote stands right after / right before the delimiter). */
static void test_quoted_trimmed_inside_and_outside(void **state)
{
    (void)state;
    split_t s;
    split("\" a \";\"\tb\"", &s);
    assert_int_equal(s.rc, 0);
    assert_int_equal(s.n, 2);
    assert_field(&s, 0, "a");
    assert_field(&s, 1, "b");
    split("  \"a\";b", &s);
    assert_int_equal(s.rc, KH_R_BAD_QUOTING);
    split("x;\"a\"\t", &s);
    assert_int_equal(s.rc, KH_R_BAD_QUOTING);
}

static void test_malformed_quoting(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "ab\"c;d",        /* quote inside an unquoted field */
        "abc\"",          /* quote at the end of an unquoted field */
        "\"abc\"d;e",     /* bytes after the closing quote */
        "\"abc\" d",      /* ... also after spaces */
        "\"abc",          /* never closed */
        "x;\"abc\"\"",    /* the last quote is an escape: never closed */
        "\"a\"\"b\"c",    /* closed, then bytes */
        "a;b\"\"",        /* a pair of quotes inside an unquoted field */
        "\"a\"\r",        /* a lone CR after the quote is data */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        split_t s;
        split(bad[i], &s);
        assert_int_equal(s.rc, KH_R_BAD_QUOTING);
    }
}

static void test_field_count_beyond_max(void **state)
{
    (void)state;
    kh_field_t f[2];
    char scratch[32];
    int n = 0;
    assert_int_equal(kh_csv_split("a;b;c;d", 7, scratch, f, 2, &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(f[1].len, 1);
    assert_memory_equal(f[1].data, "b", 1);
    assert_int_equal(kh_csv_split("a;\"b;\"\"c\";d", 11, NULL, NULL, 0, &n), 0);
    assert_int_equal(n, 3);
}

static void test_lone_cr_is_data(void **state)
{
    (void)state;
    split_t s;
    split("a\r;b", &s);
    assert_int_equal(s.rc, 0);
    assert_field(&s, 0, "a\r");
}

static void test_utf8(void **state)
{
    (void)state;
    static const char *const good[] = {
        "", "plain ascii text longer than eight", "S\xc3\xb8rum", "\xe2\x82\xac",
        "\xf0\x9f\x98\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xf4\x8f\xbf\xbf",
        "\xef\xbb\xbf" "abc",
    };
    static const char *const bad[] = {
        "\x80", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf",
        "\xed\xa0\x80", "\xed\xbf\xbf", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80",
        "\xff", "\xc3", "abcdefgh\xe2\x82", "\xe2\x28\xa1", "S\xf8rum",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        assert_int_equal(kh_csv_utf8_valid(good[i], strlen(good[i])), 1);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(kh_csv_utf8_valid(bad[i], strlen(bad[i])), 0);
}

/* The eight-byte split against a plain reading, for records of every
 * length up to three words (the last word of each a different size), from
 * a buffer that ends where the record does, so that ASan sees any read
 * past it; a quote at any place still leaves the fast path. */
static void test_every_length(void **state)
{
    (void)state;
    static const char alphabet[] = {'a', ';', ' ', '7', '\t', ';'};
    uint32_t seed = 12345;
    for (size_t len = 0; len <= 24; len++) {
        for (int round = 0; round < 50; round++) {
            char *rec = test_malloc(len ? len : 1);
            for (size_t i = 0; i < len; i++) {
                seed = seed * 1103515245u + 12345u;
                rec[i] = alphabet[(seed >> 16) % sizeof alphabet];
            }
            kh_field_t f[32];
            int n = -1;
            assert_int_equal(kh_csv_split(rec, len, NULL, f, 32, &n), 0);
            int want = 0;
            size_t start = 0;
            for (size_t i = 0; i <= len; i++) {
                if (i < len && rec[i] != ';')
                    continue;
                size_t a = start, b = i;
                while (a < b && (rec[a] == ' ' || rec[a] == '\t'))
                    a++;
                while (b > a && (rec[b - 1] == ' ' || rec[b - 1] == '\t'))
                    b--;
                assert_ptr_equal(f[want].data, rec + a);
                assert_int_equal(f[want].len, b - a);
                want++;
                start = i + 1;
            }
            assert_int_equal(n, want);
            if (len > 1) {
                rec[(size_t)round % len] = '"';
                int rc = kh_csv_split(rec, len, NULL, f, 32, &n);
                /* the quote is an unquoted field's, or opens one never closed */
                assert_int_equal(rc, KH_R_BAD_QUOTING);
            }
            test_free(rec);
        }
    }
}

/* The UTF-8 check's ASCII words, the last one overlapping: a bad byte or a
 * good two-byte letter at every place of records of every length up to
 * three words is seen. */
static void test_utf8_every_place(void **state)
{
    (void)state;
    for (size_t len = 2; len <= 24; len++) {
        for (size_t at = 0; at + 1 < len; at++) {
            char *rec = test_malloc(len);
            memset(rec, 'a', len);
            assert_int_equal(kh_csv_utf8_valid(rec, len), 1);
            rec[at] = (char)0xC3; /* a lead byte followed by ASCII */
            assert_int_equal(kh_csv_utf8_valid(rec, len), 0);
            rec[at + 1] = (char)0xA9; /* U+00E9 */
            assert_int_equal(kh_csv_utf8_valid(rec, len), 1);
            rec[at] = 'a'; /* a lone continuation byte */
            assert_int_equal(kh_csv_utf8_valid(rec, len), 0);
            test_free(rec);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_fields),
        cmocka_unit_test(test_empty_record_and_trailing_delimiter),
        cmocka_unit_test(test_trimming),
        cmocka_unit_test(test_fields_point_into_record),
        cmocka_unit_test(test_quoted_with_delimiter_and_newline),
        cmocka_unit_test(test_escaped_quotes_use_scratch),
        cmocka_unit_test(test_quoted_trimmed_inside_and_outside),
        cmocka_unit_test(test_malformed_quoting),
        cmocka_unit_test(test_field_count_beyond_max),
        cmocka_unit_test(test_lone_cr_is_data),
        cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_every_length),
        cmocka_unit_test(test_utf8_every_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
