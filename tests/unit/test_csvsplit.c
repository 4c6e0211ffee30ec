/* test_csvsplit.c - unit tests of ingest/csvsplit, the streaming record
 * splitter: every fixture is fed whole and in chunks of 1 to 7 bytes, and
 * all feedings must give the same records and line numbers. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csvsplit.h"
#include "proto/err.h"

/* What a feeding produced: "line:data|" per record ("line:TOO_LONG|"). */
typedef struct {
    char log[4096];
    size_t used;
    const char *chunk;      /* the buffer fed, to check zero-copy */
    size_t chunk_len;
    int copied;             /* records whose data was not in the chunk */
} collect_t;

static int collect(void *ctx, const kh_csvrec_t *rec)
{
    collect_t *c = ctx;
    int n;
    if (rec->too_long)
        n = snprintf(c->log + c->used, sizeof c->log - c->used, "%u:TOO_LONG|", rec->line);
    else
        n = snprintf(c->log + c->used, sizeof c->log - c->used, "%u:%.*s|", rec->line,
                     (int)rec->len, rec->data);
    assert_true(n > 0 && (size_t)n < sizeof c->log - c->used);
    c->used += (size_t)n;
    if (!rec->too_long && rec->len > 0 &&
        (rec->data < c->chunk || rec->data + rec->len > c->chunk + c->chunk_len))
        c->copied++;
    return 0;
}

/* Feeds `len` bytes in pieces of `step` bytes (0: all at once); returns the
 * splitter's result and fills `c`; `err` gets the error text. */
static int run(const char *buf, size_t len, size_t step, size_t limit, collect_t *c, char *err)
{
    memset(c, 0, sizeof *c);
    kh_csvsplit_t *s = kh_csvsplit_new(limit);
    int rc = 0;
    size_t pos = 0;
    while (rc == 0 && pos < len) {
        size_t n = step == 0 || len - pos < step ? len - pos : step;
        /* a private copy per chunk, so a missed copy into carry shows */
        char *piece = malloc(n);
        memcpy(piece, buf + pos, n);
        c->chunk = piece;
        c->chunk_len = n;
        rc = kh_csvsplit_feed(s, piece, n, collect, c);
        memset(piece, '#', n);
        free(piece);
        pos += n;
    }
    if (rc == 0)
        rc = kh_csvsplit_finish(s, collect, c);
    if (err)
        snprintf(err, 64, "%s", kh_csvsplit_error(s));
    kh_csvsplit_destroy(&s);
    assert_null(s);
    return rc;
}

/* Checks every feeding of `buf` gives `want` and result `want_rc`. */
static void check_len(const char *buf, size_t len, size_t limit, const char *want, int want_rc)
{
    collect_t c;
    for (size_t step = 0; step <= 7; step++) {
        int rc = run(buf, len, step, limit, &c, NULL);
        if (strcmp(c.log, want) != 0 || rc != want_rc)
            fail_msg("step %zu: got '%s' rc %d, want '%s' rc %d", step, c.log, rc, want, want_rc);
    }
}

static void check(const char *buf, size_t limit, const char *want)
{
    check_len(buf, strlen(buf), limit, want, 0);
}

static void test_simple_lines(void **state)
{
    (void)state;
    check("fnr;aar\n1;2\n3;4\n", 0, "1:fnr;aar|2:1;2|3:3;4|");
    check("", 0, "");
}

static void test_bom(void **state)
{
    (void)state;
    check("\xEF\xBB\xBF" "a;b\nc;d\n", 0, "1:a;b|2:c;d|");
    check("\xEF\xBB\xBF", 0, "");
    check("\xEF\xBB\xBF\n\nh\n", 0, "3:h|");
    /* not a whole BOM: the bytes are data */
    check("\xEF\xBBx\n", 0, "1:\xEF\xBBx|");
    check("\xEF\xBB", 0, "1:\xEF\xBB|");
    /* a BOM is skipped only at the start of the file */
    check("a\n\xEF\xBB\xBF" "b\n", 0, "1:a|2:\xEF\xBB\xBF" "b|");
}

static void test_crlf_and_lone_cr(void **state)
{
    (void)state;
    check("a;b\r\nc;d\r\n", 0, "1:a;b|2:c;d|");
    check("a\rb;c\nd\r\r\ne\r", 0, "1:a\rb;c|2:d\r|3:e\r|");
    check("\r\n\r\nx\r\n", 0, "3:x|");
}

