/* msg_batch.c - the codecs of the kinds that carry one register table
 * through the stages: RAW and RANGE (ingest -> validate), ROWS (validate ->
 * anonymise -> link), EOT (the end of a table), REJECTS (rejected rows, to
 * the sink) and ACK (link -> ingest). Each kh_msg_pack_<kind>() has its
 * kh_msg_unpack_<kind>() below it (msgkind.h).
 *
 * Fixed-width columns are packed as bins of little-endian values so that a
 * batch of thousands of rows costs a handful of msgpack calls. */
#include <stdlib.h>
#include <string.h>

#include "proto/msgkind.h"
#include "proto/reason.h"
#include "proto/util.h"

/* Fixed-width columns go out little-endian: they are copied as they lie in
 * memory, and the messages carry no byte-order marker, so kohort builds only
 * where memory is little-endian (checked here at compile time). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "kohort's message codec assumes a little-endian machine"
#endif

/* The elements of each body, and of the arrays inside them. */
enum {
    META_FIELDS = 3,        /* file, header_nfields, [colmap, colname] per column */
    META_COL_FIELDS = 2,    /* colmap, colname */
    RAW_FIELDS = 6,         /* meta, nrows, lines, flags, offs, data */
    RANGE_FIELDS = 7,       /* meta, [file id fields], off, len, line, line_limit, flags */
    FILEID_FIELDS = 5,      /* dev, ino, size, mtime_ns, ctime_ns */
    ROWS_FIELDS = 8,        /* meta, rejected, dropped, dropped_aar, nrows, anonymised, lines, columns */
    EOT_FIELDS = 6,         /* batches, rows, bytes, crc32, present, file */
    REJECTS_FIELDS = 2,     /* file, [rejected row fields] */
    REJECTED_FIELDS = 4,    /* line, reason, column, value */
    ACK_FIELDS = 1,         /* eot */
};

/* Rows in one batch: more than ingest ever sends. */
#define MAX_BATCH_ROWS (1 << 24)

/* ---- table metadata (RAW, ROWS) ------------------------------------------------- */

static int table_ncols(int table)
{
    const kh_tabledef_t *def = kh_schema_table((kh_table_t)table);
    return def ? def->ncols : 0;
}

static void pack_meta(kh_pk_t *p, const kh_tablemeta_t *m, int ncols)
{
    msgpack_pack_array(&p->pk, META_FIELDS);
    kh_pk_str(p, m->file);
    msgpack_pack_int32(&p->pk, m->header_nfields);
    msgpack_pack_array(&p->pk, (size_t)ncols * META_COL_FIELDS);
    for (int c = 0; c < ncols; c++) {
        msgpack_pack_int32(&p->pk, m->colmap[c]);
        kh_pk_str(p, m->colname[c]);
    }
}

static void unpack_meta(kh_cur_t *c, kh_tablemeta_t *m, int ncols)
{
    kh_cur_t a = kh_cur_array(c, META_FIELDS);
    kh_cur_str(&a, m->file, sizeof m->file);
    m->header_nfields = (int32_t)kh_cur_int(&a, 0, KH_MAX_HEADER_FIELDS);
    kh_cur_t cols = kh_cur_array(&a, (uint32_t)ncols * META_COL_FIELDS);
    for (int i = 0; i < ncols && !cols.bad; i++) {
        m->colmap[i] = (int32_t)kh_cur_int(&cols, -1, m->header_nfields - 1);
        kh_cur_str(&cols, m->colname[i], sizeof m->colname[i]);
    }
    kh_cur_done(&a, &cols);
    kh_cur_done(c, &a);
}

static void pack_u32s(kh_pk_t *p, const uint32_t *v, uint32_t n)
{
    kh_pk_bin(p, v, (size_t)n * 4);
}

static void unpack_u32s(kh_cur_t *c, uint32_t *dst, uint32_t n)
{
    const char *p = kh_cur_bin(c, (size_t)n * 4, NULL);
    if (p && n)
        memcpy(dst, p, (size_t)n * 4);
}

/* ---- RAW ------------------------------------------------------------------------ */

