/* main.c - kohort-sink: the only writer of indicators to the store.
 *
 * Quarantines rejected rows as they arrive (one transaction for the
 * messages that are waiting, see pending_t),
 * collects the indicator tables (the run's year whole, and the tables of
 * other years that step 7.4 changed), the reference figures and the run's
 * ledger, and commits them in one transaction once every rejected row the
 * ledger announces has arrived. Then it tells `kohort run` (RESULT). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <zmq.h>

#include "proto/defaults.h"
#include "proto/err.h"
#include "proto/fault.h"
#include "proto/log.h"
#include "proto/msg.h"
#include "proto/sock.h"
#include "proto/stage.h"
#include "proto/store.h"
#include "proto/topology.h"
#include "proto/util.h"

typedef struct {
    kh_indrow_t *rows;
    size_t n, cap;
    int started, complete;
} indtable_t;

/* The tables of one reference year as they arrive. */
typedef struct {
    int year;
    indtable_t t[KH_IND_COUNT];
} yeartables_t;

static yeartables_t *year_tables(yeartables_t **years, size_t *nyears, int year)
{
    for (size_t i = 0; i < *nyears; i++)
        if ((*years)[i].year == year)
            return &(*years)[i];
    *years = kh_xrealloc(*years, (*nyears + 1) * sizeof **years);
    yeartables_t *y = &(*years)[(*nyears)++];
    memset(y, 0, sizeof *y);
    y->year = year;
    return y;
}

/* 1 when the run's year is complete and the other years are exactly the
 * ones the ledger names, each with every table it started complete; 0 when
 * something is still to come; -year for rows of a year the ledger does not
 * name (the aggregator sends its ledger after every row, so it never
 * comes). */
static int years_ready(const yeartables_t *years, size_t nyears, const kh_ledger_t *ledger)
{
    size_t others = 0;
    for (size_t i = 0; i < nyears; i++) {
        const yeartables_t *y = &years[i];
        int named = y->year == ledger->ref_year;
        for (uint32_t j = 0; !named && j < ledger->nchanged_years; j++)
            named = ledger->changed_years[j] == y->year;
        if (!named)
            return -y->year;
        others += y->year != ledger->ref_year;
        for (int t = 0; t < KH_IND_COUNT; t++)
            if (y->year == ledger->ref_year ? !y->t[t].complete
                                            : y->t[t].started && !y->t[t].complete)
                return 0;
    }
    for (size_t i = 0; i < nyears; i++)
        if (years[i].year == ledger->ref_year)
            return others == ledger->nchanged_years;
    return 0;
}

/* Rejected rows wait here until PENDING_MIN of them have come and no
 * further message is ready (or PENDING_MAX have come), so that one LMDB
 * transaction (one sync) takes many messages instead of one each: a
 * national run's 600 000 rejected rows took 880 syncs when each quiet
 * moment wrote what had come. Once the run's ledger is in, or the stage
 * stops, whatever waits is written at once: a failed run's quarantine is
 * kept too. Rows of a table keep their file name; all tables' rows go in
 * one transaction. */
#define PENDING_MIN 16384u
#define PENDING_MAX 65536u
typedef struct {
    kh_rejects_t t[KH_TAB_COUNT];
    uint32_t n;
} pending_t;

static void pending_add(pending_t *p, int table, const kh_rejects_t *rej)
{
    kh_rejects_t *to = &p->t[table];
    if (to->n == 0)
        snprintf(to->file, sizeof to->file, "%s", rej->file);
    for (uint32_t i = 0; i < rej->n; i++)
        *kh_rejects_add(to) = rej->items[i];
    p->n += rej->n;
}

/* Writes what waits; adds each table's newly quarantined rows to `added`.
 * Returns 0, or KH_E_STAGE when the write failed (the stage has failed). */
