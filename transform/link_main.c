/* link_main.c - kohort-link: the stateful middle of the pipeline.
 *
 * Pulls pseudonymised batches from every anonymiser, drops duplicates by
 * sequence number, acknowledges each batch to ingest, and counts per table
 * so that a table is complete once its end-of-table message and every batch
 * it announced are in, however the workers interleaved. The linking itself
 * is link.c. At the end: the linker's rejects to the sink, and the ledger,
 * reference rows (with the municipalities' names, which the aggregator only
 * passes on to the sink) and person facts to the aggregator. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "proto/err.h"
#include "proto/fault.h"
#include "proto/log.h"
#include "proto/msg.h"
#include "proto/sock.h"
#include "proto/stage.h"
#include "proto/topology.h"
#include "proto/util.h"
#include "transform/link.h"

#define PERSONS_PER_MSG 8192
#define REJECTS_PER_MSG 8192

typedef struct {
    uint8_t *seen;            /* one byte per sequence number */
    uint64_t seen_cap;
    uint64_t batches, accepted, rejected;
    int have_eot, complete;
    kh_eot_t eot;
    kh_tablemeta_t meta;
    int have_meta;
} tablestate_t;

static const char usage[] =
    "usage: kohort-link --run ID --dir DIR [--ref-year R] [--cohorts FROM-TO]\n"
    "Started by `kohort run`.\n";

/* 1 when seq was seen before; records it otherwise. */
static int seen_before(tablestate_t *ts, uint64_t seq)
{
    if (seq >= ts->seen_cap) {
        uint64_t cap = ts->seen_cap ? ts->seen_cap : 64;
        while (cap <= seq)
            cap *= 2;
        ts->seen = kh_xrealloc(ts->seen, cap);
        memset(ts->seen + ts->seen_cap, 0, cap - ts->seen_cap);
        ts->seen_cap = cap;
    }
    if (ts->seen[seq])
        return 1;
    ts->seen[seq] = 1;
    return 0;
}

/* Returns kh_stage_send()'s code. */
static int ack(kh_stage_t *st, void *acks, int table, uint64_t seq, int eot)
{
    kh_env_t env;
    kh_packed_t p;
    kh_stage_env(st, &env, KH_MSG_ACK, table, seq);
    kh_msg_pack_ack(&p, &env, eot);
    return kh_stage_send(st, acks, &p);
}

/* Returns 0, or KH_E_STAGE when a send failed the stage. */
static int send_rejects(kh_stage_t *st, void *sink, const kh_link_t *link,
                         const tablestate_t *tables)
{
    size_t n;
    const kh_link_reject_t *rej = kh_link_rejects(link, &n);
    size_t i = 0;
    while (i < n) {
        int t = rej[i].table;
        const kh_tablemeta_t *meta = &tables[t].meta;
        kh_rejects_t batch;
        kh_rejects_init(&batch, tables[t].eot.file[0] ? tables[t].eot.file : meta->file);
        while (i < n && (int)rej[i].table == t && batch.n < REJECTS_PER_MSG) {
            kh_rejected_t *r = kh_rejects_add(&batch);
            r->line = rej[i].line;
            r->reason = rej[i].reason;
            if (rej[i].column >= 0 && rej[i].column < KH_MAX_COLS)
                snprintf(r->column, sizeof r->column, "%s", meta->colname[rej[i].column]);
            i++;
        }
        kh_env_t env;
        kh_packed_t p;
        kh_stage_env(st, &env, KH_MSG_REJECTS, t, 0);
        kh_msg_pack_rejects(&p, &env, &batch);
        kh_rejects_free(&batch);
        if (kh_stage_send(st, sink, &p) == KH_E_STAGE)
            return KH_E_STAGE;
    }
    return 0;
}

/* The ledger, the reference rows and the persons, to the aggregator.
 * Returns 0, or KH_E_STAGE when a send failed the stage. */
