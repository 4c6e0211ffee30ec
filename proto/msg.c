/* msg.c - MessagePack codec of the message schema (msg.h).
 *
 * Fixed-width columns are packed as bins of little-endian values so that a
 * batch of thousands of rows costs a handful of msgpack calls. Decoding walks
 * the object tree through a cursor that checks every type and length. */
#include "msg.h"

#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "util.h"

/* ---- owned containers ------------------------------------------------------ */

kh_raw_t *kh_raw_new(void)
{
    kh_raw_t *raw = kh_xcalloc(1, sizeof *raw);
    raw->cap = 1024;
    raw->lines = kh_xmalloc(raw->cap * sizeof *raw->lines);
    raw->flags = kh_xmalloc(raw->cap);
    raw->offs = kh_xmalloc((raw->cap + 1) * sizeof *raw->offs);
    raw->offs[0] = 0;
    raw->data_cap = 1 << 16;
    raw->data = kh_xmalloc(raw->data_cap);
    return raw;
}

void kh_raw_destroy(kh_raw_t **rawp)
{
    if (!rawp || !*rawp)
        return;
    kh_raw_t *raw = *rawp;
    free(raw->lines);
    free(raw->flags);
    free(raw->offs);
    free(raw->data);
    free(raw);
    *rawp = NULL;
}

void kh_raw_clear(kh_raw_t *raw)
{
    raw->nrows = 0;
    raw->len = 0;
    raw->offs[0] = 0;
}

static void raw_reserve(kh_raw_t *raw, uint32_t rows, size_t bytes)
{
    if (rows > raw->cap) {
        uint32_t cap = raw->cap;
        while (cap < rows)
            cap *= 2;
        raw->lines = kh_xrealloc(raw->lines, cap * sizeof *raw->lines);
        raw->flags = kh_xrealloc(raw->flags, cap);
        raw->offs = kh_xrealloc(raw->offs, (cap + 1) * sizeof *raw->offs);
        raw->cap = cap;
    }
    if (bytes > raw->data_cap) {
        size_t cap = raw->data_cap;
        while (cap < bytes)
            cap *= 2;
        raw->data = kh_xrealloc(raw->data, cap);
        raw->data_cap = cap;
    }
}

void kh_raw_append(kh_raw_t *raw, uint32_t line, uint8_t flags, const char *data, size_t len)
{
    raw_reserve(raw, raw->nrows + 1, raw->len + len);
    memcpy(raw->data + raw->len, data, len);
    raw->len += len;
    raw->lines[raw->nrows] = line;
    raw->flags[raw->nrows] = flags;
    raw->nrows++;
    raw->offs[raw->nrows] = (uint32_t)raw->len;
}

void kh_rejects_init(kh_rejects_t *r, const char *file)
{
    memset(r, 0, sizeof *r);
    snprintf(r->file, sizeof r->file, "%s", file ? file : "");
}

void kh_rejects_free(kh_rejects_t *r)
{
    free(r->items);
    r->items = NULL;
    r->n = r->cap = 0;
}

kh_rejected_t *kh_rejects_add(kh_rejects_t *r)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 64;
        r->items = kh_xrealloc(r->items, r->cap * sizeof *r->items);
    }
    kh_rejected_t *it = &r->items[r->n++];
    memset(it, 0, sizeof *it);
    return it;
}

void kh_refdata_free(kh_refdata_t *r)
{
    free(r->monitor);
    free(r->national);
    free(r->cost);
    memset(r, 0, sizeof *r);
}

const char *kh_state_name(int state)
{
    static const char *const names[KH_ST_COUNT] = {"starting", "ready", "waiting", "working",
                                                   "draining", "done", "failed"};
    return state >= 0 && state < KH_ST_COUNT ? names[state] : "unknown";
}

void kh_env_set(kh_env_t *env, kh_msgkind_t kind, const char *run, int table, uint64_t seq)
{
    env->kind = kind;
    snprintf(env->run, sizeof env->run, "%s", run ? run : "");
    env->table = table;
    env->seq = seq;
}

/* ---- packing ----------------------------------------------------------------- */

typedef struct {
    msgpack_sbuffer sb;
    msgpack_packer pk;
} packer_t;

/* `hint`: bytes the body will take, about; the buffer starts that large so
 * that a batch is not copied again and again as the buffer grows. */
static void pk_begin_sized(packer_t *p, const kh_env_t *env, size_t body_items, size_t hint)
{
    msgpack_sbuffer_init(&p->sb);
    if (hint > MSGPACK_SBUFFER_INIT_SIZE) {
        p->sb.alloc = hint + 1024;
        p->sb.data = kh_xmalloc(p->sb.alloc);
    }
    msgpack_packer_init(&p->pk, &p->sb, msgpack_sbuffer_write);
    msgpack_pack_array(&p->pk, 4 + body_items);
    msgpack_pack_int(&p->pk, env->kind);
    size_t n = strlen(env->run);
    msgpack_pack_str(&p->pk, n);
    msgpack_pack_str_body(&p->pk, env->run, n);
    msgpack_pack_int32(&p->pk, env->table);
    msgpack_pack_uint64(&p->pk, env->seq);
}

static void pk_begin(packer_t *p, const kh_env_t *env, size_t body_items)
{
    pk_begin_sized(p, env, body_items, 0);
}

