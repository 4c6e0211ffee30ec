/* test_scope.c - ingest's scope superset: ids parsed as the validator would
 * accept them, fields found by position, id_historikk chains joining the
 * set in either direction, many ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/scope.h"

static int parse(const char *s, int64_t *id)
{
    return kh_scope_parse_id(s, strlen(s), id);
}

static void test_parse_id(void **state)
{
    (void)state;
    int64_t id = 0;
    assert_int_equal(parse("01018012345", &id), 1);
    assert_int_equal(id, 1018012345);
    assert_int_equal(parse(" \t01018012345 ", &id), 1);
    assert_int_equal(parse("\"01018012345\"", &id), 1);
    assert_int_equal(parse("\" 01018012345\"", &id), 1);
    assert_int_equal(id, 1018012345);
    assert_int_equal(parse("0101801234", &id), 0);    /* 10 digits */
    assert_int_equal(parse("010180123456", &id), 0);  /* 12 */
    assert_int_equal(parse("0101801234x", &id), 0);
    assert_int_equal(parse("", &id), 0);
    assert_int_equal(parse("\"", &id), 0);
}

static void test_field(void **state)
{
    (void)state;
    const char *rec = "a;bb;01018012345;d", *f;
    size_t n;
    assert_int_equal(kh_scope_field(rec, strlen(rec), 2, &f, &n), 1);
    assert_int_equal(n, 11);
    assert_memory_equal(f, "01018012345", 11);
    assert_int_equal(kh_scope_field(rec, strlen(rec), 3, &f, &n), 1);
    assert_int_equal(n, 1);
    assert_int_equal(kh_scope_field(rec, strlen(rec), 4, &f, &n), 0);
    const char *quoted = "\"a;\"\"b\";01018012345";
    assert_int_equal(kh_scope_field(quoted, strlen(quoted), 1, &f, &n), 1);
    assert_memory_equal(f, "01018012345", 11);
    assert_int_equal(kh_scope_field(quoted, strlen(quoted), 0, &f, &n), 1);
    assert_int_equal(n, 7);
    const char *bad = "\"a\"x;01018012345", *bad2 = "a\"b;01018012345", *open = "\"a;01018012345";
    assert_int_equal(kh_scope_field(bad, strlen(bad), 1, &f, &n), 0);
    assert_int_equal(kh_scope_field(bad2, strlen(bad2), 1, &f, &n), 0);
    assert_int_equal(kh_scope_field(open, strlen(open), 1, &f, &n), 0);
}

static void test_chains_join(void **state)
{
    (void)state;
    kh_scope_t *s = kh_scope_new();
    /* A -> B -> C, C a participant; D -> E unrelated; F <- G (G is new),
     * F a participant: G joins through the pair's other end */
    kh_scope_add_history(s, 1, 2);
    kh_scope_add_history(s, 2, 3);
    kh_scope_add_history(s, 4, 5);
    kh_scope_add_history(s, 7, 6);
    kh_scope_add_participant(s, 3);
    kh_scope_add_participant(s, 6);
    kh_scope_add_participant(s, 100);
    assert_int_equal(kh_scope_excludes(s, 42), 0); /* not finished: nothing excluded */
    kh_scope_finish(s);
    for (int64_t in = 1; in <= 3; in++)
        assert_int_equal(kh_scope_excludes(s, in), 0);
    assert_int_equal(kh_scope_excludes(s, 6), 0);
    assert_int_equal(kh_scope_excludes(s, 7), 0);
    assert_int_equal(kh_scope_excludes(s, 100), 0);
    assert_int_equal(kh_scope_excludes(s, 4), 1);
    assert_int_equal(kh_scope_excludes(s, 5), 1);
    assert_int_equal(kh_scope_excludes(s, 42), 1);
    assert_int_equal(kh_scope_size(s), 6);
    kh_scope_destroy(&s);
    assert_null(s);
}

static void test_many(void **state)
{
    (void)state;
    kh_scope_t *s = kh_scope_new();
    for (int64_t i = 0; i < 100000; i++)
        kh_scope_add_participant(s, i * 7919);
    kh_scope_finish(s);
    for (int64_t i = 0; i < 100000; i++)
        assert_int_equal(kh_scope_excludes(s, i * 7919), 0);
    assert_int_equal(kh_scope_excludes(s, 7919 * 100000LL + 1), 1);
    kh_scope_destroy(&s);
}

/* The batch lookup answers as the one-at-a-time one, for a batch longer
 * and shorter than how far it fetches ahead, and before finish. */
static void test_excludes_many(void **state)
{
    (void)state;
    kh_scope_t *s = kh_scope_new();
    for (int64_t i = 0; i < 5000; i++)
        kh_scope_add_participant(s, i * 3);
    int64_t ids[3000];
    unsigned char out[3000];
    for (int i = 0; i < 3000; i++)
        ids[i] = (int64_t)i * 7 % 20000;
    memset(out, 9, sizeof out);
    kh_scope_excludes_many(s, ids, 3000, out);
    for (int i = 0; i < 3000; i++)
        assert_int_equal(out[i], 0);
    kh_scope_finish(s);
    for (size_t n = 0; n <= 3000; n = n ? n * 3 : 1) {
        memset(out, 9, sizeof out);
        kh_scope_excludes_many(s, ids, n, out);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(out[i], kh_scope_excludes(s, ids[i]));
        if (n < 3000)
            assert_int_equal(out[n], 9);
    }
    assert_int_equal(out[0], 0);             /* 0 */
    assert_int_equal(out[1], 1);             /* 7 */
    assert_int_equal(out[3], 0);             /* 21 */
    kh_scope_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_id),
        cmocka_unit_test(test_field),
        cmocka_unit_test(test_chains_join),
        cmocka_unit_test(test_many),
        cmocka_unit_test(test_excludes_many),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
