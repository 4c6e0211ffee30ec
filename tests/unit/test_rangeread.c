/* test_rangeread.c - unit tests of transform/rangeread, the validator's
 * reading of a RANGE batch from its extract file: a file written to a
 * temporary directory (one per test) is split as ingest splits it
 * (ingest/csvsplit, records and their ends), ranges are cut at record ends
 * as ingest cuts them, and each range read back must give the records,
 * lines and flags the splitter gave. Then what must fail the run, each with
 * KH_E_UNUSABLE and a sentence that starts with the file's name: the file
 * rewritten (same size, another mtime), replaced under its name, a range
 * whose row count or too-long flags disagree with the file, a missing file.
 * Modification times are set with utimensat to fixed values, so that no
 * test depends on the clock. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ingest/csvsplit.h"
#include "proto/err.h"
#include "proto/fileid.h"
#include "proto/msg.h"
#include "transform/rangeread.h"

#define FILE_NAME "bosatte.csv"
#define LIMIT 40

/* The extract file: a BOM and a CRLF header; a blank line; a quoted field
 * holding a line end; an unquoted line over the limit (it arrives whole);
 * an escaped quote; a line of blanks; a quoted record over the limit, cut
 * after the line end inside its quotes (no record may start after it); a
 * last line without line end. */
static const char content[] =
    "\xEF\xBB\xBF" "fnr;aar;navn\r\n"                                      /* line 1 */
    "1;2020;Ola\r\n"                                                       /* 2 */
    "\r\n"                                                                 /* 3 */
    "2;2021;\"Kari\nNordmann\"\r\n"                                        /* 4-5 */
    "3;2022;xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"          /* 6 */
    "4;2023;\"a\"\"b\"\n"                                                  /* 7 */
    "   \n"                                                                /* 8 */
    "5;2024;\"ab\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy\"\n"       /* 9-10 */
    "6;2025;Siste";                                                        /* 11 */
#define CONTENT_LEN (sizeof content - 1)

/* The fixed modification times: the file as written, and as rewritten. */
static const struct timespec mtime_written = {1700000000, 123456789};
static const struct timespec mtime_rewritten = {1600000000, 0};

/* One record as the splitter gave it. */
typedef struct {
    uint32_t line, end_line;
    int too_long;
    uint64_t end;
    size_t len;
    char data[128];
} rec_t;

#define MAX_RECS 16

typedef struct {
    char dir[256];
    char path[300];
    kh_fileid_t id;          /* the file as "ingest" opened it */
    rec_t recs[MAX_RECS];    /* recs[0] is the header */
    size_t n;
} fixture_t;

static int keep(void *ctx, const kh_csvrec_t *rec)
{
    fixture_t *f = ctx;
    assert_true(f->n < MAX_RECS);
    assert_true(rec->len < sizeof f->recs[0].data);
    rec_t *k = &f->recs[f->n++];
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

static void write_file(const char *path, const char *data, size_t len,
                       const struct timespec *mtime)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, data, len), (ssize_t)len);
    assert_int_equal(close(fd), 0);
    struct timespec times[2] = {*mtime, *mtime};
    assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static void file_id(const char *path, kh_fileid_t *id)
{
    int fd = open(path, O_RDONLY);
    assert_true(fd >= 0);
    assert_int_equal(kh_fileid_get(fd, id), 0);
    assert_int_equal(close(fd), 0);
}

/* A temporary directory holding the extract file, its identity and its
 * records, split as ingest splits it: fed whole, with the line limit. */
static int setup(void **state)
{
    fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/kh-test-rangeread-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/%s", f->dir, FILE_NAME);
    write_file(f->path, content, CONTENT_LEN, &mtime_written);
    file_id(f->path, &f->id);
    kh_csvsplit_t *s = kh_csvsplit_new(LIMIT);
    assert_int_equal(kh_csvsplit_feed(s, content, CONTENT_LEN, keep, f), 0);
    assert_int_equal(kh_csvsplit_finish(s, keep, f), 0);
    kh_csvsplit_destroy(&s);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture_t *f = *state;
    DIR *d = opendir(f->dir);
    int rc = d ? 0 : -1;
    struct dirent *e;
    while (d && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char p[600];
        snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
        if (unlink(p) != 0)
            rc = -1;
    }
    if (d)
        closedir(d);
    if (rmdir(f->dir) != 0)
        rc = -1;
    free(f);
    return rc;
}