void kh_msg_pack_raw(kh_packed_t *out, const kh_env_t *env, const kh_raw_t *raw)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, RAW_FIELDS, sizeof raw->meta + (size_t)raw->nrows * 9 + raw->len + 64);
    pack_meta(&p, &raw->meta, table_ncols(env->table));
    msgpack_pack_uint32(&p.pk, raw->nrows);
    pack_u32s(&p, raw->lines, raw->nrows);
    kh_pk_bin(&p, raw->flags, raw->nrows);
    pack_u32s(&p, raw->offs, raw->nrows + 1);
    kh_pk_bin(&p, raw->data, raw->len);
    kh_pk_release(&p, out);
}

void kh_msg_unpack_raw(kh_cur_t *c, kh_msg_t *m)
{
    unpack_meta(c, &m->meta, table_ncols(m->env.table));
    uint32_t n = (uint32_t)kh_cur_int(c, 0, MAX_BATCH_ROWS);
    if (c->bad)
        return;
    kh_raw_t *raw = m->raw = kh_raw_new();
    raw->meta = m->meta;
    kh_raw_reserve(raw, n, 0);
    unpack_u32s(c, raw->lines, n);
    const char *flags = kh_cur_bin(c, n, NULL);
    if (flags && n)
        memcpy(raw->flags, flags, n);
    unpack_u32s(c, raw->offs, n + 1);
    size_t len = 0;
    const char *data = kh_cur_bin(c, SIZE_MAX, &len);
    if (c->bad)
        return;
    /* offsets must start at 0, never decrease, and end at the data length */
    if (raw->offs[0] != 0 || raw->offs[n] != len) {
        c->bad = 1;
        return;
    }
    for (uint32_t i = 0; i < n; i++)
        if (raw->offs[i + 1] < raw->offs[i]) {
            c->bad = 1;
            return;
        }
    kh_raw_reserve(raw, n, len);
    if (len)
        memcpy(raw->data, data, len);
    raw->len = len;
    raw->nrows = n;
}

/* ---- RANGE ---------------------------------------------------------------------- */

kh_range_t *kh_range_new(uint32_t nrows)
{
    kh_range_t *r = kh_xcalloc(1, sizeof *r);
    r->nrows = nrows;
    r->flags = kh_xcalloc(nrows ? nrows : 1, 1);
    return r;
}

void kh_range_destroy(kh_range_t **range)
{
    if (!range || !*range)
        return;
    free((*range)->flags);
    free(*range);
    *range = NULL;
}

void kh_msg_pack_range(kh_packed_t *out, const kh_env_t *env, const kh_range_t *range)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, RANGE_FIELDS, sizeof range->meta + range->nrows + 128);
    pack_meta(&p, &range->meta, table_ncols(env->table));
    msgpack_pack_array(&p.pk, FILEID_FIELDS);
    msgpack_pack_uint64(&p.pk, range->id.dev);
    msgpack_pack_uint64(&p.pk, range->id.ino);
    msgpack_pack_uint64(&p.pk, range->id.size);
    msgpack_pack_int64(&p.pk, range->id.mtime_ns);
    msgpack_pack_int64(&p.pk, range->id.ctime_ns);
    msgpack_pack_uint64(&p.pk, range->off);
    msgpack_pack_uint64(&p.pk, range->len);
    msgpack_pack_uint32(&p.pk, range->line);
    msgpack_pack_uint64(&p.pk, range->line_limit);
    kh_pk_bin(&p, range->flags, range->nrows);
    kh_pk_release(&p, out);
}

void kh_msg_unpack_range(kh_cur_t *c, kh_msg_t *m)
{
    unpack_meta(c, &m->meta, table_ncols(m->env.table));
    kh_fileid_t id;
    kh_cur_t a = kh_cur_array(c, FILEID_FIELDS);
    id.dev = kh_cur_u64(&a);
    id.ino = kh_cur_u64(&a);
    id.size = kh_cur_u64(&a);
    id.mtime_ns = kh_cur_int(&a, INT64_MIN, INT64_MAX);
    id.ctime_ns = kh_cur_int(&a, INT64_MIN, INT64_MAX);
    kh_cur_done(c, &a);
    uint64_t off = kh_cur_u64(c), len = kh_cur_u64(c);
    uint32_t line = (uint32_t)kh_cur_int(c, 1, UINT32_MAX);
    uint64_t line_limit = kh_cur_u64(c);
    size_t n = 0;
    const char *flags = kh_cur_bin(c, SIZE_MAX, &n);
    if (c->bad)
        return;
    /* the range lies inside the file as ingest saw it */
    if (n > MAX_BATCH_ROWS || off > id.size || len > id.size - off || line_limit == 0 ||
        strchr(m->meta.file, '/') || !m->meta.file[0] || m->meta.file[0] == '.') {
        c->bad = 1;
        return;
    }
    kh_range_t *r = m->range = kh_range_new((uint32_t)n);
    r->meta = m->meta;
    r->id = id;
    r->off = off;
    r->len = len;
    r->line = line;
    r->line_limit = line_limit;
    if (n)
        memcpy(r->flags, flags, n);
}