static void pk_end(packer_t *p, kh_packed_t *out)
{
    out->len = p->sb.size;
    out->data = msgpack_sbuffer_release(&p->sb);
    if (!out->data)
        out->data = kh_xmalloc(1);
    msgpack_sbuffer_destroy(&p->sb);
}

static void pk_str(packer_t *p, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(&p->pk, n);
    msgpack_pack_str_body(&p->pk, s, n);
}

static void pk_bin(packer_t *p, const void *data, size_t n)
{
    msgpack_pack_bin(&p->pk, n);
    msgpack_pack_bin_body(&p->pk, data, n);
}

/* Fixed-width columns go out little-endian: they are copied as they lie in
 * memory, and the messages carry no byte-order marker, so kohort builds only
 * where memory is little-endian (checked here at compile time). */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "kohort's message codec assumes a little-endian machine"
#endif
static void pk_u32s(packer_t *p, const uint32_t *v, uint32_t n)
{
    pk_bin(p, v, (size_t)n * 4);
}

static void pk_meta(packer_t *p, const kh_tablemeta_t *m, int ncols)
{
    msgpack_pack_array(&p->pk, 3);
    pk_str(p, m->file);
    msgpack_pack_int32(&p->pk, m->header_nfields);
    msgpack_pack_array(&p->pk, (size_t)ncols * 2);
    for (int c = 0; c < ncols; c++) {
        msgpack_pack_int32(&p->pk, m->colmap[c]);
        pk_str(p, m->colname[c]);
    }
}

static int table_ncols(int table)
{
    const kh_tabledef_t *def = kh_schema_table((kh_table_t)table);
    return def ? def->ncols : 0;
}

void kh_msg_pack_raw(kh_packed_t *out, const kh_env_t *env, const kh_raw_t *raw)
{
    packer_t p;
    pk_begin_sized(&p, env, 6, sizeof raw->meta + (size_t)raw->nrows * 9 + raw->len + 64);
    pk_meta(&p, &raw->meta, table_ncols(env->table));
    msgpack_pack_uint32(&p.pk, raw->nrows);
    pk_u32s(&p, raw->lines, raw->nrows);
    pk_bin(&p, raw->flags, raw->nrows);
    pk_u32s(&p, raw->offs, raw->nrows + 1);
    pk_bin(&p, raw->data, raw->len);
    pk_end(&p, out);
}

void kh_msg_pack_rows(kh_packed_t *out, const kh_env_t *env, const kh_tablemeta_t *meta,
                      const kh_rows_t *rows, uint32_t rejected)
{
    const kh_tabledef_t *def = kh_schema_table(rows->table);
    size_t hint = sizeof *meta + (size_t)rows->nrows * 4 + rows->dec_len + 64;
    for (int c = 0; c < def->ncols; c++)
        hint += (size_t)rows->nrows *
                (def->cols[c].type == KH_COL_ID && rows->anonymised ? KH_PSEUDO_LEN : 8);
    packer_t p;
    pk_begin_sized(&p, env, 8, hint);
    pk_meta(&p, meta, def->ncols);
    msgpack_pack_uint32(&p.pk, rejected);
    msgpack_pack_uint32(&p.pk, rows->dropped);
    msgpack_pack_int32(&p.pk, rows->dropped_aar);
    msgpack_pack_uint32(&p.pk, rows->nrows);
    msgpack_pack_int(&p.pk, rows->anonymised);
    pk_u32s(&p, rows->lines, rows->nrows);
    msgpack_pack_array(&p.pk, (size_t)def->ncols);
    for (int c = 0; c < def->ncols; c++) {
        const kh_rowcol_t *col = &rows->col[c];
        if (def->cols[c].type == KH_COL_DEC) {
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
            pk_bin(&p, col->pseudo, (size_t)rows->nrows * KH_PSEUDO_LEN);
        } else {
            pk_bin(&p, col->i64, (size_t)rows->nrows * 8);
        }
    }
    pk_end(&p, out);
}

void kh_msg_pack_eot(kh_packed_t *out, const kh_env_t *env, const kh_eot_t *eot)
{
    packer_t p;
    pk_begin(&p, env, 6);
    msgpack_pack_uint64(&p.pk, eot->batches);
    msgpack_pack_uint64(&p.pk, eot->rows);
    msgpack_pack_uint64(&p.pk, eot->bytes);
    msgpack_pack_uint32(&p.pk, eot->crc32);
    msgpack_pack_int32(&p.pk, eot->present);
    pk_str(&p, eot->file);
    pk_end(&p, out);
}

void kh_msg_pack_rejects(kh_packed_t *out, const kh_env_t *env, const kh_rejects_t *rej)
{
    packer_t p;
    pk_begin(&p, env, 2);
    pk_str(&p, rej->file);
    msgpack_pack_array(&p.pk, (size_t)rej->n * 4);
    for (uint32_t i = 0; i < rej->n; i++) {
        msgpack_pack_uint32(&p.pk, rej->items[i].line);
        msgpack_pack_int32(&p.pk, rej->items[i].reason);
        pk_str(&p, rej->items[i].column);
        pk_str(&p, rej->items[i].value);
    }
    pk_end(&p, out);
}

void kh_msg_pack_ack(kh_packed_t *out, const kh_env_t *env, int eot)
{
    packer_t p;
    pk_begin(&p, env, 1);
    msgpack_pack_int(&p.pk, eot ? 1 : 0);
    pk_end(&p, out);
}

#define PERSON_FIELDS (11 + KH_FOLLOWUP_NHORIZONS)

