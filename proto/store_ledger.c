/* store_ledger.c - the runs of the store: the ledger (one entry per run:
 * its times, outcome, min_cell and counts) and the quarantine (the
 * rejected rows of the newest runs). See store.h.
 *
 * A ledger entry is [RUNREC_FORMAT, started_ms, finished_ms, min_cell, the
 * RESULT message (msg.h) as bin, the writer's version] (entries of older
 * versions lack the version), so that the ledger and the message share one
 * checked codec. A quarantine key is the run id, NUL, the table and the
 * line; its value [file, reason, column, value]. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/reason.h"
#include "proto/redact.h"
#include "proto/storedb.h"
#include "proto/util.h"

#ifndef KH_VERSION
#define KH_VERSION "unknown" /* the Makefile gives the VERSION file */
#endif

/* A quarantine key holds the table in one byte. */
_Static_assert(KH_TAB_COUNT <= 256, "a table number fits the quarantine key's byte");
/* Every entry this kohort writes must read back whole. */
_Static_assert(sizeof KH_VERSION <= sizeof ((kh_runrec_t *)0)->version,
               "the version fits a ledger entry's field");

enum {
    RUNREC_FORMAT = 1,          /* the first element of every ledger entry */
    RUNREC_OLD_FIELDS = 5,      /* format, started_ms, finished_ms, min_cell, result */
    RUNREC_FIELDS = 6,          /* ... and the version of the kohort that wrote it */
    QREC_FIELDS = 4,            /* file, reason, column, value */
};

/* ---- the quarantine ---------------------------------------------------------------- */

/* quarantine: run id, NUL, table, line (big-endian) */
static size_t q_key(uint8_t *key, const char *run, int table, uint32_t line)
{
    size_t n = strlen(run);
    memcpy(key, run, n);
    key[n] = 0;
    key[n + 1] = (uint8_t)table;
    key[n + 2] = (uint8_t)(line >> 24);
    key[n + 3] = (uint8_t)(line >> 16);
    key[n + 4] = (uint8_t)(line >> 8);
    key[n + 5] = (uint8_t)line;
    return n + 6;
}

/* Packs a quarantine text with every digit run that may be an id masked:
 * whatever a stage sent, no id reaches the store (redact.h). */
static void pack_masked(kh_pk_t *p, const char *s)
{
    char buf[KH_REASON_MAX];
    size_t n = kh_redact_copy(s, strlen(s), buf, sizeof buf);
    msgpack_pack_str(&p->pk, n);
    msgpack_pack_str_body(&p->pk, buf, n);
}

static void pack_qrec(kh_pk_t *p, const char *file, const kh_rejected_t *r)
{
    msgpack_pack_array(&p->pk, QREC_FIELDS);
    pack_masked(p, file);
    msgpack_pack_int32(&p->pk, r->reason);
    pack_masked(p, r->column);
    pack_masked(p, r->value);
}

/* Reads a quarantine value into q (its key gave table and line). Texts
 * longer than their field are cut, as they always were read. */
static int unpack_qrec(const MDB_val *v, kh_qrec_t *q)
{
    kh_cur_doc_t doc;
    kh_cur_t c;
    if (kh_cur_doc_open(&doc, v->mv_data, v->mv_size, &c) == 0 && c.n != QREC_FIELDS)
        c.bad = 1;
    kh_cur_str_cut(&c, q->file, sizeof q->file);
    q->rej.reason = (int32_t)kh_cur_int(&c, 1, KH_REASON_CODE_MAX);
    kh_cur_str_cut(&c, q->rej.column, sizeof q->rej.column);
    kh_cur_str_cut(&c, q->rej.value, sizeof q->rej.value);
    int rc = kh_cur_end(&c);
    kh_cur_doc_free(&doc);
    return rc;
}

