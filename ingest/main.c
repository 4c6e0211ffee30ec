/* main.c - kohort-ingest: reads the extract directory and sends every table
 * as batches of raw records to the validators.
 *
 * A plain file's batches go as ranges (RANGE): where the records lie in the
 * file, their lines found and flags set here, and the validator reads the
 * bytes itself (transform/rangeread.h), so that they never cross a socket.
 * A gzip file's records go as bytes (RAW).
 *
 * Tables go in schema order: reference tables, id_historikk and f_intro,
 * then (after the linker has acknowledged everything before them, so that it
 * knows who is in scope) the population tables. A window of unacknowledged
 * batches bounds what is in flight. A file that cannot be used fails the
 * run with one sentence naming it. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <libdeflate.h>
#include <zmq.h>

#include "ingest/csvsplit.h"
#include "ingest/scope.h"
#include "ingest/source.h"
#include "ingest/tabread.h"
#include "proto/err.h"
#include "proto/fault.h"
#include "proto/log.h"
#include "proto/msg.h"
#include "proto/sock.h"
#include "proto/stage.h"
#include "proto/topology.h"
#include "proto/util.h"

#define BATCH_ROWS 65536
#define BATCH_BYTES (1u << 20)
/* A range costs ingest nothing to hold and the validator reads it in 1 MiB
 * pieces, so it may be larger: four times fewer messages (and batches to
 * set up) took 5 % off a national run's CPU (8.4-8.5 s -> 7.9-8.3 s, 4
 * alternating pairs); sixteen times fewer gained nothing more. */
#define RANGE_ROWS (4 * BATCH_ROWS)
#define RANGE_BYTES (4 * BATCH_BYTES)
#define READ_CHUNK (1u << 20)
#define WINDOW 32

/* A message sent and not yet acknowledged, kept to be sent again when a
 * worker dies holding it. */
typedef struct {
    int table;
    uint64_t slot;              /* 0: end-of-table, else batch seq + 1 */
    kh_packed_t copy;
} pending_t;

typedef struct {
    kh_stage_t *st;
    void *out, *acks;
    int table;
    const char *file;           /* name on disk */
    kh_raw_t *raw;
    uint64_t seq, rows;
    uint32_t crc;               /* CRC-32 of the table's content so far, for the ledger */
    kh_tabread_t *rd;           /* the table's reader */
    int ranged;                 /* the table goes as ranges: a plain file */
    uint64_t range_off;         /* where the batch in progress starts in the file */
    uint32_t range_line;        /* and its line there (0: not known yet) */
    uint64_t line_limit;        /* the splitter's, as the validator must use it */
    pending_t pending[WINDOW];  /* sent and not yet acknowledged */
    int npending;
    uint64_t resent;
    int reference;
    int population;             /* kh_schema_is_population(table), asked once a table */
    kh_scope_t *scope;          /* the scope superset (scope.h) */
    uint64_t flagged;           /* records flagged out of scope in this table */
    int64_t *ids;               /* the batch's person ids (population tables), */
    uint32_t *idrows;           /* the first of the records in a row that hold each, */
    uint32_t *idruns;           /* how many records in a row hold it, */
    unsigned char *excluded;    /* and the scope's verdicts */
    uint32_t nids, idcap;
    char prev[32];              /* person_id(): the last record's first field and ';', */
    size_t prev_len;            /* its length (0: none to compare with), */
    int64_t prev_id;            /* and the id in it */
} ingest_t;

static const char usage[] =
    "usage: kohort-ingest --run ID --dir DIR --workers N --extracts DIR\n"
    "       [--line-limit BYTES] [--max-file-bytes BYTES]\n"
    "Started by `kohort run`.\n";

/* Records one acknowledgement; duplicates (of a resent batch) find nothing. */
static void take_ack(ingest_t *in, const kh_msg_t *m)
{
    uint64_t slot = m->ack_eot ? 0 : m->env.seq + 1;
    for (int i = 0; i < in->npending; i++) {
        pending_t *p = &in->pending[i];
        if (p->table == m->env.table && p->slot == slot) {
            free(p->copy.data);
            *p = in->pending[--in->npending];
            return;
        }
    }
}