void kh_msg_pack_persons(kh_packed_t *out, const kh_env_t *env, const kh_person_t *ps,
                         uint32_t n, int last)
{
    packer_t p;
    pk_begin(&p, env, 3);
    msgpack_pack_int(&p.pk, last ? 1 : 0);
    msgpack_pack_uint32(&p.pk, n);
    int64_t *buf = kh_xmalloc((size_t)n * PERSON_FIELDS * 8 + 8);
    for (uint32_t i = 0; i < n; i++) {
        int64_t *f = buf + (size_t)i * PERSON_FIELDS;
        f[0] = ps[i].cohort;
        f[1] = ps[i].home;
        f[2] = ps[i].status;
        f[3] = ps[i].start_date;
        f[4] = ps[i].exit_date;
        f[5] = ps[i].resident;
        f[6] = ps[i].work;
        f[7] = ps[i].education;
        f[8] = ps[i].sa_amount;
        f[9] = ps[i].landbakgrunn;
        f[10] = ps[i].kjonn;
        for (int h = 0; h < KH_FOLLOWUP_NHORIZONS; h++)
            f[11 + h] = ps[i].followup[h];
    }
    pk_bin(&p, buf, (size_t)n * PERSON_FIELDS * 8);
    free(buf);
    pk_end(&p, out);
}

void kh_msg_pack_refdata(kh_packed_t *out, const kh_env_t *env, const kh_refdata_t *ref)
{
    packer_t p;
    pk_begin(&p, env, 3);
    msgpack_pack_array(&p.pk, (size_t)ref->nmonitor * 3);
    for (uint32_t i = 0; i < ref->nmonitor; i++) {
        msgpack_pack_int32(&p.pk, ref->monitor[i].landbakgrunn);
        msgpack_pack_int32(&p.pk, ref->monitor[i].kjonn);
        pk_str(&p, ref->monitor[i].andel);
    }
    msgpack_pack_array(&p.pk, (size_t)ref->nnational * 2);
    for (uint32_t i = 0; i < ref->nnational; i++) {
        msgpack_pack_int32(&p.pk, ref->national[i].year);
        pk_str(&p, ref->national[i].andel);
    }
    msgpack_pack_array(&p.pk, (size_t)ref->ncost * 5);
    for (uint32_t i = 0; i < ref->ncost; i++) {
        msgpack_pack_int32(&p.pk, ref->cost[i].kommnr);
        msgpack_pack_int32(&p.pk, ref->cost[i].year);
        pk_str(&p, ref->cost[i].total);
        pk_str(&p, ref->cost[i].admin);
        pk_str(&p, ref->cost[i].persons);
    }
    pk_end(&p, out);
}

#define LEDGER_ITEMS (7 + KH_TAB_COUNT * 9)
#define SUPPRESSION_FIELDS 6 /* table name, primary, lines, protection, across_years, narrow */

/* The ledger is the older array of LEDGER_ITEMS, followed, once the
 * aggregator has filled it, by three more: the per-table suppression
 * entries (by table name, so that adding a table keeps older records
 * readable), suppressed_elsewhere and the changed years. A ledger without
 * them packs exactly as before, so ledger records of older versions decode
 * unchanged. */
static void pk_suppression(packer_t *p, const kh_ledger_t *l)
{
    size_t n = 0;
    for (int t = 0; t < KH_IND_COUNT; t++)
        n += l->suppression[t].present != 0;
    msgpack_pack_array(&p->pk, n * SUPPRESSION_FIELDS);
    for (int t = 0; t < KH_IND_COUNT; t++) {
        const kh_suppression_t *s = &l->suppression[t];
        if (!s->present)
            continue;
        pk_str(p, kh_schema_indtable((kh_indtable_t)t)->name);
        msgpack_pack_uint64(&p->pk, s->primary);
        msgpack_pack_uint64(&p->pk, s->lines);
        msgpack_pack_uint64(&p->pk, s->protection);
        msgpack_pack_uint64(&p->pk, s->across_years);
        msgpack_pack_uint64(&p->pk, s->narrow);
    }
    msgpack_pack_uint64(&p->pk, l->suppressed_elsewhere);
    uint32_t ny = l->nchanged_years < KH_LEDGER_MAX_YEARS ? l->nchanged_years : KH_LEDGER_MAX_YEARS;
    msgpack_pack_array(&p->pk, ny);
    for (uint32_t i = 0; i < ny; i++)
        msgpack_pack_int32(&p->pk, l->changed_years[i]);
}

static void pk_ledger(packer_t *p, const kh_ledger_t *l)
{
    msgpack_pack_array(&p->pk, LEDGER_ITEMS + (l->has_suppression ? 3 : 0));
    msgpack_pack_int32(&p->pk, l->ref_year);
    msgpack_pack_int32(&p->pk, l->cohort_from);
    msgpack_pack_int32(&p->pk, l->cohort_to);
    msgpack_pack_uint64(&p->pk, l->participants);
    msgpack_pack_uint64(&p->pk, l->placed);
    msgpack_pack_uint64(&p->pk, l->no_home);
    msgpack_pack_uint64(&p->pk, l->ambiguous_kommune);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const kh_tablecount_t *tc = &l->tables[t];
        msgpack_pack_int32(&p->pk, tc->present);
        msgpack_pack_uint64(&p->pk, tc->batches);
        msgpack_pack_uint64(&p->pk, tc->read);
        msgpack_pack_uint64(&p->pk, tc->accepted);
        msgpack_pack_uint64(&p->pk, tc->rejected);
        msgpack_pack_uint64(&p->pk, tc->out_of_scope);
        msgpack_pack_uint64(&p->pk, tc->bytes);
        msgpack_pack_uint32(&p->pk, tc->crc32);
        pk_str(p, tc->file);
    }
    if (l->has_suppression)
        pk_suppression(p, l);
}