/* The body records recs[1 + a .. 1 + b) as ingest would send them: from
 * the end of the record before (the header's for the first), to the end
 * of the last (the end of the file for the file's last record), with the
 * line there, the line limit, and flags from the records plus `extra` on
 * every other one (out of scope, which only travels along). */
static kh_range_t *make_range(const fixture_t *f, size_t a, size_t b, uint8_t extra)
{
    assert_true(a < b && 1 + b <= f->n);
    const rec_t *before = &f->recs[a];
    const rec_t *last = &f->recs[b];
    assert_true(before->end != 0);
    assert_true(b + 1 == f->n || last->end != 0);
    kh_range_t *r = kh_range_new((uint32_t)(b - a));
    memset(&r->meta, 0, sizeof r->meta);
    snprintf(r->meta.file, sizeof r->meta.file, "%s", FILE_NAME);
    r->meta.header_nfields = 3;
    r->id = f->id;
    r->off = before->end;
    r->len = (b + 1 == f->n ? CONTENT_LEN : last->end) - r->off;
    r->line = before->end_line;
    r->line_limit = LIMIT;
    for (size_t i = a; i < b; i++)
        r->flags[i - a] = (uint8_t)((f->recs[1 + i].too_long ? KH_RAW_TOO_LONG : 0) |
                                    ((i - a) % 2 ? extra : 0));
    return r;
}

/* The records read for `r` are those the splitter gave, with its flags. */
static void check_filled(const fixture_t *f, const kh_range_t *r, size_t a, const kh_raw_t *raw)
{
    assert_string_equal(raw->meta.file, FILE_NAME);
    assert_memory_equal(&raw->meta, &r->meta, sizeof r->meta);
    assert_int_equal(raw->nrows, r->nrows);
    assert_int_equal(raw->offs[0], 0);
    for (uint32_t i = 0; i < raw->nrows; i++) {
        const rec_t *want = &f->recs[1 + a + i];
        assert_int_equal(raw->lines[i], want->line);
        assert_int_equal(raw->flags[i], r->flags[i]);
        assert_int_equal((raw->flags[i] & KH_RAW_TOO_LONG) != 0, want->too_long);
        assert_int_equal(raw->offs[i + 1] - raw->offs[i], want->len);
        assert_memory_equal(raw->data + raw->offs[i], want->data, want->len);
    }
    assert_int_equal(raw->offs[raw->nrows], raw->len);
}

/* Fills `r` and expects the run to fail: KH_E_UNUSABLE, one sentence that
 * starts with the file's name. */