static int pending_flush(kh_stage_t *st, kh_store_t *store, pending_t *p,
                         uint64_t added[KH_TAB_COUNT])
{
    if (p->n == 0)
        return 0;
    uint32_t n[KH_TAB_COUNT] = {0};
    int rc = kh_store_put_rejects(store, st->run, p->t, n);
    if (rc)
        return kh_stage_fail(st, "cannot write the quarantine: %s%s", kh_strerror(rc),
                             rc == KH_E_MAP_FULL ? " (see --store-max-bytes)" : "");
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        if (p->t[t].n)
            kh_debug("quarantined table=%d rows=%u new=%u", t, p->t[t].n, n[t]);
        added[t] += n[t];
        p->t[t].n = 0;
    }
    p->n = 0;
    return 0;
}

/* 1 when a message is ready on `sock` now. */
static int message_ready(void *sock)
{
    zmq_pollitem_t item = {sock, 0, ZMQ_POLLIN, 0};
    return zmq_poll(&item, 1, 0) > 0;
}

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static const char usage[] =
    "usage: kohort-sink --run ID --dir DIR --store DIR [--started-ms T] [--min-cell K]\n"
    "       [--store-max-bytes N] [--allow-shrink]\n"
    "Started by `kohort run`; writes the store.\n";

typedef struct {
    int ref_year;
    uint64_t placed;
    int found;
} stored_year_t;

static int stored_year_cb(void *ctx, const kh_runrec_t *rec)
{
    stored_year_t *y = ctx;
    if (!rec->ok || rec->ledger.ref_year != y->ref_year)
        return 0;
    y->placed = rec->ledger.placed;
    y->found = 1;
    return KH_STOP;
}

/* A run that would replace a stored year with nobody placed, or with fewer
 * than half the persons the stored year's run placed, is far more likely a
 * broken extract than a real change: it fails unless --allow-shrink.
 * Returns 0, or KH_E_STAGE when the stage failed so. */
static int check_shrink(kh_stage_t *st, kh_store_t *store, const kh_ledger_t *l)
{
    stored_year_t y = {l->ref_year, 0, 0};
    kh_store_each_run(store, stored_year_cb, &y);
    if (!y.found)
        return 0;
    if (l->placed == 0 || l->placed * 2 < y.placed)
        return kh_stage_fail(st, "the run would replace reference year %d, whose stored run "
                             "placed %llu persons, with %llu placed; the store is unchanged "
                             "(check the extract, or give --allow-shrink if the shrink is real)",
                             l->ref_year, (unsigned long long)y.placed,
                             (unsigned long long)l->placed);
    return 0;
}

static void add_rows(indtable_t *t, const kh_msg_t *m)
{
    if (t->n + m->nindrows > t->cap) {
        t->cap = (t->n + m->nindrows) * 2;
        t->rows = kh_xrealloc(t->rows, t->cap * sizeof *t->rows);
    }
    if (m->nindrows)
        memcpy(t->rows + t->n, m->indrows, m->nindrows * sizeof *t->rows);
    t->n += m->nindrows;
    t->started = 1;
    if (m->last)
        t->complete = 1;
}

/* What the sink holds until it commits. */
typedef struct {
    kh_store_t *store;
    uint64_t started_ms;
    int min_cell, allow_shrink;
    yeartables_t *years;
    size_t nyears;
    uint64_t rejects[KH_TAB_COUNT];
    kh_ledger_t ledger;
    kh_refdata_t ref;
    int have_ledger, have_ref;
    pending_t pending;
    void *in;                       /* to see whether more messages wait */
} sink_t;

/* 1 when everything the ledger announces is in, 0 when not yet;
 * KH_E_STAGE, failing the stage, when the counts can no longer reconcile. */