void kh_msg_pack_ledger(kh_packed_t *out, const kh_env_t *env, const kh_ledger_t *ledger)
{
    packer_t p;
    pk_begin(&p, env, 1);
    pk_ledger(&p, ledger);
    pk_end(&p, out);
}

void kh_msg_pack_indrows(kh_packed_t *out, const kh_env_t *env, int ref_year,
                         const kh_indrow_t *rows, uint32_t n, int last)
{
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)env->table);
    int ncols = def ? def->ncols : 0;
    packer_t p;
    pk_begin(&p, env, 3);
    msgpack_pack_int(&p.pk, last ? 1 : 0);
    msgpack_pack_int32(&p.pk, ref_year);
    msgpack_pack_array(&p.pk, n);
    for (uint32_t i = 0; i < n; i++) {
        msgpack_pack_array(&p.pk, 6 + (size_t)ncols);
        msgpack_pack_int32(&p.pk, rows[i].kommnr);
        msgpack_pack_int32(&p.pk, rows[i].key2);
        msgpack_pack_int32(&p.pk, rows[i].key3);
        msgpack_pack_int32(&p.pk, rows[i].key4);
        msgpack_pack_int32(&p.pk, rows[i].suppressed);
        msgpack_pack_uint32(&p.pk, rows[i].suppressed_mask);
        for (int c = 0; c < ncols; c++) {
            if (rows[i].present[c])
                msgpack_pack_int64(&p.pk, rows[i].value[c]);
            else
                msgpack_pack_nil(&p.pk);
        }
    }
    pk_end(&p, out);
}

void kh_msg_pack_stats(kh_packed_t *out, const kh_env_t *env, const kh_stats_t *st)
{
    packer_t p;
    pk_begin(&p, env, 8);
    pk_str(&p, st->stage);
    msgpack_pack_int32(&p.pk, st->worker);
    msgpack_pack_int32(&p.pk, st->pid);
    msgpack_pack_int32(&p.pk, st->state);
    msgpack_pack_uint64(&p.pk, st->rss_bytes);
    msgpack_pack_uint64(&p.pk, st->busy_ns);
    msgpack_pack_uint64(&p.pk, st->uptime_ns);
    msgpack_pack_array(&p.pk, KH_TAB_COUNT * 6);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const kh_tablestats_t *ts = &st->tables[t];
        msgpack_pack_uint64(&p.pk, ts->batches_in);
        msgpack_pack_uint64(&p.pk, ts->rows_in);
        msgpack_pack_uint64(&p.pk, ts->batches_out);
        msgpack_pack_uint64(&p.pk, ts->rows_out);
        msgpack_pack_uint64(&p.pk, ts->rows_rejected);
        msgpack_pack_uint64(&p.pk, ts->bytes_read);
    }
    pk_end(&p, out);
}

void kh_msg_pack_result(kh_packed_t *out, const kh_env_t *env, int ok, const char *reason,
                        const kh_ledger_t *ledger)
{
    packer_t p;
    pk_begin(&p, env, 3);
    msgpack_pack_int(&p.pk, ok ? 1 : 0);
    pk_str(&p, reason ? reason : "");
    pk_ledger(&p, ledger);
    pk_end(&p, out);
}

void kh_msg_pack_fail(kh_packed_t *out, const kh_env_t *env, const char *reason)
{
    packer_t p;
    pk_begin(&p, env, 1);
    pk_str(&p, reason);
    pk_end(&p, out);
}

void kh_msg_pack_resend(kh_packed_t *out, const kh_env_t *env)
{
    packer_t p;
    pk_begin(&p, env, 0);
    pk_end(&p, out);
}

/* ---- decoding ---------------------------------------------------------------- */

/* A cursor over the elements of one msgpack array. Every getter checks the
 * element's type and range and sets `bad` on the first failure; later getters
 * then return zero values, so a decoder checks `bad` once at the end. */
typedef struct {
    const msgpack_object *items;
    uint32_t n, i;
    int bad;
} cur_t;

static const msgpack_object *next(cur_t *c)
{
    if (c->bad || c->i >= c->n) {
        c->bad = 1;
        return NULL;
    }
    return &c->items[c->i++];
}

static int64_t get_int(cur_t *c, int64_t lo, int64_t hi)
{
    const msgpack_object *o = next(c);
    if (!o)
        return 0;
    int64_t v;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (o->via.u64 > (uint64_t)INT64_MAX) {
            c->bad = 1;
            return 0;
        }
        v = (int64_t)o->via.u64;
    } else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        v = o->via.i64;
    } else {
        c->bad = 1;
        return 0;
    }
    if (v < lo || v > hi) {
        c->bad = 1;
        return 0;
    }
    return v;
}

static uint64_t get_u64(cur_t *c)
{
    const msgpack_object *o = next(c);
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
        c->bad = 1;
        return 0;
    }
    return o->via.u64;
}