static void expect_unusable(kh_rangeread_t *rr, const kh_range_t *r, kh_raw_t *raw,
                            const char *must_hold)
{
    char why[KH_REASON_MAX];
    memset(why, 0, sizeof why);
    assert_int_equal(kh_rangeread_fill(rr, r, raw, why, sizeof why), KH_E_UNUSABLE);
    char prefix[KH_FILE_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s: ", r->meta.file);
    if (strncmp(why, prefix, strlen(prefix)) != 0)
        fail_msg("why does not start with '%s': '%s'", prefix, why);
    assert_true(strlen(why) > strlen(prefix));
    assert_null(strchr(why, '\n'));
    if (must_hold && !strstr(why, must_hold))
        fail_msg("why does not say '%s': '%s'", must_hold, why);
}

static void fill_ok(kh_rangeread_t *rr, const fixture_t *f, const kh_range_t *r, size_t a,
                    kh_raw_t *raw)
{
    char why[KH_REASON_MAX] = "";
    int rc = kh_rangeread_fill(rr, r, raw, why, sizeof why);
    if (rc != 0)
        fail_msg("fill of [%zu, +%u): rc %d, %s", a, r->nrows, rc, why);
    check_filled(f, r, a, raw);
}

/* The fixture's file splits as its comment says: the ranges below rest on
 * it. */
static void test_fixture_splits_as_described(void **state)
{
    const fixture_t *f = *state;
    static const uint32_t lines[] = {1, 2, 4, 6, 7, 9, 11};
    assert_int_equal(f->n, 7);
    for (size_t i = 0; i < f->n; i++)
        assert_int_equal(f->recs[i].line, lines[i]);
    assert_true(f->recs[0].end == 3 + 14 && f->recs[0].end_line == 2);
    assert_true(f->recs[3].too_long && f->recs[3].end != 0);   /* arrived whole */
    assert_true(f->recs[5].too_long && f->recs[5].end == 0);   /* cut */
    assert_true(f->recs[6].end == CONTENT_LEN && content[CONTENT_LEN - 1] != '\n');
    assert_memory_equal(f->recs[2].data, "2;2021;\"Kari\nNordmann\"", f->recs[2].len);
}

/* Ranges as ingest cuts them, read in any order with one reader, give the
 * splitter's records. */
static void test_ranges_read_back(void **state)
{
    const fixture_t *f = *state;
    kh_rangeread_t *rr = kh_rangeread_new(f->dir);
    kh_raw_t *raw = kh_raw_new();
    /* after the BOM and header: a plain record and a quoted line end */
    kh_range_t *first = make_range(f, 0, 2, KH_RAW_OUT_OF_SCOPE);
    assert_int_equal(first->line, 2);
    /* a too-long record (it arrived whole, so a range may end after it)
     * and an escaped quote */
    kh_range_t *mid = make_range(f, 2, 4, KH_RAW_OUT_OF_SCOPE);
    kh_range_t *too_long_alone = make_range(f, 2, 3, 0);
    /* a cut too-long record (no range may start after it), then the last
     * line without line end */
    kh_range_t *last = make_range(f, 4, 6, KH_RAW_OUT_OF_SCOPE);
    /* the whole body: a reference table's one batch */
    kh_range_t *whole = make_range(f, 0, 6, KH_RAW_OUT_OF_SCOPE);
    assert_true(last->off + last->len == CONTENT_LEN);

    fill_ok(rr, f, last, 4, raw);
    fill_ok(rr, f, first, 0, raw);
    fill_ok(rr, f, mid, 2, raw);
    fill_ok(rr, f, too_long_alone, 2, raw);
    fill_ok(rr, f, whole, 0, raw);
    fill_ok(rr, f, first, 0, raw); /* again: the raw batch is cleared first */
    assert_int_equal(raw->nrows, 2);
    assert_int_equal(raw->flags[1], KH_RAW_OUT_OF_SCOPE);

    kh_range_destroy(&first);
    kh_range_destroy(&mid);
    kh_range_destroy(&too_long_alone);
    kh_range_destroy(&last);
    kh_range_destroy(&whole);
    kh_raw_destroy(&raw);
    kh_rangeread_destroy(&rr);
    assert_null(rr);
    kh_rangeread_destroy(&rr); /* NULL is fine */
}

/* A range as ingest splits it with another chunking: the file fed in
 * pieces of every size from 1 to 23 bytes, cut at every record end. */
static void test_every_cut_of_every_chunking(void **state)
{
    fixture_t *f = *state;
    kh_rangeread_t *rr = kh_rangeread_new(f->dir);
    kh_raw_t *raw = kh_raw_new();
    for (size_t step = 1; step <= 23; step++) {
        fixture_t g;
        memset(&g, 0, sizeof g);
        g.id = f->id;
        kh_csvsplit_t *s = kh_csvsplit_new(LIMIT);
        for (size_t pos = 0; pos < CONTENT_LEN; pos += step) {
            size_t n = CONTENT_LEN - pos < step ? CONTENT_LEN - pos : step;
            assert_int_equal(kh_csvsplit_feed(s, content + pos, n, keep, &g), 0);
        }
        assert_int_equal(kh_csvsplit_finish(s, keep, &g), 0);
        kh_csvsplit_destroy(&s);
        assert_int_equal(g.n, f->n);
        /* every pair of record ends (the header's first) bounds a range */
        for (size_t a = 0; a + 1 < g.n; a++) {
            if (g.recs[a].end == 0)
                continue;
            for (size_t b = a + 1; b < g.n; b++) {
                if (b + 1 < g.n && g.recs[b].end == 0)
                    continue;
                kh_range_t *r = make_range(&g, a, b, KH_RAW_OUT_OF_SCOPE);
                fill_ok(rr, &g, r, a, raw);
                kh_range_destroy(&r);
            }
        }
    }
    kh_raw_destroy(&raw);
    kh_rangeread_destroy(&rr);
}

/* Rewritten in place, the same size, another mtime: whether the reader had
 * the file open already (caught after reading) or opens it now. The range
 * fails even where its own bytes did not change. */
static void test_rewritten_same_size(void **state)
{
    const fixture_t *f = *state;
    kh_rangeread_t *rr = kh_rangeread_new(f->dir);
    kh_raw_t *raw = kh_raw_new();
    kh_range_t *first = make_range(f, 0, 2, 0);
    kh_range_t *last = make_range(f, 4, 6, 0);
    fill_ok(rr, f, first, 0, raw);

    char changed[sizeof content];
    memcpy(changed, content, sizeof content);
    char *ola = strstr(changed, "Ola");
    assert_non_null(ola);
    memcpy(ola, "Per", 3);
    int fd = open(f->path, O_WRONLY); /* the same file, not truncated */
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, ola, 3, ola - changed), 3);
    assert_int_equal(close(fd), 0);
    struct timespec times[2] = {mtime_rewritten, mtime_rewritten};
    assert_int_equal(utimensat(AT_FDCWD, f->path, times, 0), 0);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_size, CONTENT_LEN);

    expect_unusable(rr, first, raw, "changed");
    expect_unusable(rr, last, raw, "changed"); /* its bytes are as they were */
    kh_rangeread_t *fresh = kh_rangeread_new(f->dir);
    expect_unusable(fresh, first, raw, "changed");
    expect_unusable(fresh, last, raw, "changed");

    /* a range that describes the file as it is now reads */
    kh_range_t *now = make_range(f, 2, 4, 0);
    file_id(f->path, &now->id);
    fill_ok(fresh, f, now, 2, raw);
    fill_ok(rr, f, now, 2, raw);

    kh_range_destroy(&first);
    kh_range_destroy(&last);
    kh_range_destroy(&now);
    kh_raw_destroy(&raw);
    kh_rangeread_destroy(&rr);
    kh_rangeread_destroy(&fresh);
}