/* ---- ROWS ----------------------------------------------------------------------- */

void kh_msg_pack_rows(kh_packed_t *out, const kh_env_t *env, const kh_tablemeta_t *meta,
                      const kh_rows_t *rows, uint32_t rejected)
{
    const kh_tabledef_t *def = kh_schema_table(rows->table);
    size_t hint = sizeof *meta + (size_t)rows->nrows * 4 + rows->dec_len + 64;
    for (int c = 0; c < def->ncols; c++)
        hint += (size_t)rows->nrows *
                (def->cols[c].type == KH_COL_ID && rows->anonymised ? KH_PSEUDO_LEN : 8);
    kh_pk_t p;
    kh_msg_begin(&p, env, ROWS_FIELDS, hint);
    pack_meta(&p, meta, def->ncols);
    msgpack_pack_uint32(&p.pk, rejected);
    msgpack_pack_uint32(&p.pk, rows->dropped);
    msgpack_pack_int32(&p.pk, rows->dropped_aar);
    msgpack_pack_uint32(&p.pk, rows->nrows);
    msgpack_pack_int(&p.pk, rows->anonymised);
    pack_u32s(&p, rows->lines, rows->nrows);
    msgpack_pack_array(&p.pk, (size_t)def->ncols);
    for (int c = 0; c < def->ncols; c++) {
        const kh_rowcol_t *col = &rows->col[c];
        if (KH_COL_IS_TEXT(def->cols[c].type)) {
            /* NUL-terminated texts, back to back, in row order */
            size_t total = 0;
            for (uint32_t r = 0; r < rows->nrows; r++)
                total += strlen(rows->dec_data + col->dec_off[r]) + 1;
            msgpack_pack_bin(&p.pk, total);
            for (uint32_t r = 0; r < rows->nrows; r++) {
                const char *t = rows->dec_data + col->dec_off[r];
                msgpack_pack_bin_body(&p.pk, t, strlen(t) + 1);
            }
        } else if (def->cols[c].type == KH_COL_ID && rows->anonymised) {
            kh_pk_bin(&p, col->pseudo, (size_t)rows->nrows * KH_PSEUDO_LEN);
        } else {
            kh_pk_bin(&p, col->i64, (size_t)rows->nrows * 8);
        }
    }
    kh_pk_release(&p, out);
}

void kh_msg_unpack_rows(kh_cur_t *c, kh_msg_t *m)
{
    const kh_tabledef_t *def = kh_schema_table((kh_table_t)m->env.table);
    unpack_meta(c, &m->meta, def->ncols);
    m->rejected = (uint32_t)kh_cur_int(c, 0, UINT32_MAX);
    uint32_t dropped = (uint32_t)kh_cur_int(c, 0, MAX_BATCH_ROWS);
    int32_t dropped_aar = (int32_t)kh_cur_int(c, 0, 9999);
    uint32_t n = (uint32_t)kh_cur_int(c, 0, MAX_BATCH_ROWS);
    int anonymised = (int)kh_cur_int(c, 0, 1);
    if (c->bad)
        return;
    kh_rows_t *rows = m->rows = kh_rows_new((kh_table_t)m->env.table, n ? n : 1);
    rows->dropped = dropped;
    rows->dropped_aar = dropped_aar;
    if (anonymised)
        kh_rows_make_pseudo(rows);
    unpack_u32s(c, rows->lines, n);
    kh_cur_t cols = kh_cur_array(c, (uint32_t)def->ncols);
    for (int col = 0; col < def->ncols && !cols.bad; col++) {
        kh_rowcol_t *rc = &rows->col[col];
        if (KH_COL_IS_TEXT(def->cols[col].type)) {
            size_t len = 0;
            const char *p = kh_cur_bin(&cols, SIZE_MAX, &len);
            if (!p)
                break;
            /* exactly n NUL-terminated texts */
            size_t off = 0;
            uint32_t r = 0;
            while (off < len && r < n) {
                const char *nul = memchr(p + off, '\0', len - off);
                if (!nul)
                    break;
                rc->dec_off[r++] = kh_rows_add_text(rows, p + off);
                off += (size_t)(nul - (p + off)) + 1;
            }
            if (r != n || off != len)
                cols.bad = 1;
        } else if (def->cols[col].type == KH_COL_ID && anonymised) {
            const char *p = kh_cur_bin(&cols, (size_t)n * KH_PSEUDO_LEN, NULL);
            if (p && n)
                memcpy(rc->pseudo, p, (size_t)n * KH_PSEUDO_LEN);
        } else {
            const char *p = kh_cur_bin(&cols, (size_t)n * 8, NULL);
            if (p && n)
                memcpy(rc->i64, p, (size_t)n * 8);
        }
    }
    kh_cur_done(c, &cols);
    rows->nrows = n;
}

