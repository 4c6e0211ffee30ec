/* msg.c - the message envelope and the owned containers of msg.h.
 *
 * Every message is [kind, run id, table, sequence number, body...]. This
 * file packs and checks the envelope, hands the body to the kind's codec
 * (msgkind.h: msg_batch.c, msg_run.c) and frees what a decoded message
 * owns. The MessagePack primitives are codec.h's. */
#include "proto/msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/msgkind.h"
#include "proto/util.h"

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

void kh_raw_reserve(kh_raw_t *raw, uint32_t rows, size_t bytes)
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
    kh_raw_reserve(raw, raw->nrows + 1, raw->len + len);
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
    free(r->names);
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

/* ---- the envelope --------------------------------------------------------------- */

void kh_msg_begin(kh_pk_t *p, const kh_env_t *env, size_t body_fields, size_t hint)
{
    kh_pk_init(p, hint);
    msgpack_pack_array(&p->pk, KH_ENV_FIELDS + body_fields);
    msgpack_pack_int(&p->pk, env->kind);
    kh_pk_str(p, env->run);
    msgpack_pack_int32(&p->pk, env->table);
    msgpack_pack_uint64(&p->pk, env->seq);
}

/* What the envelope's table names: nothing, a register table (the kinds
 * that carry rows of one) or an indicator table. */
enum { NAMES_ANY, NAMES_REGISTER, NAMES_INDICATOR };

static const struct {
    int names;
    void (*unpack)(kh_cur_t *c, kh_msg_t *m);
} kinds[KH_MSG_KIND_MAX] = {
    [KH_MSG_RAW] = {NAMES_REGISTER, kh_msg_unpack_raw},
    [KH_MSG_ROWS] = {NAMES_REGISTER, kh_msg_unpack_rows},
    [KH_MSG_EOT] = {NAMES_REGISTER, kh_msg_unpack_eot},
    [KH_MSG_REJECTS] = {NAMES_REGISTER, kh_msg_unpack_rejects},
    [KH_MSG_ACK] = {NAMES_ANY, kh_msg_unpack_ack},
    [KH_MSG_PERSONS] = {NAMES_ANY, kh_msg_unpack_persons},
    [KH_MSG_REFDATA] = {NAMES_ANY, kh_msg_unpack_refdata},
    [KH_MSG_LEDGER] = {NAMES_ANY, kh_msg_unpack_ledger},
    [KH_MSG_INDROWS] = {NAMES_INDICATOR, kh_msg_unpack_indrows},
    [KH_MSG_STATS] = {NAMES_ANY, kh_msg_unpack_stats},
    [KH_MSG_RESULT] = {NAMES_ANY, kh_msg_unpack_result},
    [KH_MSG_FAIL] = {NAMES_ANY, kh_msg_unpack_fail},
    [KH_MSG_RESEND] = {NAMES_ANY, kh_msg_unpack_resend},
    [KH_MSG_RANGE] = {NAMES_REGISTER, kh_msg_unpack_range},
};

int kh_msg_unpack(const char *data, size_t len, kh_msg_t *msg)
{
    memset(msg, 0, sizeof *msg);
    kh_cur_doc_t doc;
    kh_cur_t c;
    int rc = kh_cur_doc_open(&doc, data, len, &c);
    if (rc == 0 && c.n < KH_ENV_FIELDS)
        rc = KH_E_DECODE;
    if (rc == 0) {
        msg->env.kind = (kh_msgkind_t)kh_cur_int(&c, 1, KH_MSG_KIND_MAX - 1);
        kh_cur_str(&c, msg->env.run, sizeof msg->env.run);
        msg->env.table = (int32_t)kh_cur_int(&c, -1, 255);
        msg->env.seq = kh_cur_u64(&c);
        int names = c.bad ? NAMES_ANY : kinds[msg->env.kind].names;
        if ((names == NAMES_REGISTER && (msg->env.table < 0 || msg->env.table >= KH_TAB_COUNT)) ||
            (names == NAMES_INDICATOR && (msg->env.table < 0 || msg->env.table >= KH_IND_COUNT)))
            c.bad = 1;
        if (!c.bad)
            kinds[msg->env.kind].unpack(&c, msg);
        rc = kh_cur_end(&c);
    }
    kh_cur_doc_free(&doc);
    if (rc)
        kh_msg_free(msg);
    return rc;
}

void kh_msg_free(kh_msg_t *msg)
{
    kh_raw_destroy(&msg->raw);
    kh_range_destroy(&msg->range);
    kh_rows_destroy(&msg->rows);
    kh_rejects_free(&msg->rejects);
    free(msg->persons);
    msg->persons = NULL;
    kh_refdata_free(&msg->ref);
    free(msg->indrows);
    msg->indrows = NULL;
}

/* ---- a decoded message as a whole ---------------------------------------------- */

void kh_msg_pack(kh_packed_t *out, const kh_msg_t *m)
{
    const kh_env_t *env = &m->env;
    switch (m->env.kind) {
    case KH_MSG_RAW: kh_msg_pack_raw(out, env, m->raw); break;
    case KH_MSG_ROWS: kh_msg_pack_rows(out, env, &m->meta, m->rows, m->rejected); break;
    case KH_MSG_EOT: kh_msg_pack_eot(out, env, &m->eot); break;
    case KH_MSG_REJECTS: kh_msg_pack_rejects(out, env, &m->rejects); break;
    case KH_MSG_ACK: kh_msg_pack_ack(out, env, m->ack_eot); break;
    case KH_MSG_PERSONS: kh_msg_pack_persons(out, env, m->persons, m->npersons, m->last); break;
    case KH_MSG_REFDATA: kh_msg_pack_refdata(out, env, &m->ref); break;
    case KH_MSG_LEDGER: kh_msg_pack_ledger(out, env, &m->ledger); break;
    case KH_MSG_INDROWS:
        kh_msg_pack_indrows(out, env, m->ref_year, m->indrows, m->nindrows, m->last);
        break;
    case KH_MSG_STATS: kh_msg_pack_stats(out, env, &m->stats); break;
    case KH_MSG_RESULT: kh_msg_pack_result(out, env, m->ok, m->reason, &m->ledger); break;
    case KH_MSG_FAIL: kh_msg_pack_fail(out, env, m->reason); break;
    case KH_MSG_RESEND: kh_msg_pack_resend(out, env); break;
    case KH_MSG_RANGE: kh_msg_pack_range(out, env, m->range); break;
    default:
        out->data = NULL;
        out->len = 0;
    }
}