/* A worker died: everything it may have held is sent again; the linker
 * recognises what it already has by table and sequence number. Returns 0,
 * -EINTR (stopped) or KH_E_STAGE (failed), as kh_stage_send(). */
static int resend(ingest_t *in)
{
    kh_info("resend batches=%d", in->npending);
    for (int i = 0; i < in->npending && !kh_stage_stopping; i++) {
        kh_packed_t p = {kh_xmalloc(in->pending[i].copy.len), in->pending[i].copy.len};
        memcpy(p.data, in->pending[i].copy.data, p.len);
        int rc = kh_stage_send(in->st, in->out, &p);
        if (rc != 0)
            return rc;
        in->resent++;
    }
    return 0;
}

/* Takes acknowledgements (and resend requests) until at most `limit`
 * messages are in flight. Returns 0 (also when stopped) or KH_E_STAGE. */
static int drain_acks(ingest_t *in, int limit)
{
    for (;;) {
        int timeout = in->npending > limit ? 200 : 0;
        kh_msg_t m;
        int rc = kh_sock_recv(in->acks, &m, timeout);
        kh_stage_tick(in->st);
        if (kh_stage_stopping)
            return 0;
        if (rc == -EAGAIN) {
            if (in->npending <= limit)
                return 0;
            continue;
        }
        if (rc == -EINTR)
            continue;
        if (rc)
            return kh_stage_fail(in->st, "cannot receive acknowledgements: %s", kh_strerror(rc));
        if (m.env.kind == KH_MSG_ACK && strcmp(m.env.run, in->st->run) == 0)
            take_ack(in, &m);
        else if (m.env.kind == KH_MSG_RESEND && strcmp(m.env.run, in->st->run) == 0)
            rc = resend(in);
        kh_msg_free(&m);
        if (rc == KH_E_STAGE)
            return rc;
    }
}

/* Sends one message, keeping a copy until it is acknowledged. Returns 0,
 * KH_E_INTERRUPTED (stopped) or KH_E_STAGE (failed). */
static int send_packed(ingest_t *in, kh_packed_t *p, uint64_t slot)
{
    int rc = drain_acks(in, WINDOW - 1);
    if (rc || kh_stage_stopping) {
        free(p->data);
        return rc ? rc : KH_E_INTERRUPTED;
    }
    pending_t *pend = &in->pending[in->npending++];
    pend->table = in->table;
    pend->slot = slot;
    pend->copy.len = p->len;
    pend->copy.data = kh_xmalloc(p->len);
    memcpy(pend->copy.data, p->data, p->len);
    rc = kh_stage_send(in->st, in->out, p);
    if (rc != 0)
        return rc == KH_E_STAGE ? rc : KH_E_INTERRUPTED;
    kh_fault_point(slot ? "batch" : "eot");
    return 0;
}

static void flag_batch(ingest_t *in);

/* Packs the batch as a range that ends at `end`, where the next one starts
 * on line `end_line`. */
static void pack_range(ingest_t *in, kh_env_t *env, kh_packed_t *p, uint64_t end,
                       uint32_t end_line)
{
    kh_range_t r;
    memset(&r, 0, sizeof r);
    r.meta = in->raw->meta;
    r.id = *kh_source_id(kh_tabread_source(in->rd));
    r.off = in->range_off;
    r.len = end - in->range_off;
    r.line = in->range_line;
    r.line_limit = in->line_limit;
    r.nrows = in->raw->nrows;
    r.flags = in->raw->flags;
    kh_stage_env(in->st, env, KH_MSG_RANGE, in->table, in->seq);
    kh_msg_pack_range(p, env, &r);
    in->range_off = end;
    in->range_line = end_line;
}

/* Sends the batch in progress; a range ends at `end` (the next starts on
 * line `end_line`), which a RAW batch ignores. */