static int ready_to_commit(kh_stage_t *st, const sink_t *sk)
{
    int ready = sk->have_ledger ? years_ready(sk->years, sk->nyears, &sk->ledger) : 0;
    if (ready < 0)
        return kh_stage_fail(st, "counts do not reconcile: indicator rows of reference year %d "
                             "that the run's ledger does not name", -ready);
    ready = ready && sk->have_ref;
    for (int t = 0; ready && t < KH_TAB_COUNT; t++) {
        if (sk->rejects[t] > sk->ledger.tables[t].rejected)
            return kh_stage_fail(st, "counts do not reconcile: %s has %llu quarantined rows "
                                 "but %llu rejected", kh_schema_table((kh_table_t)t)->name,
                                 (unsigned long long)sk->rejects[t],
                                 (unsigned long long)sk->ledger.tables[t].rejected);
        ready = sk->rejects[t] == sk->ledger.tables[t].rejected;
    }
    if (!ready && sk->have_ledger)
        for (int t = 0; t < KH_TAB_COUNT; t++)
            if (sk->rejects[t] != sk->ledger.tables[t].rejected)
                kh_debug("waiting table=%s quarantined=%llu rejected=%llu",
                         kh_schema_table((kh_table_t)t)->name,
                         (unsigned long long)sk->rejects[t],
                         (unsigned long long)sk->ledger.tables[t].rejected);
    return ready;
}

/* The run's one transaction: its record, its year's tables, the other
 * years 7.4 changed and the reference figures; then RESULT. Returns 0, or
 * KH_E_STAGE when the stage failed (nothing committed, unless RESULT
 * could not be sent). */
static int commit(kh_stage_t *st, sink_t *sk)
{
    st->stats.state = KH_ST_DRAINING;
    kh_runrec_t rec;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.run, sizeof rec.run, "%s", st->run);
    rec.started_ms = (int64_t)sk->started_ms;
    rec.finished_ms = now_ms();
    rec.ok = 1;
    rec.min_cell = sk->min_cell;
    rec.ledger = sk->ledger;
    kh_indrow_t *rows[KH_IND_COUNT];
    size_t nrows[KH_IND_COUNT];
    kh_store_year_t *others = kh_xcalloc(sk->nyears, sizeof *others);
    size_t nothers = 0;
    for (size_t i = 0; i < sk->nyears; i++) {
        const yeartables_t *y = &sk->years[i];
        kh_store_year_t *o = y->year == sk->ledger.ref_year ? NULL : &others[nothers++];
        if (o)
            o->ref_year = y->year;
        for (int t = 0; t < KH_IND_COUNT; t++) {
            if (!o) {
                rows[t] = y->t[t].rows;
                nrows[t] = y->t[t].n;
            } else if (y->t[t].started) {
                o->replace[t] = 1;
                o->rows[t] = y->t[t].rows;
                o->nrows[t] = y->t[t].n;
            }
        }
    }
    if (!sk->allow_shrink && check_shrink(st, sk->store, &sk->ledger) != 0) {
        free(others);
        return KH_E_STAGE;
    }
    kh_fault_point("commit");
    if (kh_fault_hit("enospc"))
        kh_store_fault_next_commit(-ENOSPC);
    int rc = kh_store_commit(sk->store, &rec, rows, nrows, &sk->ref, others, nothers);
    free(others);
    if (rc)
        return kh_stage_fail(st, "cannot write the store: %s%s", kh_strerror(rc),
                             rc == KH_E_MAP_FULL ? " (see --store-max-bytes)" : "");
    kh_fault_point("committed"); /* dead after the commit, before RESULT */
    kh_info("committed ref_year=%d exit_rows=%zu status_rows=%zu cost_rows=%zu "
            "other_years=%zu suppressed_elsewhere=%llu", sk->ledger.ref_year, nrows[0], nrows[1],
            nrows[2], nothers, (unsigned long long)sk->ledger.suppressed_elsewhere);
    kh_env_t env;
    kh_packed_t p;
    kh_stage_env(st, &env, KH_MSG_RESULT, -1, 0);
    kh_msg_pack_result(&p, &env, 1, "", &sk->ledger);
    return kh_stage_send(st, st->stats_sock, &p) == KH_E_STAGE ? KH_E_STAGE : 0;
}

/* One message in; after each, the check whether everything is in (then the
 * commit, and done). Only the message itself counts as busy time. */
