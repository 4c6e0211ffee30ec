/* main.c - kohort-aggregate: person facts in, indicator tables out.
 *
 * Receives from the linker the run's ledger (reference year and window),
 * the reference rows and the person facts; computes `exit`, `status` and
 * `cost` with disclosure control (indicators.c, cost.c, disclosure.c),
 * reads the other stored reference years (read-only) for step 7.4
 * (across.c), and hands the run's tables, the other years' tables that 7.4
 * changed, the national series, the municipalities' names and the ledger
 * (with the suppression counts) to the sink. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "aggregate/across.h"
#include "aggregate/indicators.h"
#include "aggregate/protect.h"
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

#define ROWS_PER_MSG 4096

static const char usage[] =
    "usage: kohort-aggregate --run ID --dir DIR [--min-cell K] [--store DIR]\n"
    "Started by `kohort run`; --store is read (never written) for the other\n"
    "reference years that disclosure control must agree with.\n";

/* One (year, table), in chunks; the last chunk says so. Returns 0, or
 * KH_E_STAGE when a send failed the stage. */
static int send_table(kh_stage_t *st, void *out, int year, int t, const kh_indrow_t *rows,
                      size_t n)
{
    size_t sent = 0;
    uint64_t seq = 0;
    do {
        size_t chunk = n - sent > ROWS_PER_MSG ? ROWS_PER_MSG : n - sent;
        kh_env_t env;
        kh_packed_t p;
        kh_stage_env(st, &env, KH_MSG_INDROWS, t, seq++);
        kh_msg_pack_indrows(&p, &env, year, rows + sent, (uint32_t)chunk, sent + chunk == n);
        if (kh_stage_send(st, out, &p) == KH_E_STAGE)
            return KH_E_STAGE;
        sent += chunk;
    } while (sent < n);
    return 0;
}

/* The run's year whole, then every table of another year that 7.4 changed.
 * Returns 0 or KH_E_STAGE, as send_table(). */
static int send_tables(kh_stage_t *st, void *out, const kh_agg_t *agg, int ref_year,
                       const kh_across_t *across)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        size_t n;
        const kh_indrow_t *rows = kh_agg_rows(agg, (kh_indtable_t)t, &n);
        if (send_table(st, out, ref_year, t, rows, n) != 0)
            return KH_E_STAGE;
    }
    for (size_t i = 0; i < kh_across_nyears(across); i++)
        for (int t = 0; t < KH_IND_COUNT; t++) {
            if (!kh_across_changed(across, i, (kh_indtable_t)t))
                continue;
            size_t n;
            const kh_indrow_t *rows = kh_across_rows(across, i, (kh_indtable_t)t, &n);
            if (send_table(st, out, kh_across_year(across, i), t, rows, n) != 0)
                return KH_E_STAGE;
        }
    return 0;
}

typedef struct {
    kh_across_t *across;
    int run_year;
    kh_indtable_t table;
} load_t;

static int load_row(void *ctx, int ref_year, const kh_indrow_t *row)
{
    load_t *l = ctx;
    if (ref_year == l->run_year)
        return 0; /* the run replaces it */
    return kh_across_add_row(l->across, ref_year, l->table, row);
}

/* Reads every other stored year into `across` (nothing when there is no
 * store yet). Returns 0 or a negative code. */
static int load_other_years(const char *store_path, int run_year, kh_across_t *across)
{
    kh_store_t *store = NULL;
    int rc = kh_store_open(store_path, 0, 0, &store);
    if (rc == KH_E_NOTFOUND)
        return 0;
    for (int t = 0; rc == 0 && t < KH_IND_COUNT; t++) {
        load_t l = {across, run_year, (kh_indtable_t)t};
        rc = kh_store_each_row(store, (kh_indtable_t)t, 0, load_row, &l);
    }
    kh_store_close(&store);
    return rc;
}

/* Step 7.4 over the run's year and the stored ones, and the ledger's
 * suppression counts: per table, the base and count cells suppressed by
 * each step (primary + lines + protection + across_years = every such cell
 * of the run's year that is suppressed). Caller owns *out. Returns 0, a
 * negative code, or KH_E_STAGE when the store could not be read (the
 * stage has then failed, saying so). */