/* Copies a string into buf (cap includes the NUL); too long is malformed. */
static void get_str(cur_t *c, char *buf, size_t cap)
{
    const msgpack_object *o = next(c);
    buf[0] = '\0';
    if (!o || o->type != MSGPACK_OBJECT_STR || o->via.str.size >= cap ||
        (o->via.str.size && memchr(o->via.str.ptr, '\0', o->via.str.size))) {
        c->bad = 1;
        return;
    }
    /* an empty string may come with a NULL pointer: no memcpy from it */
    if (o->via.str.size)
        memcpy(buf, o->via.str.ptr, o->via.str.size);
    buf[o->via.str.size] = '\0';
}

/* A bin of exactly `len` bytes (or any length when len == SIZE_MAX). */
static const char *get_bin(cur_t *c, size_t len, size_t *got)
{
    const msgpack_object *o = next(c);
    if (!o || o->type != MSGPACK_OBJECT_BIN || (len != SIZE_MAX && o->via.bin.size != len)) {
        c->bad = 1;
        return NULL;
    }
    if (got)
        *got = o->via.bin.size;
    return o->via.bin.ptr;
}

static cur_t get_array(cur_t *c, uint32_t expect)
{
    cur_t sub = {0};
    const msgpack_object *o = next(c);
    if (!o || o->type != MSGPACK_OBJECT_ARRAY ||
        (expect != UINT32_MAX && o->via.array.size != expect)) {
        c->bad = 1;
        sub.bad = 1;
        return sub;
    }
    sub.items = o->via.array.ptr;
    sub.n = o->via.array.size;
    return sub;
}

static void done(cur_t *c, cur_t *sub)
{
    if (sub->bad || sub->i != sub->n)
        c->bad = 1;
}

static void get_meta(cur_t *c, kh_tablemeta_t *m, int ncols)
{
    cur_t a = get_array(c, 3);
    get_str(&a, m->file, sizeof m->file);
    m->header_nfields = (int32_t)get_int(&a, 0, KH_MAX_HEADER_FIELDS);
    cur_t cols = get_array(&a, (uint32_t)ncols * 2);
    for (int i = 0; i < ncols && !cols.bad; i++) {
        m->colmap[i] = (int32_t)get_int(&cols, -1, m->header_nfields - 1);
        get_str(&cols, m->colname[i], sizeof m->colname[i]);
    }
    done(&a, &cols);
    done(c, &a);
}

static void get_u32s(cur_t *c, uint32_t *dst, uint32_t n)
{
    const char *p = get_bin(c, (size_t)n * 4, NULL);
    if (p && n)
        memcpy(dst, p, (size_t)n * 4);
}

static void unpack_raw(cur_t *c, kh_msg_t *m)
{
    int ncols = table_ncols(m->env.table);
    get_meta(c, &m->meta, ncols);
    uint32_t n = (uint32_t)get_int(c, 0, 1 << 24);
    if (c->bad)
        return;
    kh_raw_t *raw = m->raw = kh_raw_new();
    raw->meta = m->meta;
    raw_reserve(raw, n, 0);
    get_u32s(c, raw->lines, n);
    const char *flags = get_bin(c, n, NULL);
    if (flags && n)
        memcpy(raw->flags, flags, n);
    get_u32s(c, raw->offs, n + 1);
    size_t len = 0;
    const char *data = get_bin(c, SIZE_MAX, &len);
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
    raw_reserve(raw, n, len);
    if (len)
        memcpy(raw->data, data, len);
    raw->len = len;
    raw->nrows = n;
}

static void unpack_rows(cur_t *c, kh_msg_t *m)
{
    const kh_tabledef_t *def = kh_schema_table((kh_table_t)m->env.table);
    get_meta(c, &m->meta, def->ncols);
    m->rejected = (uint32_t)get_int(c, 0, UINT32_MAX);
    uint32_t dropped = (uint32_t)get_int(c, 0, 1 << 24);
    int32_t dropped_aar = (int32_t)get_int(c, 0, 9999);
    uint32_t n = (uint32_t)get_int(c, 0, 1 << 24);
    int anonymised = (int)get_int(c, 0, 1);
    if (c->bad)
        return;
    kh_rows_t *rows = m->rows = kh_rows_new((kh_table_t)m->env.table, n ? n : 1);
    rows->dropped = dropped;
    rows->dropped_aar = dropped_aar;
    if (anonymised)
        kh_rows_make_pseudo(rows);
    get_u32s(c, rows->lines, n);
    cur_t cols = get_array(c, (uint32_t)def->ncols);
    for (int col = 0; col < def->ncols && !cols.bad; col++) {
        kh_rowcol_t *rc = &rows->col[col];
        if (def->cols[col].type == KH_COL_DEC) {
            size_t len = 0;
            const char *p = get_bin(&cols, SIZE_MAX, &len);
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
            const char *p = get_bin(&cols, (size_t)n * KH_PSEUDO_LEN, NULL);
            if (p && n)
                memcpy(rc->pseudo, p, (size_t)n * KH_PSEUDO_LEN);
        } else {
            const char *p = get_bin(&cols, (size_t)n * 8, NULL);
            if (p && n)
                memcpy(rc->i64, p, (size_t)n * 8);
        }
    }
    done(c, &cols);
    rows->nrows = n;
}

