/* anonymise_main.c - kohort-anonymise: replaces every national id by its
 * keyed pseudonym. Nothing after this process sees an id.
 *
 * Pulls validated batches from the validators, swaps the id columns for
 * pseudonyms (pseudo.c) and pushes each batch, same sequence number, to the
 * linker; end-of-table messages pass through. The key arrives on an
 * inherited pipe (--key-fd), never in argv, the environment or a file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
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

static const char usage[] =
    "usage: kohort-anonymise --run ID --dir DIR --worker I --key-fd FD\n"
    "Started by `kohort run`; reads the 32-byte key from FD.\n";

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

typedef struct {
    kh_pseudo_t *ps;
    void *out;
} anonymiser_t;

/* One validated batch in, the same batch with pseudonyms out; an
 * end-of-table message passes through. */
static int on_message(kh_stage_t *st, kh_msg_t *m, void *ctx)
{
    anonymiser_t *an = ctx;
    kh_tablestats_t *ts = &st->stats.tables[m->env.table >= 0 ? m->env.table : 0];
    kh_packed_t p;
    if (m->env.kind == KH_MSG_ROWS && !m->rows->anonymised) {
        ts->batches_in++;
        ts->rows_in += m->rows->nrows + m->rows->dropped;
        anonymise(an->ps, m->rows);
        kh_msg_pack_rows(&p, &m->env, &m->meta, m->rows, m->rejected);
        ts->batches_out++;
        ts->rows_out += m->rows->nrows + m->rows->dropped;
    } else if (m->env.kind == KH_MSG_EOT) {
        kh_msg_pack_eot(&p, &m->env, &m->eot);
    } else {
        return kh_stage_fail(st, "unexpected message kind %d", m->env.kind);
    }
    kh_stage_busy_end(st); /* waiting on a full linker is not work */
    return kh_stage_send(st, an->out, &p) == 0 ? KH_STAGE_CONTINUE : KH_STAGE_DONE;
}

int main(int argc, char **argv)
{
    kh_stage_t st;
    kh_stage_init(&st, kh_topology_stage_name(KH_STAGE_ANONYMISE));
    int key_fd = -1;
    const kh_stage_opt_t own[] = {
        KH_OPT_INT_REQUIRED("key-fd", &key_fd, 0, INT_MAX, "the pipe the key is read from"),
        KH_OPT_END};
    int status = kh_stage_begin(&st, argc, argv, own, usage);
    if (status >= 0)
        return status;
    uint8_t key[KH_KEY_LEN];
    int rc = read_key(key_fd, key) == 0
                 ? 0
                 : kh_stage_fail(&st, "the pseudonymisation key could not be read from its pipe");
    if (rc) {
        sodium_memzero(key, sizeof key); /* what was read of it */
        return kh_stage_finish(&st);
    }
    kh_stage_keep_heap();
    anonymiser_t an;
    an.ps = kh_pseudo_new(key);
    sodium_memzero(key, sizeof key);

    char name[32];
    kh_topology_worker_endpoint(KH_EP_ANON, st.worker, name, sizeof name);
    void *in = kh_stage_socket(&st, ZMQ_PULL, name, 1);
    an.out = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_LINK), 0);
    if (in && an.out) { /* else the stage failed */
        kh_stage_state(&st, KH_ST_READY);
        st.idle_waits = 1;
        kh_stage_run(&st, in, on_message, &an);
    }
    kh_pseudo_destroy(&an.ps);
    return kh_stage_finish(&st);
}