/* Another file renamed over it: the same bytes, size and mtime, another
 * inode. */
static void test_replaced_under_its_name(void **state)
{
    const fixture_t *f = *state;
    char tmp[400];
    snprintf(tmp, sizeof tmp, "%s/%s.new", f->dir, FILE_NAME);
    write_file(tmp, content, CONTENT_LEN, &mtime_written);
    assert_int_equal(rename(tmp, f->path), 0);
    kh_fileid_t now;
    file_id(f->path, &now);
    assert_true(now.size == f->id.size && now.mtime_ns == f->id.mtime_ns);
    assert_false(kh_fileid_same(&now, &f->id));

    kh_rangeread_t *rr = kh_rangeread_new(f->dir);
    kh_raw_t *raw = kh_raw_new();
    kh_range_t *first = make_range(f, 0, 2, 0);
    expect_unusable(rr, first, raw, "changed");
    kh_range_destroy(&first);
    kh_raw_destroy(&raw);
    kh_rangeread_destroy(&rr);
}

/* Truncated (the mtime put back): the range runs past the file's end. A
 * reader that had it open reads fewer bytes than the range holds. */
static void test_truncated(void **state)
{
    const fixture_t *f = *state;
    kh_rangeread_t *rr = kh_rangeread_new(f->dir);
    kh_raw_t *raw = kh_raw_new();
    kh_range_t *first = make_range(f, 0, 2, 0);
    kh_range_t *last = make_range(f, 4, 6, 0);
    fill_ok(rr, f, first, 0, raw);
    assert_int_equal(truncate(f->path, (off_t)(CONTENT_LEN - 5)), 0);
    struct timespec times[2] = {mtime_written, mtime_written};
    assert_int_equal(utimensat(AT_FDCWD, f->path, times, 0), 0);
    expect_unusable(rr, last, raw, "changed");
    expect_unusable(rr, first, raw, "changed");
    kh_range_destroy(&first);
    kh_range_destroy(&last);
    kh_raw_destroy(&raw);
    kh_rangeread_destroy(&rr);
}