/* n bytes at a and b are equal (either may be NULL when n is 0). */
static int same(const void *a, const void *b, size_t n)
{
    return n == 0 || memcmp(a, b, n) == 0;
}

static int raw_equal(const kh_raw_t *a, const kh_raw_t *b)
{
    uint32_t n = a->nrows;
    return n == b->nrows && a->len == b->len && same(a->lines, b->lines, (size_t)n * 4) &&
           same(a->flags, b->flags, n) && same(a->offs, b->offs, ((size_t)n + 1) * 4) &&
           same(a->data, b->data, a->len);
}

static int range_equal(const kh_range_t *a, const kh_range_t *b)
{
    return same(&a->meta, &b->meta, sizeof a->meta) && same(&a->id, &b->id, sizeof a->id) &&
           a->off == b->off && a->len == b->len && a->line == b->line &&
           a->line_limit == b->line_limit && a->nrows == b->nrows &&
           same(a->flags, b->flags, a->nrows);
}

static int rows_equal(const kh_rows_t *a, const kh_rows_t *b)
{
    uint32_t n = a->nrows;
    if (a->table != b->table || n != b->nrows || a->dropped != b->dropped ||
        a->dropped_aar != b->dropped_aar || a->anonymised != b->anonymised ||
        !same(a->lines, b->lines, (size_t)n * 4))
        return 0;
    const kh_tabledef_t *def = kh_schema_table(a->table);
    for (int c = 0; c < def->ncols; c++) {
        if (KH_COL_IS_TEXT(def->cols[c].type)) {
            for (uint32_t r = 0; r < n; r++)
                if (strcmp(kh_rows_text(a, c, r), kh_rows_text(b, c, r)) != 0)
                    return 0;
        } else if (def->cols[c].type == KH_COL_ID && a->anonymised) {
            if (!same(a->col[c].pseudo, b->col[c].pseudo, (size_t)n * KH_PSEUDO_LEN))
                return 0;
        } else if (!same(a->col[c].i64, b->col[c].i64, (size_t)n * 8)) {
            return 0;
        }
    }
    return 1;
}

static int ref_equal(const kh_refdata_t *a, const kh_refdata_t *b)
{
    return a->nmonitor == b->nmonitor && a->nnational == b->nnational && a->ncost == b->ncost &&
           a->nnames == b->nnames &&
           same(a->monitor, b->monitor, a->nmonitor * sizeof *a->monitor) &&
           same(a->national, b->national, a->nnational * sizeof *a->national) &&
           same(a->cost, b->cost, a->ncost * sizeof *a->cost) &&
           same(a->names, b->names, a->nnames * sizeof *a->names);
}

/* The decoder zeroes a message, and every array it allocates, before it
 * fills them: structs compare whole, padding and the tails of texts too. */
int kh_msg_equal(const kh_msg_t *a, const kh_msg_t *b)
{
    if (a->env.kind != b->env.kind || a->env.table != b->env.table || a->env.seq != b->env.seq ||
        strcmp(a->env.run, b->env.run) != 0)
        return 0;
    switch (a->env.kind) {
    case KH_MSG_RAW:
        return same(&a->meta, &b->meta, sizeof a->meta) && raw_equal(a->raw, b->raw);
    case KH_MSG_ROWS:
        return same(&a->meta, &b->meta, sizeof a->meta) && a->rejected == b->rejected &&
               rows_equal(a->rows, b->rows);
    case KH_MSG_EOT:
        return same(&a->eot, &b->eot, sizeof a->eot);
    case KH_MSG_REJECTS:
        return strcmp(a->rejects.file, b->rejects.file) == 0 && a->rejects.n == b->rejects.n &&
               same(a->rejects.items, b->rejects.items, a->rejects.n * sizeof *a->rejects.items);
    case KH_MSG_ACK:
        return a->ack_eot == b->ack_eot;
    case KH_MSG_PERSONS:
        return a->last == b->last && a->npersons == b->npersons &&
               same(a->persons, b->persons, a->npersons * sizeof *a->persons);
    case KH_MSG_REFDATA:
        return ref_equal(&a->ref, &b->ref);
    case KH_MSG_LEDGER:
        return same(&a->ledger, &b->ledger, sizeof a->ledger);
    case KH_MSG_INDROWS:
        return a->last == b->last && a->ref_year == b->ref_year && a->nindrows == b->nindrows &&
               same(a->indrows, b->indrows, a->nindrows * sizeof *a->indrows);
    case KH_MSG_STATS:
        return same(&a->stats, &b->stats, sizeof a->stats);
    case KH_MSG_RESULT:
        return a->ok == b->ok && strcmp(a->reason, b->reason) == 0 &&
               same(&a->ledger, &b->ledger, sizeof a->ledger);
    case KH_MSG_FAIL:
        return strcmp(a->reason, b->reason) == 0;
    case KH_MSG_RESEND:
        return 1;
    case KH_MSG_RANGE:
        return range_equal(a->range, b->range);
    default:
        return 0;
    }
}