static void test_blank_lines(void **state)
{
    (void)state;
    check("\n  \n\t\r\nh;x\n\n \t \na;b\n\n", 0, "4:h;x|7:a;b|");
    check(" \t ", 0, "");
    /* a lone CR is data, so this line is not blank */
    check(" \r \n", 0, "1: \r |");
    /* an empty quoted field is not blank */
    check("\"\"\n", 0, "1:\"\"|");
}

static void test_quoted_fields(void **state)
{
    (void)state;
    check("h\n\"a;b\";\"x\"\"y\"\n\"multi\nline\r\nfield\";z\nlast;1\n", 0,
          "1:h|2:\"a;b\";\"x\"\"y\"|3:\"multi\nline\r\nfield\";z|6:last;1|");
    /* escaped quote right before a line end keeps the field open */
    check("\"a\"\"\nb\"\nc\n", 0, "1:\"a\"\"\nb\"|3:c|");
    /* a quote after spaces opens nothing, as csvfield reads it (malformed) */
    check("x; \"a\nb\"\nc\n", 0, "1:x; \"a|2:b\"|3:c|");
    /* blank lines inside a quoted field are data */
    check("\"a\n\n  \nb\"\nc\n", 0, "1:\"a\n\n  \nb\"|5:c|");
}

static void test_malformed_quoting_does_not_swallow(void **state)
{
    (void)state;
    check("a\"b;c\nd;e\n", 0, "1:a\"b;c|2:d;e|");
    check("\"ab\"c;d\ne\n", 0, "1:\"ab\"c;d|2:e|");
    check("\"ab\" \nnext\n", 0, "1:\"ab\" |2:next|");
    check("\"ab\" \"x\nnext\n", 0, "1:\"ab\" \"x|2:next|");
    check("a;b\"\nc\n", 0, "1:a;b\"|2:c|");
}

static void test_last_line_without_end(void **state)
{
    (void)state;
    check("a\nb", 0, "1:a|2:b|");
    check("a\n\"b\nc\"", 0, "1:a|2:\"b\nc\"|");
}

static void test_unterminated_quote_runs_to_eof(void **state)
{
    (void)state;
    check("a\n\"b;c\nd\ne", 0, "1:a|2:\"b;c\nd\ne|");
    check("a\n\"b;c\nd\ne\n", 0, "1:a|2:\"b;c\nd\ne\n|");
}

static void test_line_limit(void **state)
{
    (void)state;
    check("abcde\nabcdef\nx\n\"ab\ncd\"\n\"abcdefgh\nzz\nq\n", 5,
          "1:abcde|2:TOO_LONG|3:x|4:TOO_LONG|6:TOO_LONG|7:zz|8:q|");
    /* the CR of CRLF does not count */
    check("abcde\r\nabcdef\r\nok\r\n", 5, "1:abcde|2:TOO_LONG|3:ok|");
    check("\"abc\"\r\n", 5, "1:\"abc\"|");
    /* cut inside a quoted field: reading goes on after the next line end */
    check("\"a\nb\nc\nd\ne;f\n", 5, "1:TOO_LONG|5:e;f|");
    /* a long line of spaces is judged by length, however it arrives */
    check("       \nz\n", 5, "1:TOO_LONG|2:z|");
    /* the last line, without line end */
    check("a\nbcdefgh", 5, "1:a|2:TOO_LONG|");
    check("a\nbcdef", 5, "1:a|2:bcdef|");
}

static void test_nul_byte(void **state)
{
    (void)state;
    static const char buf[] = "a\nb\0c\nd\n";
    check_len(buf, sizeof buf - 1, 0, "1:a|", KH_E_UNUSABLE);
    collect_t c;
    char err[64];
    assert_int_equal(run(buf, sizeof buf - 1, 3, 0, &c, err), KH_E_UNUSABLE);
    assert_string_equal(err, "NUL byte on line 2");
    static const char inquote[] = "a\n\"x\n\n\0\"\n";
    assert_int_equal(run(inquote, sizeof inquote - 1, 0, 0, &c, err), KH_E_UNUSABLE);
    assert_string_equal(err, "NUL byte on line 4");
}

