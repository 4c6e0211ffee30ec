/* write.c - buffered plain or gzip output and hand-made formatting for
 * `kohort gen` (the `kohort` process). Owns the file descriptor, the zlib
 * stream and the buffers of each output. See write.h. */
#define _POSIX_C_SOURCE 200809L
#include "gen/write.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "proto/date.h"
#include "proto/util.h"

#define BUF_SIZE (1u << 20)
/* Room that one formatted row can never exceed, so kh_gen_out_row() checks
 * the buffer once per row instead of once per byte. */
#define ROW_MAX (KH_GEN_ROW_FIELDS * (2 * KH_GEN_FIELD_MAX + 3) + 2)

struct kh_gen_out {
    int fd;
    int gzip;
    int error;            /* first error, sticky */
    z_stream zs;
    char *buf;            /* uncompressed text waiting to be written */
    size_t used;
    unsigned char *zbuf;  /* compressed bytes (gzip only) */
    uint64_t rows;
    uint64_t size;
    char *tmp_path;
    char *final_path;
    char *other_path;     /* the same table with the other extension */
};

static char *join_path(const char *dir, const char *prefix, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + strlen(prefix) + strlen(name) + strlen(suffix) + 2;
    char *path = kh_xmalloc(n);
    snprintf(path, n, "%s/%s%s%s", dir, prefix, name, suffix);
    return path;
}

static void free_out(kh_gen_out_t *out)
{
    free(out->buf);
    free(out->zbuf);
    free(out->tmp_path);
    free(out->final_path);
    free(out->other_path);
    free(out);
}

int kh_gen_out_open(const char *dir, const char *name, int gzip, int level, kh_gen_out_t **out)
{
    kh_gen_out_t *o = kh_xcalloc(1, sizeof *o);
    const char *ext = gzip ? ".csv.gz" : ".csv";
    o->gzip = gzip;
    o->tmp_path = join_path(dir, ".", name, gzip ? ".csv.gz.part" : ".csv.part");
    o->final_path = join_path(dir, "", name, ext);
    o->other_path = join_path(dir, "", name, gzip ? ".csv" : ".csv.gz");
    o->buf = kh_xmalloc(BUF_SIZE);
    o->fd = open(o->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        int rc = -errno;
        free_out(o);
        return rc;
    }
    if (gzip) {
        o->zbuf = kh_xmalloc(BUF_SIZE);
        /* windowBits 15 + 16: a gzip wrapper, as `gzip` itself writes. */
        if (deflateInit2(&o->zs, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
            close(o->fd);
            unlink(o->tmp_path);
            free_out(o);
            return -ENOMEM;
        }
    }
    *out = o;
    return 0;
}

static void write_all(kh_gen_out_t *o, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0 && !o->error) {
        ssize_t n = write(o->fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            o->error = -errno;
            return;
        }
        p += n;
        len -= (size_t)n;
    }
}

static void deflate_buffer(kh_gen_out_t *o, int flush)
{
    o->zs.next_in = (unsigned char *)o->buf;
    o->zs.avail_in = (unsigned)o->used;
    int rc;
    do {
        o->zs.next_out = o->zbuf;
        o->zs.avail_out = BUF_SIZE;
        rc = deflate(&o->zs, flush);
        if (rc == Z_STREAM_ERROR) {
            o->error = -EIO;
            return;
        }
        write_all(o, o->zbuf, BUF_SIZE - o->zs.avail_out);
    } while (!o->error && (o->zs.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END)));
}

/* Hand the buffered text to the file (through deflate when gzip). */
static void flush_buffer(kh_gen_out_t *o, int finish)
{
    if (o->error)
        return;
    if (o->gzip)
        deflate_buffer(o, finish ? Z_FINISH : Z_NO_FLUSH);
    else
        write_all(o, o->buf, o->used);
    o->used = 0;
}

void kh_gen_out_bytes(kh_gen_out_t *out, const char *bytes, size_t len)
{
    out->size += len;
    while (len > 0) {
        if (out->used == BUF_SIZE)
            flush_buffer(out, 0);
        size_t room = BUF_SIZE - out->used;
        size_t n = len < room ? len : room;
        memcpy(out->buf + out->used, bytes, n);
        out->used += n;
        bytes += n;
        len -= n;
    }
}

void kh_gen_out_records(kh_gen_out_t *out, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++)
        out->rows += text[i] == '\n';
    kh_gen_out_bytes(out, text, len);
}