/* ---- EOT ------------------------------------------------------------------------ */

void kh_msg_pack_eot(kh_packed_t *out, const kh_env_t *env, const kh_eot_t *eot)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, EOT_FIELDS, 0);
    msgpack_pack_uint64(&p.pk, eot->batches);
    msgpack_pack_uint64(&p.pk, eot->rows);
    msgpack_pack_uint64(&p.pk, eot->bytes);
    msgpack_pack_uint32(&p.pk, eot->crc32);
    msgpack_pack_int32(&p.pk, eot->present);
    kh_pk_str(&p, eot->file);
    kh_pk_release(&p, out);
}

void kh_msg_unpack_eot(kh_cur_t *c, kh_msg_t *m)
{
    m->eot.batches = kh_cur_u64(c);
    m->eot.rows = kh_cur_u64(c);
    m->eot.bytes = kh_cur_u64(c);
    m->eot.crc32 = (uint32_t)kh_cur_int(c, 0, UINT32_MAX);
    m->eot.present = (int32_t)kh_cur_int(c, 0, 1);
    kh_cur_str(c, m->eot.file, sizeof m->eot.file);
}

/* ---- REJECTS -------------------------------------------------------------------- */

void kh_msg_pack_rejects(kh_packed_t *out, const kh_env_t *env, const kh_rejects_t *rej)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, REJECTS_FIELDS, 0);
    kh_pk_str(&p, rej->file);
    msgpack_pack_array(&p.pk, (size_t)rej->n * REJECTED_FIELDS);
    for (uint32_t i = 0; i < rej->n; i++) {
        msgpack_pack_uint32(&p.pk, rej->items[i].line);
        msgpack_pack_int32(&p.pk, rej->items[i].reason);
        kh_pk_str(&p, rej->items[i].column);
        kh_pk_str(&p, rej->items[i].value);
    }
    kh_pk_release(&p, out);
}

void kh_msg_unpack_rejects(kh_cur_t *c, kh_msg_t *m)
{
    char file[KH_FILE_MAX];
    kh_cur_str(c, file, sizeof file);
    kh_rejects_init(&m->rejects, file);
    kh_cur_t a = kh_cur_array(c, UINT32_MAX);
    if (a.n % REJECTED_FIELDS)
        a.bad = 1;
    for (uint32_t i = 0; i < a.n / REJECTED_FIELDS && !a.bad; i++) {
        kh_rejected_t *r = kh_rejects_add(&m->rejects);
        r->line = (uint32_t)kh_cur_int(&a, 0, UINT32_MAX);
        r->reason = (int32_t)kh_cur_int(&a, 1, KH_REASON_CODE_MAX);
        kh_cur_str(&a, r->column, sizeof r->column);
        kh_cur_str(&a, r->value, sizeof r->value);
    }
    kh_cur_done(c, &a);
}

/* ---- ACK ------------------------------------------------------------------------ */

void kh_msg_pack_ack(kh_packed_t *out, const kh_env_t *env, int eot)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, ACK_FIELDS, 0);
    msgpack_pack_int(&p.pk, eot ? 1 : 0);
    kh_pk_release(&p, out);
}

void kh_msg_unpack_ack(kh_cur_t *c, kh_msg_t *m)
{
    m->ack_eot = (int32_t)kh_cur_int(c, 0, 1);
}
