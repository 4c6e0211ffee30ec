/* validate_main.c - kohort-validate: applies the row rules of extracts.md.
 *
 * Pulls raw batches from ingest (RAW: the records; RANGE: where they lie in
 * a plain extract file, read here by rangeread.c), splits each record into
 * fields (csvfield.c) and checks it (rules.c). Accepted rows go on as one
 * typed batch per input batch, same sequence number, to an anonymiser;
 * rejected rows go to the sink's quarantine with file, line, column, reason
 * and masked value. Stateless between batches (an open file is only a
 * cache), so any number of validators can run. */
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
#include "proto/reason.h"
#include "proto/sock.h"
#include "proto/stage.h"
#include "proto/topology.h"
#include "proto/util.h"
#include "transform/rangeread.h"
#include "transform/rules.h"
#include "transform/validate.h"

static const char usage[] =
    "usage: kohort-validate --run ID --dir DIR --worker I --workers N\n"
    "       [--extracts DIR] [--allow-synthetic-ids] [--id-rule-2032]\n"
    "Started by `kohort run`.\n";

typedef struct {
    kh_validate_t *v;
    void *out, *sink;
    kh_rangeread_t *files;      /* RANGE batches' files; NULL without --extracts */
} validator_t;

static void judge(void *ctx, const char *data, size_t len, uint32_t line, uint8_t flags)
{
    kh_validate_record(ctx, data, len, line, flags);
}

/* Judges a RANGE batch's records as they are read from its file. Returns 0,
 * or KH_E_STAGE (failed) when they cannot be read as ingest split them. */
static int judge_range(kh_stage_t *st, validator_t *vd, const kh_range_t *range)
{
    char why[KH_REASON_MAX];
    if (!vd->files)
        return kh_stage_fail(st, "a batch of %s lies in its file, but no --extracts was given",
                             range->meta.file);
    if (kh_rangeread_each(vd->files, range, judge, vd->v, why, sizeof why) != 0)
        return kh_stage_fail(st, "%s", why);
    return 0;
}

/* One raw batch in: its rejects to the quarantine, then its rows on; an
 * end-of-table message passes through. */
static int on_message(kh_stage_t *st, kh_msg_t *m, void *ctx)
{
    validator_t *vd = ctx;
    kh_packed_t p;
    int have_rejects = 0;
    kh_packed_t prej;
    if (m->env.kind == KH_MSG_RAW || m->env.kind == KH_MSG_RANGE) {
        const kh_tablemeta_t *meta = m->range ? &m->range->meta : &m->raw->meta;
        uint32_t nrows = m->range ? m->range->nrows : m->raw->nrows;
        kh_table_t table = (kh_table_t)m->env.table;
        kh_tablestats_t *ts = &st->stats.tables[table];
        kh_rows_t *rows = kh_rows_new(table, nrows + 1);
        kh_rejects_t rej;
        kh_rejects_init(&rej, meta->file);
        int rc = 0;
        if (m->range) {
            kh_validate_begin(vd->v, table, meta, rows, &rej);
            rc = judge_range(st, vd, m->range);
            kh_validate_end(vd->v);
        } else {
            kh_validate_batch(vd->v, table, m->raw, rows, &rej);
        }
        if (rc != 0) {
            kh_rows_destroy(&rows);
            kh_rejects_free(&rej);
            return KH_STAGE_DONE;
        }
        kh_env_t env = m->env;
        env.kind = KH_MSG_ROWS;
        kh_msg_pack_rows(&p, &env, meta, rows, rej.n);
        if (rej.n) {
            env.kind = KH_MSG_REJECTS;
            kh_msg_pack_rejects(&prej, &env, &rej);
            have_rejects = 1;
        }
        ts->batches_in++;
        ts->rows_in += nrows;
        ts->batches_out++;
        ts->rows_out += rows->nrows + rows->dropped; /* the dropped are carried as a count */
        ts->rows_rejected += rej.n;
        kh_rows_destroy(&rows);
        kh_rejects_free(&rej);
    } else if (m->env.kind == KH_MSG_EOT) {
        kh_msg_pack_eot(&p, &m->env, &m->eot);
    } else {
        return kh_stage_fail(st, "unexpected message kind %d", m->env.kind);
    }
    kh_stage_busy_end(st); /* waiting on a full peer is not work */
    /* rejects first: the quarantine must hold them before the linker can
     * count the batch as complete */
    if (have_rejects && kh_stage_send(st, vd->sink, &prej) != 0) {
        free(p.data);
        return KH_STAGE_DONE; /* stopped, or failed (kh_stage_finish knows) */
    }
    if (kh_stage_send(st, vd->out, &p) != 0)
        return KH_STAGE_DONE;
    return KH_STAGE_CONTINUE;
}

int main(int argc, char **argv)
{
    kh_stage_t st;
    kh_stage_init(&st, kh_topology_stage_name(KH_STAGE_VALIDATE));
    kh_rules_opts_t opts = {0, 0};
    const char *extracts = NULL;
    const kh_stage_opt_t own[] = {
        KH_OPT_STRING("extracts", &extracts,
                      "the extract directory, where batches sent as ranges are read"),
        KH_OPT_FLAG("allow-synthetic-ids", &opts.allow_synthetic,
                    "accept synthetic test ids (month + 80)"),
        KH_OPT_FLAG("id-rule-2032", &opts.rule_2032, "accept the 2032 first-check-digit rule"),
        KH_OPT_END};
    int status = kh_stage_begin(&st, argc, argv, own, usage);
    if (status >= 0)
        return status;
    validator_t vd;
    void *in = kh_stage_socket(&st, ZMQ_PULL, kh_topology_endpoint(KH_EP_INGEST_OUT), 0);
    vd.sink = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_SINK), 0);
    /* Batches go round-robin to the anonymisers that are connected: watch
     * the connections from the start and wait for all of them, so that none
     * is flooded at the start. */
    vd.out = kh_stage_socket(&st, ZMQ_PUSH, NULL, 0);
    if (!in || !vd.sink || !vd.out)
        return kh_stage_finish(&st); /* failed */
    void *mon = kh_sock_watch(vd.out, 0);
    int rc = mon ? 0 : kh_stage_fail(&st, "cannot watch the anonymiser connections");
    for (int i = 0; rc == 0 && i < st.workers; i++) {
        char ep[256], name[32];
        kh_topology_worker_endpoint(KH_EP_ANON, i, name, sizeof name);
        if (kh_sock_endpoint(ep, sizeof ep, st.dir, name) != 0 ||
            kh_sock_connect(vd.out, ep) != 0) {
            kh_sock_unwatch(vd.out, &mon); /* first: failing ends the context */
            rc = kh_stage_fail(&st, "cannot connect to %s", name);
        }
    }
    /* it stops watching before it returns */
    if (rc == 0 && kh_sock_wait_peers(vd.out, &mon, st.workers, 0, 30000) != 0)
        rc = kh_stage_fail(&st, "not every anonymiser could be reached within 30 seconds");
    if (rc)
        return kh_stage_finish(&st);
    kh_stage_state(&st, KH_ST_READY);

    kh_stage_keep_heap();
    vd.v = kh_validate_new(&opts);
    vd.files = extracts ? kh_rangeread_new(extracts) : NULL;
    st.idle_waits = 1;
    kh_stage_run(&st, in, on_message, &vd);
    kh_validate_destroy(&vd.v);
    kh_rangeread_destroy(&vd.files);
    return kh_stage_finish(&st);
}