/* A range whose row count disagrees with the records in its bytes: fewer
 * (a record ingest did not see) or more. The reader reads on afterwards. */
static void test_row_count_disagrees(void **state)
{
    const fixture_t *f = *state;
    kh_rangeread_t *rr = kh_rangeread_new(f->dir);
    kh_raw_t *raw = kh_raw_new();
    kh_range_t *good = make_range(f, 0, 2, 0);

    kh_range_t *fewer = make_range(f, 0, 2, 0);
    fewer->nrows = 1;
    expect_unusable(rr, fewer, raw, NULL);
    kh_range_t *none = make_range(f, 0, 2, 0);
    none->nrows = 0;
    expect_unusable(rr, none, raw, NULL);

    kh_range_t *more = make_range(f, 0, 3, 0);
    more->len = good->len; /* the bytes of two records, said to hold three */
    expect_unusable(rr, more, raw, NULL);

    /* bytes that run past the blank line 8 into line 9: a record more */
    fill_ok(rr, f, good, 0, raw);
    kh_range_t *longer = make_range(f, 2, 4, 0);
    longer->len += 4 + 2;
    expect_unusable(rr, longer, raw, NULL);
    longer->len -= 2; /* only the blank line more: the same records */
    fill_ok(rr, f, longer, 2, raw);

    fill_ok(rr, f, good, 0, raw);
    kh_range_destroy(&good);
    kh_range_destroy(&fewer);
    kh_range_destroy(&none);
    kh_range_destroy(&more);
    kh_range_destroy(&longer);
    kh_raw_destroy(&raw);
    kh_rangeread_destroy(&rr);
}

/* A too-long flag that disagrees with the file, either way. */
static void test_too_long_flag_disagrees(void **state)
{
    const fixture_t *f = *state;
    kh_rangeread_t *rr = kh_rangeread_new(f->dir);
    kh_raw_t *raw = kh_raw_new();
    kh_range_t *r = make_range(f, 2, 4, 0); /* recs 3 (too long) and 4 */
    assert_int_equal(r->flags[0], KH_RAW_TOO_LONG);
    r->flags[0] = KH_RAW_OUT_OF_SCOPE;
    expect_unusable(rr, r, raw, NULL);
    r->flags[0] = KH_RAW_TOO_LONG;
    r->flags[1] = KH_RAW_TOO_LONG | KH_RAW_OUT_OF_SCOPE;
    expect_unusable(rr, r, raw, NULL);
    r->flags[1] = KH_RAW_OUT_OF_SCOPE;
    fill_ok(rr, f, r, 2, raw);
    kh_range_destroy(&r);
    kh_raw_destroy(&raw);
    kh_rangeread_destroy(&rr);
}

/* The file gone (and one that never was): cannot open. */
static void test_missing_file(void **state)
{
    const fixture_t *f = *state;
    kh_rangeread_t *rr = kh_rangeread_new(f->dir);
    kh_raw_t *raw = kh_raw_new();
    kh_range_t *r = make_range(f, 0, 2, 0);
    assert_int_equal(unlink(f->path), 0);
    expect_unusable(rr, r, raw, "No such file");
    snprintf(r->meta.file, sizeof r->meta.file, "shj.csv");
    expect_unusable(rr, r, raw, "No such file");
    kh_range_destroy(&r);
    kh_raw_destroy(&raw);
    kh_rangeread_destroy(&rr);

    /* an extract directory that is not there */
    char gone[400];
    snprintf(gone, sizeof gone, "%s/not-there", f->dir);
    rr = kh_rangeread_new(gone);
    raw = kh_raw_new();
    r = make_range(f, 0, 2, 0);
    expect_unusable(rr, r, raw, NULL);
    kh_range_destroy(&r);
    kh_raw_destroy(&raw);
    kh_rangeread_destroy(&rr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_fixture_splits_as_described, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ranges_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_cut_of_every_chunking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rewritten_same_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_replaced_under_its_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_row_count_disagrees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_long_flag_disagrees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
