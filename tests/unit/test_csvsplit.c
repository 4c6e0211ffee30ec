/* test_csvsplit.c - unit tests of ingest/csvsplit, the streaming record
 * splitter: every fixture is fed whole and in chunks of 1 to 7 bytes, and
 * all feedings must give the same records and line numbers. Record ends
 * (kh_csvrec_t.end, end_line) are checked by hand on a BOM and CRLF file,
 * and as a property on pseudo-random inputs: a splitter started at any
 * record end (kh_csvsplit_new_at) yields exactly the records that follow. */
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
    /* the largest limit is no limit (it once wrapped to none at all) */
    check("a;\"b\"\nplain\nx\"yz\n", SIZE_MAX, "1:a;\"b\"|2:plain|3:x\"yz|");
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

/* ---- record ends ------------------------------------------------------------- */

/* One record as the callback saw it, data copied. */
typedef struct {
    uint32_t line, end_line;
    int too_long;
    uint64_t end;
    size_t len;
    char data[64];
} rec_t;

#define MAX_RECS 512

typedef struct {
    rec_t recs[MAX_RECS];
    size_t n;
} recs_t;

static int keep(void *ctx, const kh_csvrec_t *rec)
{
    recs_t *r = ctx;
    assert_true(r->n < MAX_RECS);
    assert_true(rec->len < sizeof r->recs[0].data);
    rec_t *k = &r->recs[r->n++];
    memset(k, 0, sizeof *k);
    k->line = rec->line;
    k->end_line = rec->end_line;
    k->too_long = rec->too_long;
    k->end = rec->end;
    k->len = rec->len;
    if (rec->len)
        memcpy(k->data, rec->data, rec->len);
    return 0;
}

/* xorshift64*: the same inputs on every run. */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
    rnd_state ^= rnd_state >> 12;
    rnd_state ^= rnd_state << 25;
    rnd_state ^= rnd_state >> 27;
    return rnd_state * 0x2545F4914F6CDD1Du;
}

static size_t rnd_below(size_t n)
{
    return (size_t)(rnd() % n);
}

/* Splits buf[0..len) with a splitter from kh_csvsplit_new(limit), or
 * kh_csvsplit_new_at(limit, at_line) when at_line > 0, in pieces of
 * random sizes (whole when `chunked` is 0); each piece a private copy. */
static void split_into(const char *buf, size_t len, size_t limit, uint32_t at_line, int chunked,
                       recs_t *out)
{
    out->n = 0;
    kh_csvsplit_t *s = at_line ? kh_csvsplit_new_at(limit, at_line) : kh_csvsplit_new(limit);
    size_t pos = 0;
    while (pos < len) {
        size_t n = len - pos;
        if (chunked) {
            size_t step = rnd_below(4) == 0 ? 1 + rnd_below(64) : 1 + rnd_below(7);
            if (step < n)
                n = step;
        }
        char *piece = malloc(n);
        memcpy(piece, buf + pos, n);
        assert_int_equal(kh_csvsplit_feed(s, piece, n, keep, out), 0);
        memset(piece, '#', n);
        free(piece);
        pos += n;
    }
    assert_int_equal(kh_csvsplit_finish(s, keep, out), 0);
    kh_csvsplit_destroy(&s);
}

static uint32_t lines_before(const char *buf, size_t end)
{
    uint32_t line = 1;
    for (size_t i = 0; i < end; i++)
        line += buf[i] == '\n';
    return line;
}

static void same_record(const rec_t *got, const rec_t *want, uint64_t shift, const char *what,
                        int iter, size_t i)
{
    if (got->line != want->line || got->too_long != want->too_long || got->len != want->len ||
        memcmp(got->data, want->data, want->len) != 0 || got->end_line != want->end_line ||
        got->end != (want->end ? want->end - shift : 0))
        fail_msg("input %d, %s, record %zu: got line %u '%.*s' too_long %d end %llu/%u, "
                 "want line %u '%.*s' too_long %d end %llu/%u (shifted by %llu)",
                 iter, what, i, got->line, (int)got->len, got->data, got->too_long,
                 (unsigned long long)got->end, got->end_line, want->line, (int)want->len,
                 want->data, want->too_long, (unsigned long long)want->end, want->end_line,
                 (unsigned long long)shift);
}

