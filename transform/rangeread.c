/* rangeread.c - a RANGE batch's records from its file. See rangeread.h. */
#define _POSIX_C_SOURCE 200809L
#include "transform/rangeread.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/csvsplit.h"
#include "proto/err.h"
#include "proto/util.h"

#define CHUNK (1u << 20)

struct kh_rangeread {
    char *dir;
    int fd;                       /* the current file, or -1 */
    kh_fileid_t id;               /* which file it is, as ingest saw it */
    char *buf;
};

kh_rangeread_t *kh_rangeread_new(const char *dir)
{
    kh_rangeread_t *rr = kh_xcalloc(1, sizeof *rr);
    rr->dir = kh_xstrdup(dir);
    rr->fd = -1;
    rr->buf = kh_xmalloc(CHUNK);
    return rr;
}

void kh_rangeread_destroy(kh_rangeread_t **rp)
{
    if (!rp || !*rp)
        return;
    kh_rangeread_t *rr = *rp;
    if (rr->fd >= 0)
        close(rr->fd);
    free(rr->dir);
    free(rr->buf);
    free(rr);
    *rp = NULL;
}

/* What the splitter's callback works with. */
typedef struct {
    const kh_range_t *range;
    kh_rangeread_cb cb;
    void *ctx;
    uint32_t n;                 /* records found so far */
    int mismatch;               /* a record ingest did not see */
} each_t;

static int on_record(void *ctx, const kh_csvrec_t *rec)
{
    each_t *e = ctx;
    uint32_t i = e->n;
    uint8_t too_long = rec->too_long ? KH_RAW_TOO_LONG : 0;
    if (i >= e->range->nrows || (e->range->flags[i] & KH_RAW_TOO_LONG) != too_long) {
        e->mismatch = 1;
        return KH_STOP;
    }
    e->cb(e->ctx, rec->data, rec->len, rec->line, e->range->flags[i]);
    e->n++;
    return 0;
}

static int changed(const kh_range_t *range, char *why, size_t whycap)
{
    snprintf(why, whycap, "%s: changed while the run was reading it: is it still being "
             "written?", range->meta.file);
    return KH_E_UNUSABLE;
}

/* Makes range's file the open one, unless it already is (the identity
 * names one file in one state, whatever its name). */
static int open_file(kh_rangeread_t *rr, const kh_range_t *range, char *why, size_t whycap)
{
    if (rr->fd >= 0 && kh_fileid_same(&rr->id, &range->id))
        return 0;
    if (rr->fd >= 0)
        close(rr->fd);
    rr->fd = -1;
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", rr->dir, range->meta.file) >= sizeof path) {
        snprintf(why, whycap, "%s: the path of the extract directory is too long",
                 range->meta.file);
        return KH_E_UNUSABLE;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        snprintf(why, whycap, "%s: cannot open: %s", range->meta.file, strerror(errno));
        return KH_E_UNUSABLE;
    }
    kh_fileid_t now;
    if (kh_fileid_get(fd, &now) != 0 || !kh_fileid_same(&now, &range->id)) {
        close(fd);
        return changed(range, why, whycap);
    }
    rr->fd = fd;
    rr->id = range->id;
    return 0;
}

int kh_rangeread_each(kh_rangeread_t *rr, const kh_range_t *range, kh_rangeread_cb cb,
                      void *ctx, char *why, size_t whycap)
{
    int rc = open_file(rr, range, why, whycap);
    if (rc)
        return rc;
    kh_csvsplit_t *split = kh_csvsplit_new_at((size_t)range->line_limit, range->line);
    each_t e = {range, cb, ctx, 0, 0};
    uint64_t done = 0;
    while (rc == 0 && done < range->len) {
        size_t want = range->len - done < CHUNK ? (size_t)(range->len - done) : CHUNK;
        ssize_t n = pread(rr->fd, rr->buf, want, (off_t)(range->off + done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            snprintf(why, whycap, "%s: read error: %s", range->meta.file, strerror(errno));
            kh_csvsplit_destroy(&split);
            return KH_E_UNUSABLE;
        }
        if (n == 0)
            break; /* shorter than ingest saw it: caught below */
        done += (uint64_t)n;
        rc = kh_csvsplit_feed(split, rr->buf, (size_t)n, on_record, &e);
    }
    if (rc == 0)
        rc = kh_csvsplit_finish(split, on_record, &e);
    kh_csvsplit_destroy(&split);
    kh_fileid_t now;
    if (rc != 0 || e.mismatch || done != range->len || e.n != range->nrows ||
        kh_fileid_get(rr->fd, &now) != 0 || !kh_fileid_same(&now, &range->id))
        return changed(range, why, whycap);
    return 0;
}

static void append(void *ctx, const char *data, size_t len, uint32_t line, uint8_t flags)
{
    kh_raw_append(ctx, line, flags, data, len);
}

int kh_rangeread_fill(kh_rangeread_t *rr, const kh_range_t *range, kh_raw_t *raw, char *why,
                      size_t whycap)
{
    kh_raw_clear(raw);
    raw->meta = range->meta;
    return kh_rangeread_each(rr, range, append, raw, why, whycap);
}
