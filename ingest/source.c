/* source.c - reading one extract file for kohort-ingest, plain or gzip.
 *
 * gzip is inflated with zlib directly (not gzread) so that a stream cut
 * short is told apart from a clean end: every member must reach
 * Z_STREAM_END, and bytes after a member must start another one. See
 * source.h. */
#define _POSIX_C_SOURCE 200809L
#include "ingest/source.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "proto/err.h"
#include "proto/fileid.h"
#include "proto/util.h"

#define INBUF_SIZE (64 * 1024)

struct kh_source {
    int fd;
    int gzip;
    int failed;          /* sticky result after a failure */
    char *path;
    const char *name;    /* points into path */
    uint64_t max_bytes;
    kh_fileid_t id;      /* the file as opened (id.size: its size on disk) */
    uint64_t disk_read;  /* bytes read from the file */
    uint64_t bytes_out;
    z_stream zs;
    int zs_ready;        /* inflateInit2 succeeded */
    int raw_eof;         /* read() returned 0 */
    int in_member;       /* inside a gzip member not yet at Z_STREAM_END */
    int members;         /* gzip members started */
    unsigned char *inbuf;
    char err[512];
};

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(kh_source_t *src, int code, const char *fmt, ...)
{
    int n = snprintf(src->err, sizeof src->err, "%s: ", src->name);
    if (n < 0 || (size_t)n >= sizeof src->err)
        n = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(src->err + n, sizeof src->err - (size_t)n, fmt, ap);
    va_end(ap);
    src->failed = code;
    return code;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

int kh_source_open(const char *path, uint64_t max_bytes, kh_source_t **out)
{
    kh_source_t *src = kh_xcalloc(1, sizeof *src);
    *out = src;
    src->fd = -1;
    src->path = kh_xstrdup(path);
    const char *slash = strrchr(src->path, '/');
    src->name = slash ? slash + 1 : src->path;
    src->max_bytes = max_bytes;
    src->gzip = ends_with(path, ".gz");

    /* O_NONBLOCK: opening a FIFO must not wait for a writer */
    src->fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (src->fd < 0)
        return fail(src, -errno, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(src->fd, &st) != 0)
        return fail(src, -errno, "cannot stat: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fail(src, -EISDIR, "is a directory, not a file");
    if (!S_ISREG(st.st_mode))
        return fail(src, KH_E_UNUSABLE, "is not a regular file (a FIFO, socket or device)");
    int fl = fcntl(src->fd, F_GETFL);
    if (fl >= 0)
        fcntl(src->fd, F_SETFL, fl & ~O_NONBLOCK);
    kh_fileid_of(&st, &src->id);
    if (src->gzip) {
        src->inbuf = kh_xmalloc(INBUF_SIZE);
        /* 16 + MAX_WBITS: gzip wrapper only; a .gz file holding anything
         * else is corrupt. */
        if (inflateInit2(&src->zs, 16 + MAX_WBITS) != Z_OK)
            return fail(src, KH_E_UNUSABLE, "cannot set up gzip decompression");
        src->zs_ready = 1;
    }
    return 0;
}

void kh_source_destroy(kh_source_t **srcp)
{
    if (!srcp || !*srcp)
        return;
    kh_source_t *src = *srcp;
    if (src->fd >= 0)
        close(src->fd);
    if (src->zs_ready)
        inflateEnd(&src->zs);
    free(src->inbuf);
    free(src->path);
    free(src);
    *srcp = NULL;
}

/* The file is read as it was at open: at most its size then, and a file
 * that changed size meanwhile (still being written), or was written to,
 * fails, so the ledger's bytes, the checksum and the rows all describe one
 * file. */
static int at_end(kh_source_t *src, size_t *cap)
{
    uint64_t left = src->id.size - src->disk_read;
    if (left > 0) {
        if (*cap > left)
            *cap = (size_t)left;
        return 0;
    }
    kh_fileid_t now;
    if (kh_fileid_get(src->fd, &now) == 0) {
        if (now.size != src->id.size)
            return fail(src, KH_E_UNUSABLE, "changed size while it was read (%llu bytes at "
                        "open, %llu now): is it still being written?",
                        (unsigned long long)src->id.size, (unsigned long long)now.size);
        if (!kh_fileid_same(&now, &src->id))
            return fail(src, KH_E_UNUSABLE, "was written to while it was read: is it still "
                        "being written?");
    }
    *cap = 0;
    return 0;
}

static int shrank(kh_source_t *src)
{
    return fail(src, KH_E_UNUSABLE, "shrank while it was read (%llu bytes at open, %llu read)",
                (unsigned long long)src->id.size, (unsigned long long)src->disk_read);
}

/* read() that retries on EINTR; returns bytes read or -errno. */
static ssize_t read_some(int fd, void *buf, size_t cap)
{
    for (;;) {
        ssize_t n = read(fd, buf, cap);
        if (n >= 0 || errno != EINTR)
            return n < 0 ? -errno : n;
    }
}

static int read_error(kh_source_t *src, ssize_t code)
{
    return fail(src, (int)code, "read error: %s", strerror((int)-code));
}

static int check_cap(kh_source_t *src, size_t produced)
{
    src->bytes_out += produced;
    if (src->max_bytes && src->bytes_out > src->max_bytes)
        return fail(src, KH_E_UNUSABLE, "%s is larger than the limit of %llu bytes",
                    src->gzip ? "decompressed content" : "file",
                    (unsigned long long)src->max_bytes);
    return 0;
}

static int read_plain(kh_source_t *src, char *buf, size_t cap, size_t *got)
{
    int rc = at_end(src, &cap);
    if (rc)
        return rc;
    if (cap == 0) {
        *got = 0;
        return 0;
    }
    ssize_t n = read_some(src->fd, buf, cap);
    if (n < 0)
        return read_error(src, n);
    if (n == 0)
        return shrank(src);
    src->disk_read += (uint64_t)n;
    *got = (size_t)n;
    return check_cap(src, (size_t)n);
}

static int corrupt(kh_source_t *src)
{
    return fail(src, KH_E_UNUSABLE, "truncated or corrupt gzip stream");
}

/* Makes input available to inflate; returns 0 (possibly at raw EOF) or a
 * failure code. */
static int refill(kh_source_t *src)
{
    if (src->zs.avail_in > 0 || src->raw_eof)
        return 0;
    size_t cap = INBUF_SIZE;
    int rc = at_end(src, &cap);
    if (rc)
        return rc;
    ssize_t n = cap ? read_some(src->fd, src->inbuf, cap) : 0;
    if (n < 0)
        return read_error(src, n);
    if (n == 0 && cap)
        return shrank(src);
    if (n == 0)
        src->raw_eof = 1;
    src->disk_read += (uint64_t)n;
    src->zs.next_in = src->inbuf;
    src->zs.avail_in = (uInt)n;
    return 0;
}

static int read_gzip(kh_source_t *src, char *buf, size_t cap, size_t *got)
{
    uInt room = cap > UINT_MAX ? UINT_MAX : (uInt)cap;
    src->zs.next_out = (Bytef *)buf;
    src->zs.avail_out = room;
    while (src->zs.avail_out == room && room > 0) {
        int rc = refill(src);
        if (rc)
            return rc;
        if (src->zs.avail_in == 0) {
            /* End of the file: clean only between members, after one. */
            if (src->in_member || src->members == 0)
                return corrupt(src);
            break;
        }
        if (!src->in_member) {
            if (inflateReset(&src->zs) != Z_OK)
                return corrupt(src);
            src->in_member = 1;
            src->members++;
        }
        int zrc = inflate(&src->zs, Z_NO_FLUSH);
        if (zrc == Z_STREAM_END)
            src->in_member = 0;
        else if (zrc != Z_OK && zrc != Z_BUF_ERROR)
            return corrupt(src);
    }
    *got = room - src->zs.avail_out;
    return check_cap(src, *got);
}

int kh_source_read(kh_source_t *src, char *buf, size_t cap, size_t *got)
{
    *got = 0;
    if (src->failed)
        return src->failed;
    if (src->fd < 0)
        return fail(src, -EBADF, "not open");
    int rc = src->gzip ? read_gzip(src, buf, cap, got) : read_plain(src, buf, cap, got);
    if (rc)
        *got = 0;
    return rc;
}

const char *kh_source_error(const kh_source_t *src)
{
    return src->err;
}

const char *kh_source_name(const kh_source_t *src)
{
    return src->name;
}

const kh_fileid_t *kh_source_id(const kh_source_t *src)
{
    return &src->id;
}

int kh_source_is_gzip(const kh_source_t *src)
{
    return src->gzip;
}

uint64_t kh_source_disk_done(const kh_source_t *src)
{
    return src->disk_read - (src->gzip ? src->zs.avail_in : 0);
}

uint64_t kh_source_disk_size(const kh_source_t *src)
{
    return src->id.size;
}

uint64_t kh_source_bytes_out(const kh_source_t *src)
{
    return src->bytes_out;
}