static int put_rejects_once(kh_store_t *s, const char *run, const kh_rejects_t rej[KH_TAB_COUNT],
                            uint32_t added[KH_TAB_COUNT])
{
    uint32_t fresh[KH_TAB_COUNT] = {0};
    MDB_txn *txn;
    int rc = kh_sdb_begin_write(s, &txn);
    if (rc)
        return kh_err_from_mdb(rc);
    kh_pk_t p;
    kh_pk_init(&p, 0);
    for (int table = 0; rc == 0 && table < KH_TAB_COUNT; table++) {
        for (uint32_t i = 0; rc == 0 && i < rej[table].n; i++) {
            const kh_rejected_t *r = &rej[table].items[i];
            uint8_t key[KH_RUN_ID_MAX + 8];
            size_t klen = q_key(key, run, table, r->line);
            msgpack_sbuffer_clear(&p.sb);
            pack_qrec(&p, rej[table].file, r);
            MDB_val k = {klen, key}, v = {p.sb.size, p.sb.data};
            rc = mdb_put(txn, s->dbi[DB_QUARANTINE], &k, &v, MDB_NOOVERWRITE);
            if (rc == 0)
                fresh[table]++;
            else if (rc == MDB_KEYEXIST)
                rc = 0;
        }
    }
    kh_pk_destroy(&p);
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    rc = kh_err_from_mdb(kh_sdb_commit(s, txn));
    if (rc == 0 && added)
        memcpy(added, fresh, sizeof fresh);
    return rc;
}

