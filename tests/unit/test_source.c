/* test_source.c - unit tests of ingest/source: plain and gzip extract files
 * written to a temporary directory (gzip with zlib's gzopen), read back in
 * small pieces; truncated, corrupt, concatenated, oversized. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ingest/source.h"
#include "proto/err.h"

static char dir[64];
static char content[5000];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/kh_source_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    for (size_t i = 0; i < sizeof content; i++)
        content[i] = (char)('a' + (i * 7 + i / 13) % 26);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *path_of(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static void write_raw(const char *name, const void *data, size_t len)
{
    FILE *f = fopen(path_of(name), "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static void write_gz(const char *name, const char *data, size_t len)
{
    gzFile gz = gzopen(path_of(name), "wb");
    assert_non_null(gz);
    if (len > 0)
        assert_int_equal(gzwrite(gz, data, (unsigned)len), (int)len);
    assert_int_equal(gzclose(gz), Z_OK);
}

/* Reads the whole file in pieces of `step` bytes into out (cap bytes). */
static int read_all(kh_source_t *src, size_t step, char *out, size_t cap, size_t *total)
{
    *total = 0;
    for (;;) {
        size_t got = 0;
        size_t room = cap - *total < step ? cap - *total : step;
        int rc = kh_source_read(src, out + *total, room, &got);
        if (rc)
            return rc;
        if (got == 0)
            return 0;
        *total += got;
    }
}

static char *slurp(const char *name, size_t *len)
{
    FILE *f = fopen(path_of(name), "rb");
    assert_non_null(f);
    char *buf = malloc(100000);
    *len = fread(buf, 1, 100000, f);
    fclose(f);
    return buf;
}

/* Opens `name`, reads it all, and returns the result; out gets the error. */
static int read_file(const char *name, uint64_t max, size_t step, char *err)
{
    kh_source_t *src = NULL;
    static char out[20000];
    size_t total;
    int rc = kh_source_open(path_of(name), max, &src);
    if (rc == 0)
        rc = read_all(src, step, out, sizeof out, &total);
    snprintf(err, 256, "%s", kh_source_error(src));
    kh_source_destroy(&src);
    assert_null(src);
    return rc;
}

static void test_plain(void **state)
{
    (void)state;
    write_raw("bosatte.csv", content, sizeof content);
    kh_source_t *src = NULL;
    assert_int_equal(kh_source_open(path_of("bosatte.csv"), 0, &src), 0);
    assert_int_equal(kh_source_is_gzip(src), 0);
    assert_string_equal(kh_source_name(src), "bosatte.csv");
    assert_int_equal(kh_source_disk_size(src), sizeof content);
    char out[6000];
    size_t total;
    assert_int_equal(read_all(src, 7, out, sizeof out, &total), 0);
    assert_int_equal(total, sizeof content);
    assert_memory_equal(out, content, total);
    assert_int_equal(kh_source_disk_done(src), sizeof content);
    assert_int_equal(kh_source_bytes_out(src), sizeof content);
    assert_string_equal(kh_source_error(src), "");
    kh_source_destroy(&src);
}

static void test_gzip(void **state)
{
    (void)state;
    write_gz("f_intro.csv.gz", content, sizeof content);
    kh_source_t *src = NULL;
    assert_int_equal(kh_source_open(path_of("f_intro.csv.gz"), 0, &src), 0);
    assert_int_equal(kh_source_is_gzip(src), 1);
    char out[6000];
    size_t total;
    for (size_t step = 1; step <= 4096; step *= 8) {
        kh_source_destroy(&src);
        assert_int_equal(kh_source_open(path_of("f_intro.csv.gz"), 0, &src), 0);
        assert_int_equal(read_all(src, step, out, sizeof out, &total), 0);
        assert_int_equal(total, sizeof content);
        assert_memory_equal(out, content, total);
        assert_int_equal(kh_source_disk_done(src), kh_source_disk_size(src));
    }
    kh_source_destroy(&src);
}

static void test_gzip_empty_content(void **state)
{
    (void)state;
    char err[256];
    write_gz("empty.csv.gz", "", 0);
    assert_int_equal(read_file("empty.csv.gz", 0, 100, err), 0);
}