static void unpack_suppression(cur_t *a, kh_ledger_t *l)
{
    cur_t s = get_array(a, UINT32_MAX);
    if (s.n % SUPPRESSION_FIELDS || s.n / SUPPRESSION_FIELDS > KH_IND_COUNT)
        s.bad = 1;
    for (uint32_t i = 0; i < s.n / SUPPRESSION_FIELDS && !s.bad; i++) {
        char name[KH_NAME_MAX];
        get_str(&s, name, sizeof name);
        int t = -1;
        for (int j = 0; j < KH_IND_COUNT; j++)
            if (strcmp(name, kh_schema_indtable((kh_indtable_t)j)->name) == 0)
                t = j;
        if (t < 0 || l->suppression[t].present) {
            s.bad = 1;
            break;
        }
        kh_suppression_t *x = &l->suppression[t];
        x->present = 1;
        x->primary = get_u64(&s);
        x->lines = get_u64(&s);
        x->protection = get_u64(&s);
        x->across_years = get_u64(&s);
        x->narrow = get_u64(&s);
    }
    done(a, &s);
    l->suppressed_elsewhere = get_u64(a);
    cur_t y = get_array(a, UINT32_MAX);
    if (y.n > KH_LEDGER_MAX_YEARS)
        y.bad = 1;
    for (uint32_t i = 0; i < y.n && !y.bad; i++)
        l->changed_years[i] = (int32_t)get_int(&y, 1, 9999);
    l->nchanged_years = y.bad ? 0 : y.n;
    done(a, &y);
    l->has_suppression = 1;
}

static void unpack_ledger(cur_t *c, kh_ledger_t *l)
{
    cur_t a = get_array(c, UINT32_MAX);
    if (a.n != LEDGER_ITEMS && a.n != LEDGER_ITEMS + 3)
        a.bad = 1;
    l->ref_year = (int32_t)get_int(&a, 0, 9999);
    l->cohort_from = (int32_t)get_int(&a, 0, 9999);
    l->cohort_to = (int32_t)get_int(&a, 0, 9999);
    l->participants = get_u64(&a);
    l->placed = get_u64(&a);
    l->no_home = get_u64(&a);
    l->ambiguous_kommune = get_u64(&a);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        kh_tablecount_t *tc = &l->tables[t];
        tc->present = (int32_t)get_int(&a, 0, 1);
        tc->batches = get_u64(&a);
        tc->read = get_u64(&a);
        tc->accepted = get_u64(&a);
        tc->rejected = get_u64(&a);
        tc->out_of_scope = get_u64(&a);
        tc->bytes = get_u64(&a);
        tc->crc32 = (uint32_t)get_int(&a, 0, UINT32_MAX);
        get_str(&a, tc->file, sizeof tc->file);
    }
    if (!a.bad && a.n == LEDGER_ITEMS + 3)
        unpack_suppression(&a, l);
    done(c, &a);
}