static int flush_batch(ingest_t *in, uint64_t end, uint32_t end_line)
{
    if (in->raw->nrows == 0)
        return 0;
    flag_batch(in);
    kh_env_t env;
    kh_packed_t p;
    if (in->ranged) {
        pack_range(in, &env, &p, end, end_line);
    } else {
        kh_stage_env(in->st, &env, KH_MSG_RAW, in->table, in->seq);
        kh_msg_pack_raw(&p, &env, in->raw);
    }
    kh_tablestats_t *ts = &in->st->stats.tables[in->table];
    ts->batches_out++;
    ts->rows_out += in->raw->nrows;
    in->seq++;
    kh_raw_clear(in->raw);
    return send_packed(in, &p, in->seq);
}

/* The id of field `col` (canonical column) of a record: 1 with *id, 0 when
 * there is none (the validator rejects such a row). */
static int record_id(const ingest_t *in, int col, const char *data, size_t len, int64_t *id)
{
    const char *field;
    size_t flen;
    return kh_scope_field(data, len, in->raw->meta.colmap[col], &field, &flen) == 1 &&
           kh_scope_parse_id(field, flen, id);
}

/* The person id of a population record, as record_id(in, 0, ...). A
 * person's rows come one after another (bosatte: about nine), so when the
 * id is the file's first field, a record that starts with the same bytes
 * as the last one up to and including the ';' after that field has its
 * id, found without walking and parsing the field again. */
static int person_id(ingest_t *in, const char *data, size_t len, int64_t *id)
{
    size_t n = in->prev_len;
    /* an id and its ';' are 12 bytes: memcmp of a known size is inlined,
     * where one of any size costs a call a record */
    if (n && len >= n &&
        (n == 12 ? memcmp(data, in->prev, 12) : memcmp(data, in->prev, n)) == 0) {
        *id = in->prev_id;
        return 1;
    }
    in->prev_len = 0;
    /* nearly always: the first field is the id, 11 digits and a ';', where
     * kh_scope_field() would find it without the walk */
    if (in->raw->meta.colmap[0] == 0 && len > 11 && data[11] == ';' &&
        kh_scope_parse_id(data, 11, id)) {
        memcpy(in->prev, data, 12);
        in->prev_len = 12;
        in->prev_id = *id;
        return 1;
    }
    const char *field;
    size_t flen;
    /* the person column is the first canonical column of these tables */
    if (!kh_scope_field(data, len, in->raw->meta.colmap[0], &field, &flen) ||
        !kh_scope_parse_id(field, flen, id))
        return 0;
    if (field == data && flen < len && flen < sizeof in->prev) { /* a ';' follows */
        memcpy(in->prev, data, flen + 1);
        in->prev_len = flen + 1;
        in->prev_id = *id;
    }
    return 1;
}

/* Feeds the scope superset from id_historikk and f_intro; of a population
 * record, notes the id for flag_batch(). */
static void scope_record(ingest_t *in, const char *data, size_t len)
{
    int64_t a, b;
    if (in->table == KH_TAB_ID_HISTORIKK) {
        if (record_id(in, KH_ID_HISTORIKK_GAMMELT_ID, data, len, &a) &&
            record_id(in, KH_ID_HISTORIKK_NYTT_ID, data, len, &b))
            kh_scope_add_history(in->scope, a, b);
    } else if (in->table == KH_TAB_F_INTRO) {
        if (record_id(in, KH_F_INTRO_FNR, data, len, &a))
            kh_scope_add_participant(in->scope, a);
    } else if (in->population) {
        uint32_t row = in->raw->nrows;
        if (!person_id(in, data, len, &a))
            return;
        /* a person's rows come together: one verdict serves them all */
        uint32_t k = in->nids - 1;
        if (in->nids && in->ids[k] == a && in->idrows[k] + in->idruns[k] == row) {
            in->idruns[k]++;
            return;
        }
        if (in->nids == in->idcap) {
            in->idcap = in->idcap ? in->idcap * 2 : 4096;
            in->ids = kh_xrealloc(in->ids, in->idcap * sizeof *in->ids);
            in->idrows = kh_xrealloc(in->idrows, in->idcap * sizeof *in->idrows);
            in->idruns = kh_xrealloc(in->idruns, in->idcap * sizeof *in->idruns);
            in->excluded = kh_xrealloc(in->excluded, in->idcap);
        }
        in->ids[in->nids] = a;
        in->idrows[in->nids] = row;
        in->idruns[in->nids++] = 1;
    }
}