static int send_results(kh_stage_t *st, void *agg, const kh_link_t *link,
                        const tablestate_t *tables)
{
    const kh_link_counts_t *c = kh_link_counts(link);
    kh_ledger_t ledger;
    memset(&ledger, 0, sizeof ledger);
    ledger.ref_year = c->ref_year;
    ledger.cohort_from = c->cohort_from;
    ledger.cohort_to = c->cohort_to;
    ledger.participants = c->participants;
    ledger.placed = c->placed;
    ledger.no_home = c->no_home;
    ledger.ambiguous_kommune = c->ambiguous_kommune;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const tablestate_t *ts = &tables[t];
        kh_tablecount_t *tc = &ledger.tables[t];
        tc->present = ts->eot.present;
        tc->batches = ts->eot.batches;
        tc->read = ts->eot.rows;
        tc->bytes = ts->eot.bytes;
        tc->crc32 = ts->eot.crc32;
        tc->accepted = ts->accepted - c->rejected[t];
        tc->rejected = ts->rejected + c->rejected[t];
        tc->out_of_scope = c->out_of_scope[t];
        snprintf(tc->file, sizeof tc->file, "%s", ts->eot.file);
    }
    kh_env_t env;
    kh_packed_t p;
    kh_stage_env(st, &env, KH_MSG_LEDGER, -1, 0);
    kh_msg_pack_ledger(&p, &env, &ledger);
    if (kh_stage_send(st, agg, &p) == KH_E_STAGE)
        return KH_E_STAGE;

    kh_stage_env(st, &env, KH_MSG_REFDATA, -1, 0);
    kh_msg_pack_refdata(&p, &env, kh_link_refdata(link));
    if (kh_stage_send(st, agg, &p) == KH_E_STAGE)
        return KH_E_STAGE;

    size_t np;
    const kh_person_t *persons = kh_link_persons(link, &np);
    size_t sent = 0;
    uint64_t seq = 0;
    do {
        size_t chunk = np - sent > PERSONS_PER_MSG ? PERSONS_PER_MSG : np - sent;
        kh_stage_env(st, &env, KH_MSG_PERSONS, -1, seq++);
        kh_msg_pack_persons(&p, &env, persons + sent, (uint32_t)chunk, sent + chunk == np);
        if (kh_stage_send(st, agg, &p) == KH_E_STAGE)
            return KH_E_STAGE;
        sent += chunk;
    } while (sent < np);
    return 0;
}

typedef struct {
    kh_link_t *link;
    void *acks;
    tablestate_t tables[KH_TAB_COUNT];
    int ncomplete;
} linker_t;

/* One batch or end-of-table message: a batch seen before (resent) is only
 * acknowledged again; a table is complete once its end and every batch it
 * announced are in. Done when every table is. */
static int on_message(kh_stage_t *st, kh_msg_t *m, void *ctx)
{
    linker_t *lk = ctx;
    int rc;
    int t = m->env.table;
    tablestate_t *ts = &lk->tables[t];
    kh_tablestats_t *tstat = &st->stats.tables[t];
    if (m->env.kind == KH_MSG_ROWS) {
        if (!m->rows->anonymised)
            return kh_stage_fail(st, "a batch of %s reached the linker without pseudonyms",
                                 kh_schema_table((kh_table_t)t)->name);
        if (!seen_before(ts, m->env.seq)) {
            if (ts->complete)
                return kh_stage_fail(st, "a batch of %s arrived after its end",
                                     kh_schema_table((kh_table_t)t)->name);
            rc = kh_link_add(lk->link, m->rows);
            if (rc)
                return kh_stage_fail(st, "the linker cannot take a batch of %s: %s",
                                     kh_schema_table((kh_table_t)t)->name, kh_strerror(rc));
            ts->batches++;
            ts->accepted += m->rows->nrows + m->rows->dropped;
            ts->rejected += m->rejected;
            if (!ts->have_meta) {
                ts->meta = m->meta;
                ts->have_meta = 1;
            }
            tstat->batches_in++;
            tstat->rows_in += m->rows->nrows + m->rows->dropped;
        }
        rc = ack(st, lk->acks, t, m->env.seq, 0);
    } else if (m->env.kind == KH_MSG_EOT) {
        if (!ts->have_eot) {
            ts->have_eot = 1;
            ts->eot = m->eot;
        }
        rc = ack(st, lk->acks, t, m->env.seq, 1);
    } else {
        return kh_stage_fail(st, "unexpected message kind %d", m->env.kind);
    }
    if (rc == KH_E_STAGE)
        return rc;
    if (!ts->complete && ts->have_eot && ts->batches == ts->eot.batches) {
        if (ts->accepted + ts->rejected != ts->eot.rows)
            return kh_stage_fail(st, "counts do not reconcile for %s: read %llu, accepted %llu, "
                                 "rejected %llu", ts->eot.file, (unsigned long long)ts->eot.rows,
                                 (unsigned long long)ts->accepted,
                                 (unsigned long long)ts->rejected);
        rc = kh_link_table_done(lk->link, (kh_table_t)t);
        if (rc)
            return kh_stage_fail(st, "the linker cannot close %s: %s",
                                 kh_schema_table((kh_table_t)t)->name, kh_strerror(rc));
        ts->complete = 1;
        lk->ncomplete++;
        kh_debug("table_complete table=%s batches=%llu rows=%llu",
                 kh_schema_table((kh_table_t)t)->name, (unsigned long long)ts->batches,
                 (unsigned long long)ts->eot.rows);
    }
    return lk->ncomplete == KH_TAB_COUNT ? KH_STAGE_DONE : KH_STAGE_CONTINUE;
}