static void test_no_copy_inside_chunk(void **state)
{
    (void)state;
    static const char buf[] = "h;x\nab;\"c\"\"d\"\n\"e\nf\";g\nlast";
    collect_t c;
    assert_int_equal(run(buf, sizeof buf - 1, 0, 0, &c, NULL), 0);
    assert_string_equal(c.log, "1:h;x|2:ab;\"c\"\"d\"|3:\"e\nf\";g|5:last|");
    /* only "last" waited for finish() and so for the carry buffer */
    assert_int_equal(c.copied, 1);
}

static int stop_at_second(void *ctx, const kh_csvrec_t *rec)
{
    (void)rec;
    int *count = ctx;
    return ++*count == 2 ? KH_STOP : 0;
}

static void test_callback_stops(void **state)
{
    (void)state;
    int count = 0;
    kh_csvsplit_t *s = kh_csvsplit_new(0);
    assert_int_equal(kh_csvsplit_feed(s, "a\nb\nc\n", 6, stop_at_second, &count), KH_STOP);
    assert_int_equal(count, 2);
    assert_int_equal(kh_csvsplit_feed(s, "d\n", 2, stop_at_second, &count), KH_STOP);
    assert_int_equal(kh_csvsplit_finish(s, stop_at_second, &count), KH_STOP);
    assert_int_equal(count, 2);
    kh_csvsplit_destroy(&s);
    kh_csvsplit_destroy(&s); /* NULL is fine */
}

static void test_line_counter(void **state)
{
    (void)state;
    int count = 0;
    kh_csvsplit_t *s = kh_csvsplit_new(0);
    assert_int_equal(kh_csvsplit_line(s), 1);
    assert_int_equal(kh_csvsplit_feed(s, "a\n\nb\nc", 6, stop_at_second, &count), KH_STOP);
    kh_csvsplit_destroy(&s);
    s = kh_csvsplit_new(0);
    count = -100;
    assert_int_equal(kh_csvsplit_feed(s, "a\n\nb\nc", 6, stop_at_second, &count), 0);
    assert_int_equal(kh_csvsplit_finish(s, stop_at_second, &count), 0);
    assert_int_equal(kh_csvsplit_line(s), 4);
    assert_string_equal(kh_csvsplit_error(s), "");
    kh_csvsplit_destroy(&s);
}

/* A bigger synthetic file in many chunk sizes, against the whole feeding. */
static void test_many_chunk_sizes(void **state)
{
    (void)state;
    char buf[3000];
    size_t len = 0;
    for (int i = 0; len < sizeof buf - 64; i++) {
        int n;
        switch (i % 6) {
        case 0: n = snprintf(buf + len, 64, "%d;plain;row\n", i); break;
        case 1: n = snprintf(buf + len, 64, "\"q;%d\";\"x\"\"y\"\r\n", i); break;
        case 2: n = snprintf(buf + len, 64, " \t\n"); break;
        case 3: n = snprintf(buf + len, 64, "\"span\n%d\";z\n", i); break;
        case 4: n = snprintf(buf + len, 64, "bad\"quote;%d\n", i); break;
        default: n = snprintf(buf + len, 64, "%040d\n", i); break;
        }
        len += (size_t)n;
    }
    collect_t whole, part;
    assert_int_equal(run(buf, len, 0, 30, &whole, NULL), 0);
    assert_true(strstr(whole.log, "TOO_LONG") != NULL);
    for (size_t step = 1; step < 70; step++) {
        assert_int_equal(run(buf, len, step, 30, &part, NULL), 0);
        assert_string_equal(part.log, whole.log);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_simple_lines),
        cmocka_unit_test(test_bom),
        cmocka_unit_test(test_crlf_and_lone_cr),
        cmocka_unit_test(test_blank_lines),
        cmocka_unit_test(test_quoted_fields),
        cmocka_unit_test(test_malformed_quoting_does_not_swallow),
        cmocka_unit_test(test_last_line_without_end),
        cmocka_unit_test(test_unterminated_quote_runs_to_eof),
        cmocka_unit_test(test_line_limit),
        cmocka_unit_test(test_nul_byte),
        cmocka_unit_test(test_no_copy_inside_chunk),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_line_counter),
        cmocka_unit_test(test_many_chunk_sizes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