/* Flags the records of the batch whose id is certainly out of scope (the
 * validator drops them once it has judged them), all at once: see
 * kh_scope_excludes_many(). */
static void flag_batch(ingest_t *in)
{
    kh_scope_excludes_many(in->scope, in->ids, in->nids, in->excluded);
    for (uint32_t k = 0; k < in->nids; k++)
        if (in->excluded[k]) {
            for (uint32_t r = 0; r < in->idruns[k]; r++)
                in->raw->flags[in->idrows[k] + r] |= KH_RAW_OUT_OF_SCOPE;
            in->flagged += in->idruns[k];
        }
    in->nids = 0;
}

static int on_record(void *ctx, const kh_csvrec_t *rec)
{
    ingest_t *in = ctx;
    if (kh_stage_stopping)
        return KH_E_INTERRUPTED;
    uint8_t flags = rec->too_long ? KH_RAW_TOO_LONG : 0;
    if (!rec->too_long)
        scope_record(in, rec->data, rec->len);
    in->rows++;
    if (in->ranged) {
        if (in->range_line == 0) /* the first batch starts after the header */
            in->range_off = kh_tabread_body(in->rd, &in->range_line);
        /* its bytes stay in the file, its line is found again: only the flags go */
        kh_raw_append_flags(in->raw, flags);
        /* a batch may end only where a record may start */
        if (!in->reference && rec->end &&
            (in->raw->nrows >= RANGE_ROWS || rec->end - in->range_off >= RANGE_BYTES))
            return flush_batch(in, rec->end, rec->end_line);
        return 0;
    }
    kh_raw_append(in->raw, rec->line, flags, rec->data, rec->len);
    if (!in->reference && (in->raw->nrows >= BATCH_ROWS || in->raw->len >= BATCH_BYTES))
        return flush_batch(in, 0, 0);
    return 0;
}

/* Finds a table's file: 1 found, 0 an optional table without one;
 * KH_E_STAGE, failing the stage, when a required one is missing or both
 * NAME.csv and .csv.gz exist. */
static int find_file(kh_stage_t *st, const char *dir, int table, char *path, size_t cap,
                     const char **base)
{
    char why[KH_REASON_MAX];
    int rc = kh_tabread_find(dir, (kh_table_t)table, path, cap, base, why, sizeof why);
    if (rc < 0)
        return kh_stage_fail(st, "%s", why);
    return rc;
}

/* Fails the stage with what the reader says went wrong, then frees it.
 * Returns KH_E_STAGE. */
static int reader_failed(kh_stage_t *st, kh_tabread_t **rd)
{
    int rc = kh_stage_fail(st, "%s", kh_tabread_error(*rd));
    kh_tabread_destroy(rd);
    return rc;
}

/* Returns send_packed()'s code. */
static int send_eot(ingest_t *in, int present, uint64_t bytes)
{
    kh_eot_t eot;
    memset(&eot, 0, sizeof eot);
    eot.batches = in->seq;
    eot.rows = in->rows;
    eot.bytes = bytes;
    eot.crc32 = in->crc;
    eot.present = present;
    snprintf(eot.file, sizeof eot.file, "%s", in->file ? in->file : "");
    kh_env_t env;
    kh_packed_t p;
    kh_stage_env(in->st, &env, KH_MSG_EOT, in->table, in->seq);
    kh_msg_pack_eot(&p, &env, &eot);
    return send_packed(in, &p, 0);
}

/* Reads and sends one table, then its end. Returns 0 (also when stopped)
 * or KH_E_STAGE. */