static void test_gzip_concatenated_members(void **state)
{
    (void)state;
    write_gz("part1.csv.gz", content, 3000);
    write_gz("part2.csv.gz", "", 0);
    write_gz("part3.csv.gz", content + 3000, sizeof content - 3000);
    size_t n1, n2, n3;
    char *a = slurp("part1.csv.gz", &n1);
    char *b = slurp("part2.csv.gz", &n2);
    char *c = slurp("part3.csv.gz", &n3);
    char *all = malloc(n1 + n2 + n3);
    memcpy(all, a, n1);
    memcpy(all + n1, b, n2);
    memcpy(all + n1 + n2, c, n3);
    write_raw("shj.csv.gz", all, n1 + n2 + n3);
    kh_source_t *src = NULL;
    char out[6000];
    size_t total;
    assert_int_equal(kh_source_open(path_of("shj.csv.gz"), 0, &src), 0);
    assert_int_equal(read_all(src, 1000, out, sizeof out, &total), 0);
    assert_int_equal(total, sizeof content);
    assert_memory_equal(out, content, total);
    kh_source_destroy(&src);
    free(a);
    free(b);
    free(c);
    free(all);
}

static void test_gzip_truncated(void **state)
{
    (void)state;
    write_gz("full.csv.gz", content, sizeof content);
    size_t n;
    char *gz = slurp("full.csv.gz", &n);
    char err[256];
    /* without the trailer's last byte, half the stream, only the header */
    size_t cuts[] = {n - 1, n - 8, n / 2, 10, 1};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        write_raw("f_intro.csv.gz", gz, cuts[i]);
        assert_int_equal(read_file("f_intro.csv.gz", 0, 512, err), KH_E_UNUSABLE);
        assert_string_equal(err, "f_intro.csv.gz: truncated or corrupt gzip stream");
    }
    /* an empty file holds no gzip member at all */
    write_raw("f_intro.csv.gz", gz, 0);
    assert_int_equal(read_file("f_intro.csv.gz", 0, 512, err), KH_E_UNUSABLE);
    /* a second member cut short */
    char *two = malloc(2 * n);
    memcpy(two, gz, n);
    memcpy(two + n, gz, n);
    write_raw("f_intro.csv.gz", two, n + n / 2);
    assert_int_equal(read_file("f_intro.csv.gz", 0, 512, err), KH_E_UNUSABLE);
    free(two);
    free(gz);
}

static void test_gzip_corrupt(void **state)
{
    (void)state;
    write_gz("full.csv.gz", content, sizeof content);
    size_t n;
    char *gz = slurp("full.csv.gz", &n);
    char err[256];
    size_t where[] = {0, n / 2, n - 6, n - 2}; /* magic, data, CRC, length */
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        char *bad = malloc(n);
        memcpy(bad, gz, n);
        bad[where[i]] ^= 0x55;
        write_raw("utdanning.csv.gz", bad, n);
        assert_int_equal(read_file("utdanning.csv.gz", 0, 512, err), KH_E_UNUSABLE);
        assert_string_equal(err, "utdanning.csv.gz: truncated or corrupt gzip stream");
        free(bad);
    }
    /* bytes after the last member that are no gzip member */
    char *tail = malloc(n + 4);
    memcpy(tail, gz, n);
    memcpy(tail + n, "\0\0\0\0", 4);
    write_raw("utdanning.csv.gz", tail, n + 4);
    assert_int_equal(read_file("utdanning.csv.gz", 0, 512, err), KH_E_UNUSABLE);
    /* plain text under a .gz name */
    write_raw("utdanning.csv.gz", "fnr;aar;nus2000\n", 16);
    assert_int_equal(read_file("utdanning.csv.gz", 0, 512, err), KH_E_UNUSABLE);
    free(tail);
    free(gz);
}

static void test_size_limit(void **state)
{
    (void)state;
    char err[256];
    write_gz("bomb.csv.gz", content, sizeof content);
    assert_int_equal(read_file("bomb.csv.gz", sizeof content, 333, err), 0);
    assert_int_equal(read_file("bomb.csv.gz", sizeof content - 1, 333, err), KH_E_UNUSABLE);
    assert_string_equal(err, "bomb.csv.gz: decompressed content is larger than the limit of 4999 bytes");
    write_raw("big.csv", content, sizeof content);
    assert_int_equal(read_file("big.csv", sizeof content, 333, err), 0);
    assert_int_equal(read_file("big.csv", 100, 333, err), KH_E_UNUSABLE);
    assert_string_equal(err, "big.csv: file is larger than the limit of 100 bytes");
}

