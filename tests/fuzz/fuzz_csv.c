/* fuzz_csv.c - libFuzzer target for the CSV reading layer of kohort-ingest
 * (ingest/csvsplit) and the field splitter (proto/csvfield).
 *
 * The input is split into records twice, once fed whole and once in small
 * pseudo-random chunks; both must give the same records and result. Then
 * once more from where one record ends (kh_csvsplit_new_at(), as a
 * validator splits a batch sent as a range of the file), which must give
 * the records that followed it, their ends shifted. Every record is split
 * into fields and checked for UTF-8.
 * Build: clang -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_csv.c
 *        ingest/csvsplit.c proto/csvfield.c proto/util.c proto/err.c -llmdb */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/csvsplit.h"
#include "proto/csvfield.h"
#include "proto/reason.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Records of the whole feeding, flattened: per record a header then bytes. */
typedef struct {
    uint32_t line;
    int too_long;
    size_t len;
    uint64_t end;
    uint32_t end_line;
} rec_head_t;

enum { RECORD, COMPARE_CHUNKED, COMPARE_RESTART };

typedef struct {
    char *buf;
    size_t used, cap;
    size_t read_pos;     /* the chunked feeding's position while comparing */
    int mode;
    uint64_t shift;      /* COMPARE_RESTART: where the restart began */
} trace_t;

static void append(trace_t *t, const void *p, size_t n)
{
    if (t->used + n > t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap < t->used + n)
            cap *= 2;
        t->buf = realloc(t->buf, cap);
        if (!t->buf)
            abort();
        t->cap = cap;
    }
    if (n)
        memcpy(t->buf + t->used, p, n);
    t->used += n;
}

static void check_fields(const kh_csvrec_t *rec)
{
    kh_field_t fields[8];
    char *scratch = malloc(rec->len + 1);
    if (!scratch)
        abort();
    int n = 0, all = 0;
    int rc = kh_csv_split(rec->data, rec->len, scratch, fields, 8, &n);
    if (rc != 0 && rc != KH_R_BAD_QUOTING)
        abort();
    if (kh_csv_split(rec->data, rec->len, NULL, NULL, 0, &all) != rc || all != n)
        abort(); /* counting alone must agree */
    for (int i = 0; rc == 0 && i < n && i < 8; i++) {
        const char *p = fields[i].data;
        size_t len = fields[i].len;
        int in_rec = p >= rec->data && p + len <= rec->data + rec->len;
        int in_scratch = p >= scratch && p + len <= scratch + rec->len;
        if (!in_rec && !in_scratch)
            abort();
        if (len > 0 && (p[0] == ' ' || p[0] == '\t' || p[len - 1] == ' ' || p[len - 1] == '\t'))
            abort(); /* fields are trimmed */
    }
    (void)kh_csv_utf8_valid(rec->data, rec->len);
    free(scratch);
}

static int on_record(void *ctx, const kh_csvrec_t *rec)
{
    trace_t *t = ctx;
    if (rec->too_long && rec->len != 0)
        abort();
    if (t->mode == RECORD) {
        rec_head_t h = {rec->line, rec->too_long, rec->len, rec->end, rec->end_line};
        append(t, &h, sizeof h);
        append(t, rec->data, rec->len);
        check_fields(rec);
        return 0;
    }
    rec_head_t h;
    if (t->read_pos + sizeof h > t->used)
        abort(); /* more records than the whole feeding gave */
    memcpy(&h, t->buf + t->read_pos, sizeof h);
    t->read_pos += sizeof h;
    if (h.line != rec->line || h.too_long != rec->too_long || h.len != rec->len ||
        t->read_pos + h.len > t->used || memcmp(t->buf + t->read_pos, rec->data, h.len) != 0)
        abort();
    /* fed whole both times, a record ends at the same byte */
    if (t->mode == COMPARE_RESTART &&
        (h.end_line != rec->end_line || h.end != (rec->end ? rec->end + t->shift : 0)))
        abort();
    t->read_pos += h.len;
    return 0;
}

/* Splits data[h.end..] from the n-th record with an end on, and compares
 * with what the whole feeding gave after it. */
static void restart(const uint8_t *data, size_t size, size_t limit, uint32_t n, int whole,
                    trace_t *t)
{
    size_t pos = 0;
    rec_head_t h;
    int found = 0;
    while (pos + sizeof h <= t->used) {
        memcpy(&h, t->buf + pos, sizeof h);
        pos += sizeof h + h.len;
        if (h.end && n-- == 0) {
            found = 1;
            break;
        }
    }
    if (!found)
        return;
    if (h.end > size || (h.end < size && data[h.end - 1] != '\n'))
        abort(); /* a record ends after its line end, or at the end */
    kh_csvsplit_t *s = kh_csvsplit_new_at(limit, h.end_line);
    t->mode = COMPARE_RESTART;
    t->read_pos = pos;
    t->shift = h.end;
    int rc = h.end < size ? kh_csvsplit_feed(s, (const char *)data + h.end, size - h.end,
                                             on_record, t)
                          : 0;
    if (rc == 0)
        rc = kh_csvsplit_finish(s, on_record, t);
    kh_csvsplit_destroy(&s);
    if (rc != whole || t->read_pos != t->used)
        abort();
}

static int feed_all(const uint8_t *data, size_t size, size_t limit, uint32_t seed, trace_t *t)
{
    kh_csvsplit_t *s = kh_csvsplit_new(limit);
    int rc = 0;
    size_t pos = 0;
    while (rc == 0 && pos < size) {
        size_t n = size - pos;
        if (seed) {
            seed = seed * 1103515245u + 12345u;
            size_t step = 1 + (seed >> 16) % 9;
            if (step < n)
                n = step;
        }
        /* a private copy, so that a record kept past its chunk shows */
        char *piece = malloc(n);
        if (!piece)
            abort();
        memcpy(piece, data + pos, n);
        rc = kh_csvsplit_feed(s, piece, n, on_record, t);
        free(piece);
        pos += n;
    }
    if (rc == 0)
        rc = kh_csvsplit_finish(s, on_record, t);
    kh_csvsplit_destroy(&s);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* first byte: the line limit (small, to reach it) and the chunk seed */
    size_t limit = 1 + (data[0] & 0x3F);
    uint32_t seed = (uint32_t)data[0] * 2654435761u | 1u;
    data++;
    size--;
    trace_t t = {0};
    int whole = feed_all(data, size, limit, 0, &t);
    t.mode = COMPARE_CHUNKED;
    int chunked = feed_all(data, size, limit, seed, &t);
    if (whole != chunked || t.read_pos != t.used)
        abort();
    restart(data, size, limit, seed % 7, whole, &t);
    free(t.buf);
    return 0;
}