static int read_table(ingest_t *in, const char *dir, size_t line_limit, uint64_t max_bytes,
                      char *buf)
{
    const kh_tabledef_t *def = kh_schema_table((kh_table_t)in->table);
    char path[4096];
    const char *base = NULL;
    in->seq = in->rows = 0;
    in->crc = 0;
    in->prev_len = 0; /* another file, maybe another column order */
    in->reference = def->reference;
    in->population = kh_schema_is_population((kh_table_t)in->table);
    in->file = def->name;
    int rc = find_file(in->st, dir, in->table, path, sizeof path, &base);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        rc = send_eot(in, 0, 0);
        return rc == KH_E_STAGE ? rc : 0;
    }
    in->file = base;
    kh_tabread_t *rd = NULL;
    rc = kh_tabread_open((kh_table_t)in->table, path, line_limit, max_bytes, &in->raw->meta, &rd);
    if (rc)
        return reader_failed(in->st, &rd);
    in->rd = rd;
    in->ranged = !kh_source_is_gzip(kh_tabread_source(rd));
    in->range_off = 0;
    in->range_line = 0;
    in->line_limit = kh_csvsplit_limit(line_limit);
    for (;;) {
        size_t got = 0;
        rc = kh_tabread_read(rd, buf, READ_CHUNK, &got);
        if (rc)
            return reader_failed(in->st, &rd);
        if (got == 0)
            break;
        in->st->stats.tables[in->table].bytes_read = kh_source_disk_done(kh_tabread_source(rd));
        kh_stage_busy_begin(in->st);
        /* libdeflate's CRC-32 (the same as zlib's) is twice as fast */
        in->crc = libdeflate_crc32(in->crc, buf, got);
        rc = kh_tabread_feed(rd, buf, got, on_record, in);
        kh_stage_busy_end(in->st);
        if (rc == KH_E_INTERRUPTED)
            break;
        if (rc == KH_E_STAGE) { /* a send failed */
            kh_tabread_destroy(&rd);
            return rc;
        }
        if (rc)
            return reader_failed(in->st, &rd);
    }
    if (!kh_stage_stopping) {
        rc = kh_tabread_feed(rd, NULL, 0, on_record, in);
        if (rc == KH_E_STAGE) {
            kh_tabread_destroy(&rd);
            return rc;
        }
        if (rc && rc != KH_E_INTERRUPTED)
            return reader_failed(in->st, &rd);
    }
    uint64_t bytes = kh_source_disk_size(kh_tabread_source(rd));
    /* the last batch runs to the end of the file */
    rc = kh_stage_stopping ? 0 : flush_batch(in, kh_source_bytes_out(kh_tabread_source(rd)), 0);
    if (!kh_stage_stopping && rc == 0) {
        rc = send_eot(in, 1, bytes);
        kh_info("table_sent file=%s batches=%llu rows=%llu bytes=%llu", base,
                (unsigned long long)in->seq, (unsigned long long)in->rows,
                (unsigned long long)bytes);
    }
    kh_tabread_destroy(&rd);
    in->rd = NULL;
    return rc == KH_E_STAGE ? rc : 0;
}

/* Header check of every file before anything is sent: a missing required
 * file or column then fails the run before any row moves. Returns 0 or
 * KH_E_STAGE. */
static int precheck(kh_stage_t *st, const char *dir, size_t line_limit, uint64_t max_bytes,
                    char *buf)
{
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        char path[4096];
        const char *base = NULL;
        int found = find_file(st, dir, t, path, sizeof path, &base);
        if (found < 0)
            return found;
        if (!found)
            continue;
        kh_tablemeta_t meta;
        kh_tabread_t *rd = NULL;
        if (kh_tabread_open((kh_table_t)t, path, line_limit, max_bytes, &meta, &rd) != 0)
            return reader_failed(st, &rd);
        int rc = 0;
        while (rc == 0 && !kh_tabread_has_header(rd)) {
            size_t got = 0;
            if (kh_tabread_read(rd, buf, 64 * 1024, &got) != 0)
                return reader_failed(st, &rd);
            rc = kh_tabread_feed(rd, buf, got, NULL, NULL);
            if (got == 0)
                break;
        }
        if (rc)
            return reader_failed(st, &rd);
        kh_tabread_destroy(&rd);
    }
    return 0;
}

