/* stage.h - what every stage process does the same way: common options,
 * the stats socket to `kohort run`, heartbeats, states, signals, and failing
 * with one sentence. Each stage's main.c owns one kh_stage_t. */
#ifndef KH_STAGE_H
#define KH_STAGE_H

#include <getopt.h>
#include <signal.h>
#include <stdint.h>

#include "msg.h"

#define KH_STAGE_MAX_SOCKS 8

typedef struct {
    char run[KH_RUN_ID_MAX];
    char dir[160];
    int worker, workers;
    int log_level;
    kh_stats_t stats;
    void *stats_sock;
    void *socks[KH_STAGE_MAX_SOCKS];
    int nsocks;
    int sends; /* it has a PUSH socket: it holds at the end (kh_stage_finish) */
    uint64_t start_ns, last_stats_ns;
} kh_stage_t;

/* Set by SIGTERM / SIGINT: the stage should stop at once. */
extern volatile sig_atomic_t kh_stage_stopping;

/* Long options every stage accepts; their codes start at KH_STAGE_OPT. */
#define KH_STAGE_OPT 1000
#define KH_STAGE_LONGOPTS                                          \
    {"run", required_argument, 0, KH_STAGE_OPT + 0},               \
    {"dir", required_argument, 0, KH_STAGE_OPT + 1},               \
    {"worker", required_argument, 0, KH_STAGE_OPT + 2},            \
    {"workers", required_argument, 0, KH_STAGE_OPT + 3},           \
    {"quiet", no_argument, 0, KH_STAGE_OPT + 4},                   \
    {"verbose", no_argument, 0, KH_STAGE_OPT + 5}

/* Prepares st for `stage` ("validate"). */
void kh_stage_init(kh_stage_t *st, const char *stage);

/* Handles one of the common options; returns 1 if `opt` was one, else 0. */
int kh_stage_option(kh_stage_t *st, int opt, const char *arg);

/* Checks the common options, starts logging, installs signal handlers and
 * connects the stats socket. Returns 0, or KH_E_USAGE (logged). */
int kh_stage_start(kh_stage_t *st);

/* Opens a socket on ipc://DIR/NAME (NAME NULL: not yet bound or connected)
 * and registers it so that the stage closes
 * it on exit. Fails the stage when it cannot. Borrowed: closed by
 * kh_stage_finish() / kh_stage_fail(). */
void *kh_stage_socket(kh_stage_t *st, int type, const char *name, int bind);

/* Keeps batch-sized buffers on the heap and the heap from shrinking, so
 * that each batch (a few MB, allocated and freed once each) does not fault
 * its pages in afresh: for the stages that handle every row. */
void kh_stage_keep_heap(void);

/* Sets the state and sends stats at once. */
void kh_stage_state(kh_stage_t *st, kh_state_t state);

/* Sends stats when a second has passed since the last time. */
void kh_stage_tick(kh_stage_t *st);

/* Sends a packed message on `sock`, sending heartbeats while the peer is
 * full; a failure other than a stop request fails the stage. Returns 0, or
 * -EINTR when the stage is being stopped (the message is then freed). */
int kh_stage_send(kh_stage_t *st, void *sock, kh_packed_t *packed);

/* Waits up to 200 ms for the next message of this run on `sock`, sending
 * heartbeats meanwhile. Returns 1 with *msg filled (free with kh_msg_free()),
 * or 0 when nothing came (or a signal interrupted the wait: check
 * kh_stage_stopping). A receive error or a message of another run fails
 * the stage. */
int kh_stage_recv(kh_stage_t *st, void *sock, kh_msg_t *msg);

/* Logs `fmt` as an error, tells `kohort run` (FAIL), closes every socket and
 * exits with status 1. */
void kh_stage_fail(kh_stage_t *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), noreturn));

/* Final stats (state done), closes every socket, terminates ZeroMQ.
 * A stage that sends to another stage then stays, sending heartbeats,
 * until the supervisor releases it (SIGTERM after the sink's commit, or
 * the end of a failed run): libzmq may drop the last messages of an ipc
 * socket closed right after them, whatever its linger (libzmq issues
 * 1264 and 4660), and a consumer that waits for them would wait for ever.
 * Returns the exit status: 0, or 1 when the stage was stopped by a signal
 * before it finished. */
int kh_stage_finish(kh_stage_t *st);

/* Fills an envelope for this run. */
void kh_stage_env(const kh_stage_t *st, kh_env_t *env, kh_msgkind_t kind, int table, uint64_t seq);

#endif