static size_t put_quoted(char *dst, const char *text, size_t len)
{
    size_t n = 0;
    dst[n++] = '"';
    for (size_t i = 0; i < len; i++) {
        if (text[i] == '"')
            dst[n++] = '"';
        dst[n++] = text[i];
    }
    dst[n++] = '"';
    return n;
}

void kh_gen_out_row(kh_gen_out_t *out, const kh_gen_row_t *row)
{
    if (BUF_SIZE - out->used < ROW_MAX)
        flush_buffer(out, 0);
    char *dst = out->buf + out->used;
    size_t n = 0;
    for (int i = 0; i < row->nfields; i++) {
        if (i > 0)
            dst[n++] = ';';
        if (row->quote_mask & (1u << i)) {
            n += put_quoted(dst + n, row->text[i], row->len[i]);
        } else {
            memcpy(dst + n, row->text[i], row->len[i]);
            n += row->len[i];
        }
    }
    dst[n++] = '\n';
    out->used += n;
    out->size += n;
    out->rows++;
}

int kh_gen_out_error(const kh_gen_out_t *out)
{
    return out->error;
}

uint64_t kh_gen_out_rows(const kh_gen_out_t *out)
{
    return out->rows;
}

uint64_t kh_gen_out_size(const kh_gen_out_t *out)
{
    return out->size;
}

int kh_gen_out_close(kh_gen_out_t **out)
{
    kh_gen_out_t *o = *out;
    if (!o)
        return 0;
    flush_buffer(o, 1);
    if (o->gzip)
        deflateEnd(&o->zs);
    if (close(o->fd) != 0 && !o->error)
        o->error = -errno;
    if (!o->error && rename(o->tmp_path, o->final_path) != 0)
        o->error = -errno;
    /* Both NAME.csv and NAME.csv.gz make the extract unusable, so a
     * regenerated directory must not keep the other one from before. */
    if (!o->error && unlink(o->other_path) != 0 && errno != ENOENT)
        o->error = -errno;
    int rc = o->error;
    if (rc)
        unlink(o->tmp_path);
    free_out(o);
    *out = NULL;
    return rc;
}

void kh_gen_out_destroy(kh_gen_out_t **out)
{
    kh_gen_out_t *o = *out;
    if (!o)
        return;
    if (o->gzip)
        deflateEnd(&o->zs);
    close(o->fd);
    unlink(o->tmp_path);
    free_out(o);
    *out = NULL;
}

/* ---- Row building --------------------------------------------------------- */

void kh_gen_row_reset(kh_gen_row_t *row)
{
    row->nfields = 0;
    row->quote_mask = 0;
}

void kh_gen_row_set(kh_gen_row_t *row, int index, const char *text, size_t len)
{
    if (len > KH_GEN_FIELD_MAX)
        len = KH_GEN_FIELD_MAX;
    memcpy(row->text[index], text, len);
    row->len[index] = (uint8_t)len;
}

void kh_gen_row_add(kh_gen_row_t *row, const char *text, size_t len)
{
    if (row->nfields >= KH_GEN_ROW_FIELDS)
        return;
    kh_gen_row_set(row, row->nfields++, text, len);
}

size_t kh_gen_fmt_uint(char *dst, uint64_t value, int width)
{
    char tmp[20];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    while ((int)n < width && n < sizeof tmp)
        tmp[n++] = '0';
    for (size_t i = 0; i < n; i++)
        dst[i] = tmp[n - 1 - i];
    return n;
}

void kh_gen_row_add_uint(kh_gen_row_t *row, uint64_t value, int width)
{
    if (row->nfields >= KH_GEN_ROW_FIELDS)
        return;
    int i = row->nfields++;
    row->len[i] = (uint8_t)kh_gen_fmt_uint(row->text[i], value, width);
}

void kh_gen_row_add_date(kh_gen_row_t *row, int64_t days, int compact)
{
    if (row->nfields >= KH_GEN_ROW_FIELDS)
        return;
    int y, m, d;
    kh_date_to_ymd(days, &y, &m, &d);
    int i = row->nfields++;
    char *p = row->text[i];
    size_t n = kh_gen_fmt_uint(p, (uint64_t)y, 4);
    if (!compact)
        p[n++] = '-';
    n += kh_gen_fmt_uint(p + n, (uint64_t)m, 2);
    if (!compact)
        p[n++] = '-';
    n += kh_gen_fmt_uint(p + n, (uint64_t)d, 2);
    row->len[i] = (uint8_t)n;
}