static int on_message(kh_stage_t *st, kh_msg_t *m, void *ctx)
{
    sink_t *sk = ctx;
    switch (m->env.kind) {
    case KH_MSG_REJECTS:
        pending_add(&sk->pending, m->env.table, &m->rejects);
        st->stats.tables[m->env.table].batches_in++;
        st->stats.tables[m->env.table].rows_in += m->rejects.n;
        break;
    case KH_MSG_INDROWS:
        add_rows(&year_tables(&sk->years, &sk->nyears, m->ref_year)->t[m->env.table], m);
        break;
    case KH_MSG_REFDATA:
        kh_refdata_free(&sk->ref);
        sk->ref = m->ref;
        memset(&m->ref, 0, sizeof m->ref);
        sk->have_ref = 1;
        break;
    case KH_MSG_LEDGER:
        sk->ledger = m->ledger;
        sk->have_ledger = 1;
        break;
    default:
        return kh_stage_fail(st, "unexpected message kind %d", m->env.kind);
    }
    if (sk->pending.n &&
        (sk->pending.n >= PENDING_MAX ||
         ((sk->pending.n >= PENDING_MIN || sk->have_ledger) && !message_ready(sk->in))) &&
        pending_flush(st, sk->store, &sk->pending, sk->rejects) != 0)
        return KH_E_STAGE;
    kh_stage_busy_end(st);
    if (sk->pending.n)
        return KH_STAGE_CONTINUE; /* its counts are not in yet */
    int ready = ready_to_commit(st, sk);
    if (ready <= 0)
        return ready; /* KH_STAGE_CONTINUE, or failed */
    int rc = commit(st, sk);
    return rc ? rc : KH_STAGE_DONE;
}

int main(int argc, char **argv)
{
    kh_stage_t st;
    kh_stage_init(&st, kh_topology_stage_name(KH_STAGE_SINK));
    sink_t *sk = kh_xcalloc(1, sizeof *sk);
    const char *store_path = NULL;
    uint64_t max_bytes = 0;
    sk->started_ms = (uint64_t)now_ms();
    sk->min_cell = KH_DEFAULT_MIN_CELL;
    const kh_stage_opt_t own[] = {
        KH_OPT_STRING_REQUIRED("store", &store_path, "the store's directory"),
        KH_OPT_UINT64("started-ms", &sk->started_ms, 0, INT64_MAX,
                      "when the run started, in ms since 1970"),
        KH_OPT_INT("min-cell", &sk->min_cell, 0, KH_MAX_MIN_CELL, "the smallest count shown"),
        KH_OPT_UINT64("store-max-bytes", &max_bytes, 0, UINT64_MAX,
                      "the largest size of the store"),
        KH_OPT_FLAG("allow-shrink", &sk->allow_shrink, "let a year shrink by half or more"),
        KH_OPT_END};
    int status = kh_stage_begin(&st, argc, argv, own, usage);
    if (status >= 0) {
        free(sk);
        return status;
    }
    int rc = kh_store_open(store_path, 1, max_bytes, &sk->store);
    if (rc)
        rc = kh_stage_fail(&st, "cannot open the store: %s", kh_strerror(rc));
    void *in = rc ? NULL : kh_stage_socket(&st, ZMQ_PULL, kh_topology_endpoint(KH_EP_SINK), 1);
    if (in) { /* else the stage failed */
        sk->in = in;
        int unlimited = 0;
        zmq_setsockopt(in, ZMQ_RCVHWM, &unlimited, sizeof unlimited);
        kh_stage_state(&st, KH_ST_READY);
        kh_stage_run(&st, in, on_message, sk);
        /* stopped (a failed run): what waits is part of its quarantine */
        if (sk->pending.n && !st.failed &&
            pending_flush(&st, sk->store, &sk->pending, sk->rejects) != 0)
            kh_warn("the last %u rejected rows could not be quarantined", sk->pending.n);
    }
    for (size_t i = 0; i < sk->nyears; i++)
        for (int t = 0; t < KH_IND_COUNT; t++)
            free(sk->years[i].t[t].rows);
    free(sk->years);
    kh_refdata_free(&sk->ref);
    for (int t = 0; t < KH_TAB_COUNT; t++)
        kh_rejects_free(&sk->pending.t[t]);
    kh_store_close(&sk->store);
    free(sk);
    return kh_stage_finish(&st);
}