/* The hand-made file: a BOM, CRLF line ends, a blank line, a quoted field
 * holding a CRLF, a too-long line and a last line without line end. */
static void test_record_ends(void **state)
{
    (void)state;
    static const char buf[] = "\xEF\xBB\xBF" "h;x\r\n"   /*  0..8:  line 1 */
                              "\r\n"                     /*  8..10: line 2, blank */
                              "a;1\r\n"                  /* 10..15: line 3 */
                              "\"q\r\nz\";2\r\n"         /* 15..25: lines 4-5 */
                              "last";                    /* 25..29: line 6 */
    const size_t len = sizeof buf - 1;
    static const rec_t want[] = {
        {1, 2, 0, 8, 3, "h;x"},
        {3, 4, 0, 15, 3, "a;1"},
        {4, 6, 0, 25, 8, "\"q\r\nz\";2"},
        {6, 6, 0, 29, 4, "last"},
    };
    recs_t got;
    rnd_state = 0x9E3779B97F4A7C15u;
    for (int chunked = 0; chunked <= 1; chunked++)
        for (int rep = 0; rep < 20; rep++) {
            split_into(buf, len, 0, 0, chunked, &got);
            assert_int_equal(got.n, 4);
            for (size_t i = 0; i < got.n; i++)
                same_record(&got.recs[i], &want[i], 0, "whole file", rep, i);
        }
    /* started at each end, the rest follows, ends counted from there */
    for (size_t i = 0; i < 4; i++) {
        uint64_t off = want[i].end;
        split_into(buf + off, len - off, 0, want[i].end_line, 0, &got);
        assert_int_equal(got.n, 3 - i);
        for (size_t j = 0; j < got.n; j++)
            same_record(&got.recs[j], &want[i + 1 + j], off, "from an end", (int)i, j);
    }
    /* a splitter started inside a file takes a BOM there for data */
    split_into("\xEF\xBB\xBF" "a\n", 5, 0, 7, 0, &got);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.recs[0].line, 7);
    assert_int_equal(got.recs[0].len, 4);
    assert_memory_equal(got.recs[0].data, "\xEF\xBB\xBF" "a", 4);
    assert_true(got.recs[0].end == 5);
    assert_int_equal(got.recs[0].end_line, 8);
    /* a partial BOM is data, and counts in the offsets */
    split_into("\xEF\xBB" "b\r\nc\n", 7, 0, 0, 0, &got);
    assert_int_equal(got.n, 2);
    assert_true(got.recs[0].end == 5 && got.recs[0].end_line == 2);
    assert_true(got.recs[1].end == 7 && got.recs[1].end_line == 3);
    /* a record cut at the limit inside a quoted field has no end (reading
     * goes on after the next line end); a line that arrived whole and too
     * long, if it has one, has its own */
    split_into("\"abcdefgh\nij\"\nk\n", 16, 5, 0, 0, &got);
    assert_int_equal(got.n, 3);
    assert_true(got.recs[0].too_long && got.recs[0].end == 0 && got.recs[0].end_line == 0);
    assert_true(got.recs[1].line == 2 && got.recs[1].end == 14 && got.recs[1].end_line == 3);
    assert_true(got.recs[2].line == 3 && got.recs[2].end == 16 && got.recs[2].end_line == 4);
    for (int chunked = 0; chunked <= 1; chunked++) {
        split_into("abcdefgh\r\nk\n", 12, 5, 0, chunked, &got);
        assert_int_equal(got.n, 2);
        assert_true(got.recs[0].too_long);
        assert_true(got.recs[0].end == 0 || (got.recs[0].end == 10 && got.recs[0].end_line == 2));
        assert_true(got.recs[1].end == 12 && got.recs[1].end_line == 3);
    }
}