static void unpack_body(cur_t *c, kh_msg_t *m)
{
    switch (m->env.kind) {
    case KH_MSG_RAW:
        unpack_raw(c, m);
        break;
    case KH_MSG_ROWS:
        unpack_rows(c, m);
        break;
    case KH_MSG_EOT:
        m->eot.batches = get_u64(c);
        m->eot.rows = get_u64(c);
        m->eot.bytes = get_u64(c);
        m->eot.crc32 = (uint32_t)get_int(c, 0, UINT32_MAX);
        m->eot.present = (int32_t)get_int(c, 0, 1);
        get_str(c, m->eot.file, sizeof m->eot.file);
        break;
    case KH_MSG_REJECTS: {
        char file[KH_FILE_MAX];
        get_str(c, file, sizeof file);
        kh_rejects_init(&m->rejects, file);
        cur_t a = get_array(c, UINT32_MAX);
        if (a.n % 4)
            a.bad = 1;
        for (uint32_t i = 0; i < a.n / 4 && !a.bad; i++) {
            kh_rejected_t *r = kh_rejects_add(&m->rejects);
            r->line = (uint32_t)get_int(&a, 0, UINT32_MAX);
            r->reason = (int32_t)get_int(&a, 1, 1000);
            get_str(&a, r->column, sizeof r->column);
            get_str(&a, r->value, sizeof r->value);
        }
        done(c, &a);
        break;
    }
    case KH_MSG_ACK:
        m->ack_eot = (int32_t)get_int(c, 0, 1);
        break;
    case KH_MSG_PERSONS: {
        m->last = (int32_t)get_int(c, 0, 1);
        uint32_t n = (uint32_t)get_int(c, 0, 1 << 24);
        const char *p = get_bin(c, (size_t)n * PERSON_FIELDS * 8, NULL);
        if (c->bad)
            break;
        m->persons = kh_xcalloc(n ? n : 1, sizeof *m->persons);
        m->npersons = n;
        for (uint32_t i = 0; i < n; i++) {
            int64_t f[PERSON_FIELDS];
            memcpy(f, p + (size_t)i * PERSON_FIELDS * 8, sizeof f);
            for (int k = 0; k < PERSON_FIELDS; k++)
                if (k != 8 && (f[k] < INT32_MIN || f[k] > INT32_MAX))
                    c->bad = 1;
            kh_person_t *ps = &m->persons[i];
            ps->cohort = (int32_t)f[0];
            ps->home = (int32_t)f[1];
            ps->status = (int32_t)f[2];
            ps->start_date = (int32_t)f[3];
            ps->exit_date = (int32_t)f[4];
            ps->resident = (int32_t)f[5];
            ps->work = (int32_t)f[6];
            ps->education = (int32_t)f[7];
            ps->sa_amount = f[8];
            ps->landbakgrunn = (int32_t)f[9];
            ps->kjonn = (int32_t)f[10];
            for (int h = 0; h < KH_FOLLOWUP_NHORIZONS; h++) {
                if (f[11 + h] < 0 || f[11 + h] > (int64_t)KH_FU_ALL)
                    c->bad = 1;
                ps->followup[h] = (uint8_t)(f[11 + h] & KH_FU_ALL);
            }
        }
        break;
    }
    case KH_MSG_REFDATA: {
        kh_refdata_t *r = &m->ref;
        cur_t a = get_array(c, UINT32_MAX);
        if (a.n % 3)
            a.bad = 1;
        r->nmonitor = a.n / 3;
        r->monitor = kh_xcalloc(r->nmonitor + 1, sizeof *r->monitor);
        for (uint32_t i = 0; i < r->nmonitor && !a.bad; i++) {
            r->monitor[i].landbakgrunn = (int32_t)get_int(&a, -1, 999);
            r->monitor[i].kjonn = (int32_t)get_int(&a, -1, 2);
            get_str(&a, r->monitor[i].andel, sizeof r->monitor[i].andel);
        }
        done(c, &a);
        cur_t b = get_array(c, UINT32_MAX);
        if (b.n % 2)
            b.bad = 1;
        r->nnational = b.n / 2;
        r->national = kh_xcalloc(r->nnational + 1, sizeof *r->national);
        for (uint32_t i = 0; i < r->nnational && !b.bad; i++) {
            r->national[i].year = (int32_t)get_int(&b, 0, 9999);
            get_str(&b, r->national[i].andel, sizeof r->national[i].andel);
        }
        done(c, &b);
        cur_t d = get_array(c, UINT32_MAX);
        if (d.n % 5)
            d.bad = 1;
        r->ncost = d.n / 5;
        r->cost = kh_xcalloc(r->ncost + 1, sizeof *r->cost);
        for (uint32_t i = 0; i < r->ncost && !d.bad; i++) {
            r->cost[i].kommnr = (int32_t)get_int(&d, 0, 9999);
            r->cost[i].year = (int32_t)get_int(&d, 0, 9999);
            get_str(&d, r->cost[i].total, sizeof r->cost[i].total);
            get_str(&d, r->cost[i].admin, sizeof r->cost[i].admin);
            get_str(&d, r->cost[i].persons, sizeof r->cost[i].persons);
        }
        done(c, &d);
        break;
    }
    case KH_MSG_LEDGER:
        unpack_ledger(c, &m->ledger);
        break;
    case KH_MSG_INDROWS: {
        const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)m->env.table);
        m->last = (int32_t)get_int(c, 0, 1);
        m->ref_year = (int32_t)get_int(c, 1, 9999);
        cur_t a = get_array(c, UINT32_MAX);
        if (c->bad || !def)
            break;
        m->nindrows = a.n;
        m->indrows = kh_xcalloc(a.n ? a.n : 1, sizeof *m->indrows);
        for (uint32_t i = 0; i < a.n && !a.bad; i++) {
            kh_indrow_t *row = &m->indrows[i];
            cur_t r = get_array(&a, 6 + (uint32_t)def->ncols);
            row->kommnr = (int32_t)get_int(&r, 0, 9999);
            row->key2 = (int32_t)get_int(&r, 0, 9999);
            /* horizon 1..5 and kjonn 0..9 in followup, 0 elsewhere */
            int four = m->env.table == KH_IND_FOLLOWUP;
            row->key3 = (int32_t)get_int(&r, four, four ? 5 : 0);
            row->key4 = (int32_t)get_int(&r, 0, four ? 9 : 0);
            row->suppressed = (int32_t)get_int(&r, 0, 1);
            row->suppressed_mask = (uint32_t)get_int(&r, 0, (1 << KH_IND_MAX_COLS) - 1);
            for (int col = 0; col < def->ncols && !r.bad; col++) {
                const msgpack_object *o = next(&r);
                if (o && o->type == MSGPACK_OBJECT_NIL)
                    continue;
                r.i--;
                row->value[col] = get_int(&r, INT64_MIN + 1, INT64_MAX);
                row->present[col] = 1;
            }
            done(&a, &r);
        }
        done(c, &a);
        break;
    }
    case KH_MSG_STATS: {
        kh_stats_t *s = &m->stats;
        get_str(c, s->stage, sizeof s->stage);
        s->worker = (int32_t)get_int(c, 0, 1 << 20);
        s->pid = (int32_t)get_int(c, 0, INT32_MAX);
        s->state = (int32_t)get_int(c, 0, KH_ST_COUNT - 1);
        s->rss_bytes = get_u64(c);
        s->busy_ns = get_u64(c);
        s->uptime_ns = get_u64(c);
        cur_t a = get_array(c, KH_TAB_COUNT * 6);
        for (int t = 0; t < KH_TAB_COUNT; t++) {
            kh_tablestats_t *ts = &s->tables[t];
            ts->batches_in = get_u64(&a);
            ts->rows_in = get_u64(&a);
            ts->batches_out = get_u64(&a);
            ts->rows_out = get_u64(&a);
            ts->rows_rejected = get_u64(&a);
            ts->bytes_read = get_u64(&a);
        }
        done(c, &a);
        break;
    }
    case KH_MSG_RESULT:
        m->ok = (int32_t)get_int(c, 0, 1);
        get_str(c, m->reason, sizeof m->reason);
        unpack_ledger(c, &m->ledger);
        break;
    case KH_MSG_FAIL:
        get_str(c, m->reason, sizeof m->reason);
        break;
    case KH_MSG_RESEND:
        break;
    default:
        c->bad = 1;
    }
}

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Walks the MessagePack headers of data[0..len) without allocating and
 * checks that every declared count and length fits in the bytes that remain
 * (an element takes at least one byte). msgpack-c allocates a container's
 * storage from its declared count before it has seen the elements, so a
 * forged count of 2^32 must never reach it. Returns 1 when plausible. */