static void test_missing_file_and_sticky_error(void **state)
{
    (void)state;
    kh_source_t *src = NULL;
    assert_int_equal(kh_source_open(path_of("nope.csv"), 0, &src), -ENOENT);
    assert_non_null(src);
    assert_non_null(strstr(kh_source_error(src), "nope.csv: cannot open"));
    kh_source_destroy(&src);

    write_raw("f.csv.gz", "garbage!", 8);
    assert_int_equal(kh_source_open(path_of("f.csv.gz"), 0, &src), 0);
    char buf[16];
    size_t got = 99;
    assert_int_equal(kh_source_read(src, buf, sizeof buf, &got), KH_E_UNUSABLE);
    assert_int_equal(got, 0);
    assert_int_equal(kh_source_read(src, buf, sizeof buf, &got), KH_E_UNUSABLE);
    kh_source_destroy(&src);
    kh_source_destroy(&src);
}

/* A file that grows while it is read fails (it is still being written):
 * what was read never mixes the file at open with rows added later. */
static void test_grows_while_read(void **state)
{
    (void)state;
    write_raw("grow.csv", content, 1000);
    kh_source_t *src = NULL;
    assert_int_equal(kh_source_open(path_of("grow.csv"), 0, &src), 0);
    char buf[600];
    size_t got = 0, total = 0;
    assert_int_equal(kh_source_read(src, buf, sizeof buf, &got), 0);
    total += got;
    FILE *f = fopen(path_of("grow.csv"), "ab");
    assert_non_null(f);
    fputs("appended;row\n", f);
    fclose(f);
    int rc = 0;
    while (rc == 0) {
        rc = kh_source_read(src, buf, sizeof buf, &got);
        total += got;
        if (rc == 0 && got == 0)
            break;
    }
    assert_int_equal(rc, KH_E_UNUSABLE);
    assert_true(total <= 1000);
    assert_non_null(strstr(kh_source_error(src), "changed size while it was read"));
    kh_source_destroy(&src);
}

/* A FIFO is refused at open, without waiting for a writer. */
/* A file written in place while it is read, its size unchanged, fails too:
 * its time of last change is not what it was at open. */
static void test_written_while_read(void **state)
{
    (void)state;
    write_raw("rewrite.csv", content, 1000);
    kh_source_t *src = NULL;
    assert_int_equal(kh_source_open(path_of("rewrite.csv"), 0, &src), 0);
    char buf[600];
    size_t got = 0;
    assert_int_equal(kh_source_read(src, buf, sizeof buf, &got), 0);
    int fd = open(path_of("rewrite.csv"), O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, "X", 1, 0), 1);
    /* a time far from now, so that the change shows whatever the clock's grain */
    struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
    assert_int_equal(futimens(fd, times), 0);
    close(fd);
    int rc = 0;
    while (rc == 0) {
        rc = kh_source_read(src, buf, sizeof buf, &got);
        if (rc == 0 && got == 0)
            break;
    }
    assert_int_equal(rc, KH_E_UNUSABLE);
    assert_non_null(strstr(kh_source_error(src), "was written to while it was read"));
    kh_source_destroy(&src);
}

static void test_not_regular(void **state)
{
    (void)state;
    assert_int_equal(mkfifo(path_of("fifo.csv"), 0600), 0);
    kh_source_t *src = NULL;
    assert_int_equal(kh_source_open(path_of("fifo.csv"), 0, &src), KH_E_UNUSABLE);
    assert_non_null(strstr(kh_source_error(src), "not a regular file"));
    kh_source_destroy(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_gzip_empty_content),
        cmocka_unit_test(test_gzip_concatenated_members),
        cmocka_unit_test(test_gzip_truncated),
        cmocka_unit_test(test_gzip_corrupt),
        cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_missing_file_and_sticky_error),
        cmocka_unit_test(test_grows_while_read),
        cmocka_unit_test(test_written_while_read),
        cmocka_unit_test(test_not_regular),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