/* Pseudo-random inputs over an alphabet heavy in delimiters, quotes, line
 * ends and blanks, with small line limits. For every record with an end:
 * the bytes before it end in LF (or it is the last record, at the end of
 * the input), end_line counts the LFs before it, and a splitter started
 * there with kh_csvsplit_new_at yields exactly the records that follow. */
static void test_restart_at_every_end(void **state)
{
    (void)state;
    static const char alphabet[] = ";;\"\"\"\n\n\n\r\r  \tab Z09";
    static recs_t full, whole, rest;
    char buf[256];
    rnd_state = 0x243F6A8885A308D3u;
    size_t restarts = 0, too_long = 0, boms = 0;
    for (int iter = 0; iter < 3000; iter++) {
        size_t len = 0;
        if (rnd_below(4) == 0) {
            memcpy(buf, "\xEF\xBB\xBF", 3);
            len = 3;
            boms++;
        }
        size_t want = rnd_below(iter % 10 == 0 ? 240 : 80);
        while (len < want)
            buf[len++] = alphabet[rnd_below(sizeof alphabet - 1)];
        size_t limit = 1 + rnd_below(40);

        split_into(buf, len, limit, 0, 1, &full);
        /* chunking changes nothing but a too-long record's end (0 when it
         * was cut while arriving, its line end when it arrived whole) */
        split_into(buf, len, limit, 0, 0, &whole);
        assert_int_equal(whole.n, full.n);
        for (size_t i = 0; i < full.n; i++) {
            rec_t a = full.recs[i], b = whole.recs[i];
            if (a.too_long && (a.end == 0 || b.end == 0)) {
                a.end = b.end = 0;
                a.end_line = b.end_line = 0;
            }
            same_record(&a, &b, 0, "chunked against whole", iter, i);
        }

        uint64_t prev_end = 0;
        for (size_t i = 0; i < full.n; i++) {
            const rec_t *r = &full.recs[i];
            too_long += r->too_long != 0;
            if (r->end == 0) {
                if (!r->too_long)
                    fail_msg("input %d, record %zu: no end, but not too long", iter, i);
                assert_int_equal(r->end_line, 0);
                continue;
            }
            if (r->end > len || r->end <= prev_end)
                fail_msg("input %d, record %zu: end %llu after %llu, input %zu bytes", iter, i,
                         (unsigned long long)r->end, (unsigned long long)prev_end, len);
            if (buf[r->end - 1] != '\n' && !(r->end == len && i == full.n - 1))
                fail_msg("input %d, record %zu: end %llu is not after a line end", iter, i,
                         (unsigned long long)r->end);
            assert_int_equal(r->end_line, lines_before(buf, r->end));
            assert_true(r->end_line > r->line || (r->end == len && r->end_line == r->line));
            prev_end = r->end;

            split_into(buf + r->end, len - r->end, limit, r->end_line, 0, &rest);
            restarts++;
            if (rest.n != full.n - i - 1)
                fail_msg("input %d, from record %zu's end %llu: %zu records, want %zu", iter, i,
                         (unsigned long long)r->end, rest.n, full.n - i - 1);
            for (size_t j = 0; j < rest.n; j++) {
                rec_t a = rest.recs[j], b = full.recs[i + 1 + j];
                if (a.too_long && (a.end == 0 || b.end == 0)) {
                    a.end = b.end = 0;
                    a.end_line = b.end_line = 0;
                }
                same_record(&a, &b, r->end, "from an end", iter, i + 1 + j);
            }
        }
    }
    /* the inputs reached what they are for */
    assert_true(restarts > 10000);
    assert_true(too_long > 1000);
    assert_true(boms > 500);
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
        cmocka_unit_test(test_record_ends),
        cmocka_unit_test(test_restart_at_every_end),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