static int headers_fit(const char *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data, *end = p + len;
    uint64_t pending = 1; /* objects still to read */
    while (pending) {
        if (p >= end)
            return 0;
        uint8_t t = *p++;
        size_t avail = (size_t)(end - p);
        uint64_t skip = 0, items = 0;
        if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
            /* fixint, nil, bool */
        } else if (t >= 0xa0 && t <= 0xbf) {
            skip = t & 0x1f;
        } else if (t >= 0x90 && t <= 0x9f) {
            items = t & 0x0f;
        } else if (t >= 0x80 && t <= 0x8f) {
            items = 2u * (t & 0x0f);
        } else {
            static const struct { uint8_t type, hdr, kind; } ext[] = {
                /* kind: 0 fixed payload `hdr` bytes, 1 length-prefixed bytes,
                 * 2 array count, 3 map count, 4 ext (length + type byte) */
                {0xcc, 1, 0}, {0xcd, 2, 0}, {0xce, 4, 0}, {0xcf, 8, 0},
                {0xd0, 1, 0}, {0xd1, 2, 0}, {0xd2, 4, 0}, {0xd3, 8, 0},
                {0xca, 4, 0}, {0xcb, 8, 0},
                {0xd9, 1, 1}, {0xda, 2, 1}, {0xdb, 4, 1},
                {0xc4, 1, 1}, {0xc5, 2, 1}, {0xc6, 4, 1},
                {0xdc, 2, 2}, {0xdd, 4, 2}, {0xde, 2, 3}, {0xdf, 4, 3},
                {0xd4, 2, 0}, {0xd5, 3, 0}, {0xd6, 5, 0}, {0xd7, 9, 0}, {0xd8, 17, 0},
                {0xc7, 1, 4}, {0xc8, 2, 4}, {0xc9, 4, 4},
            };
            size_t i = 0;
            while (i < sizeof ext / sizeof ext[0] && ext[i].type != t)
                i++;
            if (i == sizeof ext / sizeof ext[0] || avail < ext[i].hdr)
                return 0;
            uint64_t n = ext[i].kind == 0 ? 0 : be(p, ext[i].hdr);
            p += ext[i].hdr;
            avail -= ext[i].hdr;
            if (ext[i].kind == 1)
                skip = n;
            else if (ext[i].kind == 2)
                items = n;
            else if (ext[i].kind == 3)
                items = 2 * n;
            else if (ext[i].kind == 4)
                skip = n + 1;
        }
        if (skip > avail)
            return 0;
        p += skip;
        avail -= (size_t)skip;
        pending = pending - 1 + items;
        if (pending > avail)
            return 0;
    }
    return 1;
}

int kh_msg_unpack(const char *data, size_t len, kh_msg_t *msg)
{
    memset(msg, 0, sizeof *msg);
    if (!headers_fit(data, len))
        return KH_E_DECODE;
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    int rc = KH_E_DECODE;
    if (msgpack_unpack_next(&up, data, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len)
        goto out;
    if (up.data.type != MSGPACK_OBJECT_ARRAY || up.data.via.array.size < 4)
        goto out;
    cur_t c = {up.data.via.array.ptr, up.data.via.array.size, 0, 0};
    msg->env.kind = (kh_msgkind_t)get_int(&c, 1, KH_MSG_KIND_MAX - 1);
    get_str(&c, msg->env.run, sizeof msg->env.run);
    msg->env.table = (int32_t)get_int(&c, -1, 255);
    msg->env.seq = get_u64(&c);
    if (c.bad)
        goto out;
    /* Row-carrying kinds name a register table; indicator rows an indicator table. */
    int needs_table = msg->env.kind == KH_MSG_RAW || msg->env.kind == KH_MSG_ROWS ||
                      msg->env.kind == KH_MSG_EOT || msg->env.kind == KH_MSG_REJECTS;
    if (needs_table && (msg->env.table < 0 || msg->env.table >= KH_TAB_COUNT))
        goto out;
    if (msg->env.kind == KH_MSG_INDROWS &&
        (msg->env.table < 0 || msg->env.table >= KH_IND_COUNT))
        goto out;
    unpack_body(&c, msg);
    if (!c.bad && c.i == c.n)
        rc = 0;
out:
    msgpack_unpacked_destroy(&up);
    if (rc)
        kh_msg_free(msg);
    return rc;
}

void kh_msg_free(kh_msg_t *msg)
{
    kh_raw_destroy(&msg->raw);
    kh_rows_destroy(&msg->rows);
    kh_rejects_free(&msg->rejects);
    free(msg->persons);
    msg->persons = NULL;
    kh_refdata_free(&msg->ref);
    free(msg->indrows);
    msg->indrows = NULL;
}
