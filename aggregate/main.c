/* main.c - kohort-aggregate: person facts in, indicator tables out.
 *
 * Receives from the linker the run's ledger (reference year and window),
 * the reference rows and the person facts; computes `exit`, `status` and
 * `cost` with disclosure control (indicators.c, disclosure.c) and hands them,
 * the national series and the ledger to the sink. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "aggregate/indicators.h"
#include "err.h"
#include "fault.h"
#include "log.h"
#include "msg.h"
#include "sock.h"
#include "stage.h"
#include "util.h"

#define ROWS_PER_MSG 4096

static void usage(FILE *f)
{
    fprintf(f, "usage: kohort-aggregate --run ID --dir DIR [--min-cell K]\n"
               "Started by `kohort run`.\n");
}

static void send_tables(kh_stage_t *st, void *out, const kh_agg_t *agg)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        size_t n;
        const kh_indrow_t *rows = kh_agg_rows(agg, (kh_indtable_t)t, &n);
        size_t sent = 0;
        uint64_t seq = 0;
        do {
            size_t chunk = n - sent > ROWS_PER_MSG ? ROWS_PER_MSG : n - sent;
            kh_env_t env;
            kh_packed_t p;
            kh_stage_env(st, &env, KH_MSG_INDROWS, t, seq++);
            kh_msg_pack_indrows(&p, &env, rows + sent, (uint32_t)chunk, sent + chunk == n);
            kh_stage_send(st, out, &p);
            sent += chunk;
        } while (sent < n);
    }
}

int main(int argc, char **argv)
{
    kh_stage_t st;
    kh_stage_init(&st, "aggregate");
    int min_cell = 5;
    static const struct option opts[] = {
        KH_STAGE_LONGOPTS,
        {"min-cell", required_argument, 0, 'k'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (kh_stage_option(&st, opt, optarg))
            continue;
        switch (opt) {
        case 'k': min_cell = atoi(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (min_cell < 0 || kh_stage_start(&st) != 0) {
        usage(stderr);
        return 2;
    }
    void *in = kh_stage_socket(&st, ZMQ_PULL, "agg", 1);
    void *out = kh_stage_socket(&st, ZMQ_PUSH, "sink", 0);
    kh_stage_state(&st, KH_ST_READY);

    kh_agg_t *agg = NULL;
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
                send_tables(&st, out, agg);
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
    kh_agg_destroy(&agg);
    kh_refdata_free(&national);
    return kh_stage_finish(&st);
}