static int across_years(kh_stage_t *st, kh_agg_t *agg, const char *store_path, int min_cell,
                        kh_ledger_t *ledger, kh_across_t **out)
{
    uint64_t t0 = kh_now_ns();
    kh_across_t *across = *out = kh_across_new(min_cell);
    kh_indrow_t *rows[KH_IND_COUNT];
    size_t n[KH_IND_COUNT];
    const uint32_t *primary[KH_IND_COUNT];
    for (int t = 0; t < KH_IND_COUNT; t++) {
        rows[t] = kh_agg_rows_mut(agg, (kh_indtable_t)t, &n[t]);
        primary[t] = kh_agg_primary_masks(agg, (kh_indtable_t)t);
    }
    int rc = kh_across_set_run(across, ledger->ref_year, rows, n, primary);
    if (rc == 0 && store_path && min_cell > 0) {
        rc = load_other_years(store_path, ledger->ref_year, across);
        if (rc)
            return kh_stage_fail(st, "cannot read the other reference years of the store: %s",
                                 kh_strerror(rc));
    }
    kh_across_stats_t stats;
    if (rc == 0)
        rc = kh_across_apply(across, &stats);
    if (rc)
        return rc;
    kh_fault_point("across");
    ledger->has_suppression = 1;
    const kh_protect_stats_t *ps = kh_agg_protect_stats(agg);
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!kh_disclosure_spec((kh_indtable_t)t))
            continue;
        size_t cells = kh_across_count((kh_indtable_t)t, rows[t], n[t], NULL);
        size_t first = primary[t] ? kh_across_count((kh_indtable_t)t, rows[t], n[t], primary[t]) : 0;
        size_t lined = kh_agg_lines_cells(agg, (kh_indtable_t)t);
        kh_suppression_t *s = &ledger->suppression[t];
        s->present = 1;
        s->primary = first;
        s->lines = lined - first;
        s->protection = cells - stats.across_years[t] - lined;
        s->across_years = stats.across_years[t];
        s->narrow = stats.r_reprotected ? stats.narrow[t] : ps->narrow[t];
    }
    ledger->suppressed_elsewhere = stats.elsewhere_total;
    ledger->nchanged_years = 0;
    for (size_t i = 0; i < kh_across_nyears(across); i++) {
        int changed = 0;
        for (int t = 0; t < KH_IND_COUNT; t++)
            changed |= kh_across_changed(across, i, (kh_indtable_t)t);
        if (!changed)
            continue;
        if (ledger->nchanged_years == KH_LEDGER_MAX_YEARS)
            return -E2BIG;
        ledger->changed_years[ledger->nchanged_years++] = kh_across_year(across, i);
    }
    kh_info("across years: rounds=%zu other_years=%zu changed=%zu suppressed_elsewhere=%zu "
            "ms=%.1f", stats.rounds, kh_across_nyears(across), stats.changed_years,
            stats.elsewhere_total, (double)(kh_now_ns() - t0) / 1e6);
    return 0;
}

/* What the aggregator holds between messages. */
typedef struct {
    kh_agg_t *agg;
    kh_across_t *across;
    kh_ledger_t ledger;
    kh_refdata_t national;       /* the national series and the names, for the sink */
    const char *store_path;
    int min_cell;
    void *out;
} aggregator_t;

/* The last person facts: the tables, step 7.4, and everything to the sink.
 * Returns 0 or KH_E_STAGE (the stage failed). */
static int finish(kh_stage_t *st, aggregator_t *ag)
{
    kh_fault_point("finish");
    int rc = kh_agg_finish(ag->agg);
    if (rc)
        return kh_stage_fail(st, "cannot compute the indicators: %s", kh_strerror(rc));
    kh_stage_tick(st);
    rc = across_years(st, ag->agg, ag->store_path, ag->min_cell, &ag->ledger, &ag->across);
    if (rc == KH_E_STAGE)
        return rc;
    if (rc)
        return kh_stage_fail(st, "cannot apply disclosure control across reference years: %s",
                             kh_strerror(rc));
    kh_stage_tick(st);
    if (send_tables(st, ag->out, ag->agg, ag->ledger.ref_year, ag->across) != 0)
        return KH_E_STAGE;
    kh_env_t env;
    kh_packed_t p;
    kh_stage_env(st, &env, KH_MSG_REFDATA, -1, 0);
    kh_msg_pack_refdata(&p, &env, &ag->national);
    if (kh_stage_send(st, ag->out, &p) == KH_E_STAGE)
        return KH_E_STAGE;
    kh_stage_env(st, &env, KH_MSG_LEDGER, -1, 0);
    kh_msg_pack_ledger(&p, &env, &ag->ledger);
    return kh_stage_send(st, ag->out, &p) == KH_E_STAGE ? KH_E_STAGE : 0;
}

