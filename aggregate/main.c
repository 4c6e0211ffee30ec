/* main.c - kohort-aggregate: person facts in, indicator tables out.
 *
 * Receives from the linker the run's ledger (reference year and window),
 * the reference rows and the person facts; computes `exit`, `status` and
 * `cost` with disclosure control (indicators.c, disclosure.c), reads the
 * other stored reference years (read-only) for step 7.4 (across.c), and
 * hands the run's tables, the other years' tables that 7.4 changed, the
 * national series and the ledger (with the suppression counts) to the
 * sink. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "aggregate/across.h"
#include "aggregate/indicators.h"
#include "proto/topology.h"
#include "err.h"
#include "fault.h"
#include "log.h"
#include "msg.h"
#include "sock.h"
#include "stage.h"
#include "store.h"
#include "util.h"

#define ROWS_PER_MSG 4096

static void usage(FILE *f)
{
    fprintf(f, "usage: kohort-aggregate --run ID --dir DIR [--min-cell K] [--store DIR]\n"
               "Started by `kohort run`; --store is read (never written) for the other\n"
               "reference years that disclosure control must agree with.\n");
}

/* One (year, table), in chunks; the last chunk says so. */
static void send_table(kh_stage_t *st, void *out, int year, int t, const kh_indrow_t *rows,
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
        kh_stage_send(st, out, &p);
        sent += chunk;
    } while (sent < n);
}

/* The run's year whole, then every table of another year that 7.4 changed. */
static void send_tables(kh_stage_t *st, void *out, const kh_agg_t *agg, int ref_year,
                        const kh_across_t *across)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        size_t n;
        const kh_indrow_t *rows = kh_agg_rows(agg, (kh_indtable_t)t, &n);
        send_table(st, out, ref_year, t, rows, n);
    }
    for (size_t i = 0; i < kh_across_nyears(across); i++)
        for (int t = 0; t < KH_IND_COUNT; t++) {
            if (!kh_across_changed(across, i, (kh_indtable_t)t))
                continue;
            size_t n;
            const kh_indrow_t *rows = kh_across_rows(across, i, (kh_indtable_t)t, &n);
            send_table(st, out, kh_across_year(across, i), t, rows, n);
        }
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
 * of the run's year that is suppressed). Caller owns *out. */
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
            kh_stage_fail(st, "cannot read the other reference years of the store: %s",
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

int main(int argc, char **argv)
{
    kh_stage_t st;
    kh_stage_init(&st, "aggregate");
    int min_cell = 5;
    const char *store_path = NULL;
    static const struct option opts[] = {
        KH_STAGE_LONGOPTS,
        {"min-cell", required_argument, 0, 'k'},
        {"store", required_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (kh_stage_option(&st, opt, optarg))
            continue;
        switch (opt) {
        case 'k': min_cell = atoi(optarg); break;
        case 's': store_path = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (min_cell < 0 || kh_stage_start(&st) != 0) {
        usage(stderr);
        return 2;
    }
    void *in = kh_stage_socket(&st, ZMQ_PULL, kh_topology_endpoint(KH_EP_AGG), 1);
    void *out = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_SINK), 0);
    kh_stage_state(&st, KH_ST_READY);

    kh_agg_t *agg = NULL;
    kh_across_t *across = NULL;
    kh_ledger_t ledger;
    kh_refdata_t national;
    memset(&national, 0, sizeof national);
    int done = 0;
    while (!done && !kh_stage_stopping) {
        kh_msg_t m;
        if (!kh_stage_recv(&st, in, &m))
            continue;
        int rc = 0;
        uint64_t t0 = kh_now_ns();
        st.stats.state = KH_ST_WORKING;
        kh_fault_point("batch");
        if (m.env.kind == KH_MSG_LEDGER && !agg) {
            ledger = m.ledger;
            kh_agg_params_t params = {ledger.ref_year, ledger.cohort_from, ledger.cohort_to,
                                      min_cell};
            agg = kh_agg_new(&params);
            if (!agg)
                kh_stage_fail(&st, "the reference year %d or cohort window %d-%d cannot be used",
                              ledger.ref_year, ledger.cohort_from, ledger.cohort_to);
        } else if (m.env.kind == KH_MSG_REFDATA && agg) {
            for (uint32_t i = 0; i < m.ref.nmonitor; i++)
                rc = rc ? rc : kh_agg_add_monitor(agg, m.ref.monitor[i].landbakgrunn,
                                                  m.ref.monitor[i].kjonn, m.ref.monitor[i].andel);
            for (uint32_t i = 0; i < m.ref.nnational; i++)
                rc = rc ? rc : kh_agg_add_national(agg, m.ref.national[i].year,
                                                   m.ref.national[i].andel);
            for (uint32_t i = 0; i < m.ref.ncost; i++)
                rc = rc ? rc : kh_agg_add_cost(agg, m.ref.cost[i].kommnr, m.ref.cost[i].year,
                                               m.ref.cost[i].total, m.ref.cost[i].admin,
                                               m.ref.cost[i].persons);
            if (rc)
                kh_stage_fail(&st, "a reference figure cannot be used: %s", kh_strerror(rc));
            /* the national series is stored with the indicators */
            kh_refdata_free(&national);
            national.nnational = m.ref.nnational;
            national.national = m.ref.national;
            m.ref.national = NULL;
        } else if (m.env.kind == KH_MSG_PERSONS && agg) {
            for (uint32_t i = 0; i < m.npersons; i++)
                if ((rc = kh_agg_add_person(agg, &m.persons[i])) != 0)
                    kh_stage_fail(&st, "a person fact cannot be counted: %s", kh_strerror(rc));
            st.stats.tables[KH_TAB_F_INTRO].rows_in += m.npersons;
            if (m.last) {
                kh_fault_point("finish");
                rc = kh_agg_finish(agg);
                if (rc)
                    kh_stage_fail(&st, "cannot compute the indicators: %s", kh_strerror(rc));
                rc = across_years(&st, agg, store_path, min_cell, &ledger, &across);
                if (rc)
                    kh_stage_fail(&st, "cannot apply disclosure control across reference "
                                  "years: %s", kh_strerror(rc));
                send_tables(&st, out, agg, ledger.ref_year, across);
                kh_env_t env;
                kh_packed_t p;
                kh_stage_env(&st, &env, KH_MSG_REFDATA, -1, 0);
                kh_msg_pack_refdata(&p, &env, &national);
                kh_stage_send(&st, out, &p);
                kh_stage_env(&st, &env, KH_MSG_LEDGER, -1, 0);
                kh_msg_pack_ledger(&p, &env, &ledger);
                kh_stage_send(&st, out, &p);
                done = 1;
            }
        } else {
            kh_stage_fail(&st, "unexpected message kind %d", m.env.kind);
        }
        kh_msg_free(&m);
        st.stats.busy_ns += kh_now_ns() - t0;
    }
    kh_across_destroy(&across);
    kh_agg_destroy(&agg);
    kh_refdata_free(&national);
    return kh_stage_finish(&st);
}