int main(int argc, char **argv)
{
    kh_stage_t st;
    kh_stage_init(&st, kh_topology_stage_name(KH_STAGE_LINK));
    kh_link_params_t params = {0, 0, 0};
    int cohorts[2] = {0, 0}; /* 0: the default window */
    const kh_stage_opt_t own[] = {
        KH_OPT_INT("ref-year", &params.ref_year, 0, 9999,
                   "the reference year; 0: the newest aar of bosatte"),
        KH_OPT_YEARS("cohorts", cohorts, "the cohort window"),
        KH_OPT_END};
    int status = kh_stage_begin(&st, argc, argv, own, usage);
    if (status >= 0)
        return status;
    params.cohort_from = cohorts[0];
    params.cohort_to = cohorts[1];
    void *in = kh_stage_socket(&st, ZMQ_PULL, kh_topology_endpoint(KH_EP_LINK), 1);
    void *agg = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_AGG), 0);
    void *sink = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_SINK), 0);
    void *acks = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_INGEST_ACK), 0);
    if (!in || !agg || !sink || !acks)
        return kh_stage_finish(&st); /* failed */
    linker_t *lk = kh_xcalloc(1, sizeof *lk);
    lk->acks = acks;
    /* Acknowledgements must never wait on a busy ingest: that would close a
     * cycle of full queues (ingest -> workers -> link -> ingest). */
    int unlimited = 0;
    zmq_setsockopt(lk->acks, ZMQ_SNDHWM, &unlimited, sizeof unlimited);
    kh_stage_state(&st, KH_ST_READY);

    lk->link = kh_link_new(&params);
    tablestate_t *tables = lk->tables;
    int rc = kh_stage_run(&st, in, on_message, lk);
    if (rc == 0 && !kh_stage_stopping) {
        kh_stage_busy_begin(&st);
        kh_stage_state(&st, KH_ST_DRAINING);
        kh_fault_point("finish");
        rc = kh_link_finish(lk->link);
        if (rc == KH_E_USAGE && tables[KH_TAB_BOSATTE].accepted == 0)
            /* no accepted bosatte row: no newest aar, so no reference year */
            rc = kh_stage_fail(&st, "%s has no accepted row (%llu of %llu rejected), so there "
                               "is no reference year",
                               tables[KH_TAB_BOSATTE].eot.file[0] ? tables[KH_TAB_BOSATTE].eot.file
                                                                  : "bosatte.csv",
                               (unsigned long long)tables[KH_TAB_BOSATTE].rejected,
                               (unsigned long long)tables[KH_TAB_BOSATTE].eot.rows);
        else if (rc)
            rc = kh_stage_fail(&st, "the linker cannot finish: %s", kh_strerror(rc));
        if (rc == 0)
            rc = send_rejects(&st, sink, lk->link, tables);
        if (rc == 0)
            rc = send_results(&st, agg, lk->link, tables);
        if (rc == 0) {
            kh_stage_busy_end(&st);
            const kh_link_counts_t *c = kh_link_counts(lk->link);
            for (int t = 0; t < KH_TAB_COUNT; t++)
                st.stats.tables[t].rows_rejected += c->rejected[t];
            kh_info("linked ref_year=%d participants=%llu placed=%llu no_home=%llu "
                    "ambiguous_kommune=%llu", c->ref_year, (unsigned long long)c->participants,
                    (unsigned long long)c->placed, (unsigned long long)c->no_home,
                    (unsigned long long)c->ambiguous_kommune);
        }
    }
    for (int t = 0; t < KH_TAB_COUNT; t++)
        free(tables[t].seen);
    kh_link_destroy(&lk->link);
    free(lk);
    return kh_stage_finish(&st);
}