int main(int argc, char **argv)
{
    kh_stage_t st;
    kh_stage_init(&st, kh_topology_stage_name(KH_STAGE_INGEST));
    const char *extracts = NULL;
    uint64_t line_limit = 0, max_bytes = 0;
    const kh_stage_opt_t own[] = {
        KH_OPT_STRING_REQUIRED("extracts", &extracts, "the extract directory"),
        KH_OPT_UINT64("line-limit", &line_limit, 0, SIZE_MAX, "the longest record, in bytes"),
        KH_OPT_UINT64("max-file-bytes", &max_bytes, 0, UINT64_MAX,
                      "the largest file, in bytes"),
        KH_OPT_END};
    int status = kh_stage_begin(&st, argc, argv, own, usage);
    if (status >= 0)
        return status;
    ingest_t in;
    memset(&in, 0, sizeof in);
    in.st = &st;
    /* Every validator must be connected before the first batch, or the
     * first to connect would take them all: watch before binding. */
    in.out = kh_stage_socket(&st, ZMQ_PUSH, NULL, 1);
    in.acks = in.out ? kh_stage_socket(&st, ZMQ_PULL, kh_topology_endpoint(KH_EP_INGEST_ACK), 1)
                     : NULL;
    if (!in.acks)
        return kh_stage_finish(&st); /* failed */
    void *mon = kh_sock_watch(in.out, 1);
    char ep[256];
    int rc = 0;
    if (!mon || kh_sock_endpoint(ep, sizeof ep, st.dir, kh_topology_endpoint(KH_EP_INGEST_OUT)) != 0 ||
        zmq_bind(in.out, ep) != 0) {
        kh_sock_unwatch(in.out, &mon); /* first: failing ends the context */
        rc = kh_stage_fail(&st, "cannot bind the socket to the validators");
    }
    if (rc)
        return kh_stage_finish(&st);
    int unlimited = 0;
    zmq_setsockopt(in.acks, ZMQ_RCVHWM, &unlimited, sizeof unlimited);
    in.raw = kh_raw_new();
    in.scope = kh_scope_new();
    kh_stage_state(&st, KH_ST_WAITING);
    if (kh_sock_wait_peers(in.out, &mon, st.workers, 1, 30000) != 0)
        rc = kh_stage_fail(&st, "not every validator connected within 30 seconds");
    char *buf = NULL;
    if (rc == 0) {
        kh_stage_state(&st, KH_ST_WORKING);
        kh_stage_keep_heap();
        buf = kh_xmalloc(READ_CHUNK);
        rc = precheck(&st, extracts, line_limit, max_bytes, buf);
    }
    for (int t = 0; rc == 0 && t < KH_TAB_COUNT && !kh_stage_stopping; t++) {
        if (t == KH_TAB_BOSATTE) {
            /* the linker fixes who is in scope once it has everything before */
            if ((rc = drain_acks(&in, 0)) != 0)
                break;
        }
        in.table = t;
        in.flagged = 0;
        if ((rc = read_table(&in, extracts, line_limit, max_bytes, buf)) != 0)
            break;
        if (t == KH_TAB_F_INTRO) {
            kh_scope_finish(in.scope);
            kh_debug("scope_superset ids=%zu", kh_scope_size(in.scope));
        } else if (in.flagged) {
            kh_debug("out_of_scope_flagged table=%s rows=%llu", kh_schema_table((kh_table_t)t)->name,
                     (unsigned long long)in.flagged);
        }
    }
    if (rc == 0) {
        kh_stage_state(&st, KH_ST_DRAINING);
        kh_fault_point("finish");
        rc = drain_acks(&in, 0);
    }
    for (int i = 0; i < in.npending; i++)
        free(in.pending[i].copy.data);
    free(buf);
    kh_raw_destroy(&in.raw);
    if (in.ids) /* raw ids: wiped before the memory goes back */
        memset(in.ids, 0, in.idcap * sizeof *in.ids);
    memset(in.prev, 0, sizeof in.prev);
    in.prev_id = 0;
    free(in.ids);
    free(in.idrows);
    free(in.idruns);
    free(in.excluded);
    kh_scope_destroy(&in.scope);
    return kh_stage_finish(&st);
}
