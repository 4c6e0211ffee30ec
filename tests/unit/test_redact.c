/* test_redact.c - unit tests of proto/redact.c: every run of 11 or more
 * digits masked in place and in a cut copy (the head of an id cut at the
 * copy's end stays masked), shorter runs and other text untouched. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "proto/redact.h"

static void test_in_place(void **state)
{
    (void)state;
    char s[128];
    strcpy(s, "01019012347");
    assert_int_equal(kh_redact(s), 1);
    assert_string_equal(s, "0101******7");
    strcpy(s, "ID 01019012347;02029012348;0301");
    assert_int_equal(kh_redact(s), 2);
    assert_string_equal(s, "ID 0101******7;0202******8;0301");
    /* 10 digits: not an id; 12 and more: masked the same way */
    strcpy(s, "1234567890 123456789012 x1234567890123456789012y");
    assert_int_equal(kh_redact(s), 2);
    assert_string_equal(s, "1234567890 1234*******2 x1234*****************2y");
    strcpy(s, "column '15108695088' appears twice");
    kh_redact(s);
    assert_string_equal(s, "column '1510******8' appears twice");
    strcpy(s, "");
    assert_int_equal(kh_redact(s), 0);
}

static void test_copy_cut(void **state)
{
    (void)state;
    char out[16];
    const char *src = "abcdefgh15108695088";
    /* the cut falls inside the id: what is kept of it is masked */
    size_t n = kh_redact_copy(src, strlen(src), out, 12);
    assert_int_equal(n, 11);
    assert_string_equal(out, "abcdefgh151");
    n = kh_redact_copy(src, strlen(src), out, 14);
    assert_string_equal(out, "abcdefgh1510*");
    n = kh_redact_copy(src, strlen(src), out, sizeof out);
    assert_string_equal(out, "abcdefgh1510***");
    n = kh_redact_copy("x15108695088", 12, out, sizeof out);
    assert_int_equal(n, 12);
    assert_string_equal(out, "x1510******8");
    n = kh_redact_copy("0301", 4, out, sizeof out);
    assert_string_equal(out, "0301");
    /* not a split UTF-8 sequence */
    n = kh_redact_copy("abc\xc3\xa5", 5, out, 5);
    assert_string_equal(out, "abc");
    assert_int_equal(kh_redact_copy("abc", 3, out, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_place),
        cmocka_unit_test(test_copy_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