/* Keeps the quarantine of the newest KH_STORE_KEEP_QUARANTINE runs. */
int kh_sdb_prune_quarantine(kh_store_t *s, MDB_txn *txn)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->dbi[DB_RUNS], &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    int seen = 0;
    char old[64];
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_LAST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
        if (++seen <= KH_STORE_KEEP_QUARANTINE || k.mv_size >= sizeof old)
            continue;
        memcpy(old, k.mv_data, k.mv_size);
        old[k.mv_size] = 0;
        int drc = kh_sdb_delete_prefix(txn, s->dbi[DB_QUARANTINE], old, k.mv_size + 1);
        if (drc) {
            rc = drc;
            break;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int kh_store_put_rejects(kh_store_t *s, const char *run, const kh_rejects_t rej[KH_TAB_COUNT],
                         uint32_t added[KH_TAB_COUNT])
{
    int rc;
    while ((rc = put_rejects_once(s, run, rej, added)) == KH_E_MAP_FULL && kh_sdb_grow_map(s))
        ;
    return kh_sdb_disk_error(s, rc);
}

/* ---- the ledger ------------------------------------------------------------------- */

static void pack_runrec(kh_pk_t *p, const kh_runrec_t *rec)
{
    kh_env_t env;
    kh_packed_t res;
    kh_env_set(&env, KH_MSG_RESULT, rec->run, -1, 0);
    char reason[KH_REASON_MAX];
    kh_redact_copy(rec->reason, strnlen(rec->reason, sizeof rec->reason), reason, sizeof reason);
    kh_msg_pack_result(&res, &env, rec->ok, reason, &rec->ledger);
    msgpack_pack_array(&p->pk, RUNREC_FIELDS);
    msgpack_pack_int(&p->pk, RUNREC_FORMAT);
    msgpack_pack_int64(&p->pk, rec->started_ms);
    msgpack_pack_int64(&p->pk, rec->finished_ms);
    msgpack_pack_int32(&p->pk, rec->min_cell);
    kh_pk_bin(p, res.data, res.len);
    kh_pk_str(p, KH_VERSION);
    free(res.data);
}

static int unpack_runrec(const MDB_val *v, kh_runrec_t *rec)
{
    memset(rec, 0, sizeof *rec);
    kh_cur_doc_t doc;
    kh_cur_t c;
    if (kh_cur_doc_open(&doc, v->mv_data, v->mv_size, &c) == 0 && c.n != RUNREC_OLD_FIELDS &&
        c.n != RUNREC_FIELDS)
        c.bad = 1;
    kh_cur_int(&c, RUNREC_FORMAT, RUNREC_FORMAT);
    rec->started_ms = kh_cur_int(&c, 0, INT64_MAX);
    rec->finished_ms = kh_cur_int(&c, 0, INT64_MAX);
    rec->min_cell = (int32_t)kh_cur_int(&c, 0, INT32_MAX);
    size_t len = 0;
    const char *result = kh_cur_bin(&c, SIZE_MAX, &len);
    if (c.n == RUNREC_FIELDS)
        kh_cur_str(&c, rec->version, sizeof rec->version);
    int rc = kh_cur_end(&c);
    kh_msg_t m;
    if (rc == 0 && (rc = kh_msg_unpack(result, len, &m)) == 0) {
        if (m.env.kind == KH_MSG_RESULT) {
            snprintf(rec->run, sizeof rec->run, "%s", m.env.run);
            rec->ok = m.ok;
            snprintf(rec->reason, sizeof rec->reason, "%s", m.reason);
            rec->ledger = m.ledger;
        } else {
            rc = KH_E_DECODE;
        }
        kh_msg_free(&m);
    }
    kh_cur_doc_free(&doc);
    return rc;
}

int kh_sdb_put_run(kh_store_t *s, MDB_txn *txn, const kh_runrec_t *rec)
{
    kh_pk_t p;
    kh_pk_init(&p, 0);
    pack_runrec(&p, rec);
    int rc = kh_sdb_put(txn, s->dbi[DB_RUNS], rec->run, strlen(rec->run), &p);
    kh_pk_destroy(&p);
    return rc;
}

/* 1 when the ledger already holds an ok entry for `run`: the store decides
 * a run's outcome, and a committed run stays committed whatever a
 * supervisor that lost track of it writes later. */
static int committed_in(kh_store_t *s, MDB_txn *txn, const char *run)
{
    MDB_val k = {strlen(run), (void *)run}, v;
    if (mdb_get(txn, s->dbi[DB_RUNS], &k, &v) != 0)
        return 0;
    kh_runrec_t *old = kh_xmalloc(sizeof *old);
    int ok = unpack_runrec(&v, old) == 0 && old->ok;
    free(old);
    return ok;
}

static int put_run_once(kh_store_t *s, const kh_runrec_t *rec)
{
    MDB_txn *txn;
    int rc = kh_sdb_begin_write(s, &txn);
    if (rc)
        return kh_err_from_mdb(rc);
    if (!rec->ok && committed_in(s, txn, rec->run)) {
        mdb_txn_abort(txn);
        return 0;
    }
    rc = kh_sdb_put_run(s, txn, rec);
    if (rc == 0)
        rc = kh_sdb_prune_quarantine(s, txn);
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    return kh_err_from_mdb(kh_sdb_commit(s, txn));
}

int kh_store_put_run(kh_store_t *s, const kh_runrec_t *rec)
{
    int rc;
    while ((rc = put_run_once(s, rec)) == KH_E_MAP_FULL && kh_sdb_grow_map(s))
        ;
    return kh_sdb_disk_error(s, rc);
}

/* ---- reading --------------------------------------------------------------------- */

int kh_store_each_run(kh_store_t *s, kh_store_run_cb cb, void *ctx)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = kh_sdb_read_open(s, DB_RUNS, &txn, &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    int mrc;
    rc = 0;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_LAST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
        kh_runrec_t *rec = kh_xmalloc(sizeof *rec);
        rc = unpack_runrec(&v, rec);
        if (rc == 0)
            rc = cb(ctx, rec);
        free(rec);
    }
    kh_sdb_read_close(txn, cur);
    return rc;
}

int kh_store_each_reject(kh_store_t *s, const char *run, kh_store_q_cb cb, void *ctx)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = kh_sdb_read_open(s, DB_QUARANTINE, &txn, &cur);
    if (rc)
        return rc;
    size_t plen = strlen(run) + 1;
    MDB_val k = {plen, (void *)run}, v;
    int mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = 0;
    for (; mrc == 0 && rc == 0; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != plen + 5 || memcmp(k.mv_data, run, plen) != 0)
            break;
        const uint8_t *kp = (const uint8_t *)k.mv_data + plen;
        kh_qrec_t q;
        memset(&q, 0, sizeof q);
        q.table = kp[0];
        q.rej.line = (uint32_t)kp[1] << 24 | (uint32_t)kp[2] << 16 | (uint32_t)kp[3] << 8 | kp[4];
        rc = unpack_qrec(&v, &q);
        if (rc == 0)
            rc = cb(ctx, &q);
    }
    kh_sdb_read_close(txn, cur);
    return rc;
}

