/* anonymise_main.c - kohort-anonymise: replaces every national id by its
 * keyed pseudonym. Nothing after this process sees an id.
 *
 * Pulls validated batches from the validators, swaps the id columns for
 * pseudonyms (pseudo.c) and pushes each batch, same sequence number, to the
 * linker; end-of-table messages pass through. The key arrives on an
 * inherited pipe (--key-fd), never in argv, the environment or a file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zmq.h>

#include "proto/err.h"
#include "proto/fault.h"
#include "proto/log.h"
#include "proto/msg.h"
#include "proto/sock.h"
#include "proto/stage.h"
#include "proto/topology.h"
#include "proto/util.h"
#include "transform/pseudo.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: kohort-anonymise --run ID --dir DIR --worker I --key-fd FD\n"
               "Started by `kohort run`; reads the 32-byte key from FD.\n");
}

static int read_key(int fd, uint8_t key[KH_KEY_LEN])
{
    size_t got = 0;
    while (got < KH_KEY_LEN) {
        ssize_t n = read(fd, key + got, KH_KEY_LEN - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        got += (size_t)n;
    }
    close(fd);
    return 0;
}

/* Swaps the id columns of `rows` for pseudonyms: what kh_rows_make_pseudo()
 * does, without the zeroed allocation and the temporary copy of the ids:
 * each pseudonym is written straight from its id, then the ids are wiped. */
static void anonymise(kh_pseudo_t *ps, kh_rows_t *rows)
{
    const kh_tabledef_t *def = kh_schema_table(rows->table);
    for (int c = 0; c < def->ncols; c++) {
        if (def->cols[c].type != KH_COL_ID)
            continue;
        kh_rowcol_t *col = &rows->col[c];
        uint8_t *pseudo = kh_xmalloc((size_t)rows->cap * KH_PSEUDO_LEN);
        if (col->i64) {
            for (uint32_t r = 0; r < rows->nrows; r++)
                kh_pseudo_of(ps, col->i64[r], pseudo + (size_t)r * KH_PSEUDO_LEN);
            sodium_memzero(col->i64, (size_t)rows->cap * sizeof(int64_t));
            free(col->i64);
            col->i64 = NULL;
        } else {
            memset(pseudo, 0, (size_t)rows->nrows * KH_PSEUDO_LEN);
        }
        /* the room past the rows is zeroed, as kh_rows_make_pseudo leaves it */
        memset(pseudo + (size_t)rows->nrows * KH_PSEUDO_LEN, 0,
               (size_t)(rows->cap - rows->nrows) * KH_PSEUDO_LEN);
        free(col->pseudo);
        col->pseudo = pseudo;
    }
    rows->anonymised = 1;
}

int main(int argc, char **argv)
{
    kh_stage_t st;
    kh_stage_init(&st, kh_topology_stage_name(KH_STAGE_ANONYMISE));
    int key_fd = -1;
    static const struct option opts[] = {
        KH_STAGE_LONGOPTS,
        {"key-fd", required_argument, 0, 'k'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (kh_stage_option(&st, opt, optarg))
            continue;
        switch (opt) {
        case 'k': key_fd = atoi(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (key_fd < 0 || kh_stage_start(&st) != 0) {
        usage(stderr);
        return 2;
    }
    uint8_t key[KH_KEY_LEN];
    if (read_key(key_fd, key) != 0)
        kh_stage_fail(&st, "the pseudonymisation key could not be read from its pipe");
    kh_stage_keep_heap();
    kh_pseudo_t *ps = kh_pseudo_new(key);
    sodium_memzero(key, sizeof key);

    char name[32];
    kh_topology_worker_endpoint(KH_EP_ANON, st.worker, name, sizeof name);
    void *in = kh_stage_socket(&st, ZMQ_PULL, name, 1);
    void *out = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_LINK), 0);
    kh_stage_state(&st, KH_ST_READY);

    while (!kh_stage_stopping) {
        kh_msg_t m;
        int rc = kh_sock_recv(in, &m, 200);
        kh_stage_tick(&st);
        if (rc == -EAGAIN && st.stats.state == KH_ST_WORKING)
            kh_stage_state(&st, KH_ST_WAITING); /* idle: counters go out now */
        if (rc == -EAGAIN || rc == -EINTR)
            continue;
        if (rc)
            kh_stage_fail(&st, "cannot receive: %s", kh_strerror(rc));
        uint64_t t0 = kh_now_ns();
        st.stats.state = KH_ST_WORKING;
        kh_tablestats_t *ts = &st.stats.tables[m.env.table >= 0 ? m.env.table : 0];
        kh_packed_t p;
        kh_fault_point(m.env.kind == KH_MSG_EOT ? "eot" : "batch");
        if (m.env.kind == KH_MSG_ROWS && !m.rows->anonymised) {
            ts->batches_in++;
            ts->rows_in += m.rows->nrows + m.rows->dropped;
            anonymise(ps, m.rows);
            kh_msg_pack_rows(&p, &m.env, &m.meta, m.rows, m.rejected);
            ts->batches_out++;
            ts->rows_out += m.rows->nrows + m.rows->dropped;
        } else if (m.env.kind == KH_MSG_EOT) {
            kh_msg_pack_eot(&p, &m.env, &m.eot);
        } else {
            kh_stage_fail(&st, "unexpected message kind %d", m.env.kind);
        }
        kh_msg_free(&m);
        st.stats.busy_ns += kh_now_ns() - t0;
        if (kh_stage_send(&st, out, &p) != 0)
            break;
    }
    kh_pseudo_destroy(&ps);
    return kh_stage_finish(&st);
}