static int on_message(kh_stage_t *st, kh_msg_t *m, void *ctx)
{
    aggregator_t *ag = ctx;
    int rc = 0;
    if (m->env.kind == KH_MSG_LEDGER && !ag->agg) {
        ag->ledger = m->ledger;
        kh_agg_params_t params = {ag->ledger.ref_year, ag->ledger.cohort_from,
                                  ag->ledger.cohort_to, ag->min_cell};
        ag->agg = kh_agg_new(&params);
        if (!ag->agg)
            return kh_stage_fail(st, "the reference year %d or cohort window %d-%d cannot be used",
                                 ag->ledger.ref_year, ag->ledger.cohort_from,
                                 ag->ledger.cohort_to);
    } else if (m->env.kind == KH_MSG_REFDATA && ag->agg) {
        rc = kh_agg_add_refdata(ag->agg, &m->ref);
        if (rc)
            return kh_stage_fail(st, "a reference figure cannot be used: %s", kh_strerror(rc));
        /* the national series and the names are stored with the indicators */
        kh_refdata_free(&ag->national);
        ag->national.nnational = m->ref.nnational;
        ag->national.national = m->ref.national;
        m->ref.national = NULL;
        ag->national.nnames = m->ref.nnames;
        ag->national.names = m->ref.names;
        m->ref.names = NULL;
    } else if (m->env.kind == KH_MSG_PERSONS && ag->agg) {
        for (uint32_t i = 0; i < m->npersons; i++)
            if ((rc = kh_agg_add_person(ag->agg, &m->persons[i])) != 0)
                return kh_stage_fail(st, "a person fact cannot be counted: %s",
                                     kh_strerror(rc));
        st->stats.tables[KH_TAB_F_INTRO].rows_in += m->npersons;
        if (m->last) {
            rc = finish(st, ag);
            return rc ? rc : KH_STAGE_DONE;
        }
    } else {
        return kh_stage_fail(st, "unexpected message kind %d", m->env.kind);
    }
    return KH_STAGE_CONTINUE;
}

/* The hook of kh_protect_set_progress(): stats (with the busy time so
 * far) at most once a second, so that a long step 7.3 shows progress. */
static void on_progress(void *ctx)
{
    kh_stage_tick(ctx);
}

int main(int argc, char **argv)
{
    kh_stage_t st;
    kh_stage_init(&st, kh_topology_stage_name(KH_STAGE_AGGREGATE));
    aggregator_t ag;
    memset(&ag, 0, sizeof ag);
    ag.min_cell = KH_DEFAULT_MIN_CELL;
    const kh_stage_opt_t own[] = {
        KH_OPT_INT("min-cell", &ag.min_cell, 0, KH_MAX_MIN_CELL, "the smallest count shown"),
        KH_OPT_STRING("store", &ag.store_path, "the store, read for the other reference years"),
        KH_OPT_END};
    int status = kh_stage_begin(&st, argc, argv, own, usage);
    if (status >= 0)
        return status;
    void *in = kh_stage_socket(&st, ZMQ_PULL, kh_topology_endpoint(KH_EP_AGG), 1);
    ag.out = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_SINK), 0);
    if (in && ag.out) { /* else the stage failed */
        kh_stage_state(&st, KH_ST_READY);
        kh_protect_set_progress(on_progress, &st);
        kh_stage_run(&st, in, on_message, &ag);
    }
    kh_across_destroy(&ag.across);
    kh_agg_destroy(&ag.agg);
    kh_refdata_free(&ag.national);
    return kh_stage_finish(&st);
}
