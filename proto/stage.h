/* stage.h - what every stage process does the same way: common options,
 * the stats socket to `kohort run`, heartbeats, states, signals, and failing
 * with one sentence. Each stage's main.c owns one kh_stage_t. */
#ifndef KH_STAGE_H
#define KH_STAGE_H

#include <getopt.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/err.h"
#include "proto/msg.h"

#define KH_STAGE_MAX_SOCKS 8
#define KH_STAGE_MAX_WORKERS 4096 /* the range of --worker and --workers */

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
    uint64_t busy_since;  /* 0, or when the busy time being counted began */
    int idle_waits;       /* kh_stage_run: WORKING -> WAITING when nothing came */
    int failed;           /* kh_stage_fail ran: sockets closed, run told */
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

/* Handles one of the common options: 1 if `opt` was one, 0 if not, -1 when
 * its value is bad (one sentence naming it on stderr). */
int kh_stage_option(kh_stage_t *st, int opt, const char *arg);

/* A stage's own options, declared as a table (as Fluent Bit plugins declare
 * their config maps) and parsed with checks by kh_stage_parse(). */
typedef enum {
    KH_OPT_INT,    /* int *: a whole number within [min, max] */
    KH_OPT_UINT64, /* uint64_t *: a whole number within [min, max] */
    KH_OPT_STRING, /* const char **: borrowed from argv */
    KH_OPT_FLAG,   /* int *: set to 1, takes no value */
    KH_OPT_YEARS   /* int[2]: FROM-TO, two whole numbers with FROM not after TO */
} kh_optkind_t;

typedef struct {
    const char *name; /* the long option, without "--"; NULL ends a table */
    kh_optkind_t kind;
    long long min;    /* inclusive range of a number */
    unsigned long long max;
    void *target;
    const char *help; /* what the value is, for the sentence about a bad one */
    int required;     /* 1: the stage cannot start without it */
} kh_stage_opt_t;

/* Table entries; the target's type is checked by the compiler. */
#define KH_OPT_INT(name, target, lo, hi, help) \
    {name, KH_OPT_INT, lo, hi, (void *)(1 ? (target) : (int *)0), help, 0}
#define KH_OPT_UINT64(name, target, lo, hi, help) \
    {name, KH_OPT_UINT64, lo, hi, (void *)(1 ? (target) : (uint64_t *)0), help, 0}
#define KH_OPT_STRING(name, target, help) \
    {name, KH_OPT_STRING, 0, 0, (void *)(1 ? (target) : (const char **)0), help, 0}
#define KH_OPT_FLAG(name, target, help) \
    {name, KH_OPT_FLAG, 0, 1, (void *)(1 ? (target) : (int *)0), help, 0}
#define KH_OPT_YEARS(name, target, help) \
    {name, KH_OPT_YEARS, 0, 0, (void *)(1 ? (target) : (int *)0), help, 0}
/* The same, for an option the stage cannot start without. */
#define KH_OPT_INT_REQUIRED(name, target, lo, hi, help) \
    {name, KH_OPT_INT, lo, hi, (void *)(1 ? (target) : (int *)0), help, 1}
#define KH_OPT_STRING_REQUIRED(name, target, help) \
    {name, KH_OPT_STRING, 0, 0, (void *)(1 ? (target) : (const char **)0), help, 1}
#define KH_OPT_END {NULL, KH_OPT_FLAG, 0, 0, NULL, NULL, 0}

/* Sets `opt`'s target from `arg` (NULL for a flag). Returns 0, or -1 when
 * the value is not a whole number within the range (or not a span of years
 * FROM-TO), with one sentence naming the option written to `why` (at most
 * `cap` bytes). */
int kh_stage_opt_set(const kh_stage_opt_t *opt, const char *arg, char *why, size_t cap);

/* Parses argv: the common options (KH_STAGE_LONGOPTS), `opts` (ended by
 * KH_OPT_END; NULL for none) and --help. Returns -1 to go on, or the status
 * to exit with: 0 after --help (`usage` on stdout), 2 after an unknown
 * option or without a required one (`usage` on stderr) or after a bad value
 * (one sentence naming the option on stderr). */
int kh_stage_parse(kh_stage_t *st, int argc, char **argv, const kh_stage_opt_t *opts,
                   const char *usage);

/* Checks the common options, starts logging, installs signal handlers and
 * connects the stats socket. Returns 0, or KH_E_USAGE (logged). */
int kh_stage_start(kh_stage_t *st);

/* What every stage's main does first: kh_stage_parse(), then
 * kh_stage_start(). Returns -1 to go on, or the status to exit with: that
 * of kh_stage_parse(), or 2 (`usage` on stderr) when the stage cannot
 * start. */
int kh_stage_begin(kh_stage_t *st, int argc, char **argv, const kh_stage_opt_t *opts,
                   const char *usage);

/* Opens a socket on ipc://DIR/NAME (NAME NULL: not yet bound or connected)
 * and registers it so that the stage closes it on exit. Returns NULL when
 * it cannot (the stage has then failed: kh_stage_fail) or when the stage
 * has failed already. Borrowed: closed by kh_stage_finish() /
 * kh_stage_fail(). */
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
 * full. Returns 0; -EINTR when the stage is being stopped (the message is
 * then freed); KH_E_STAGE when the send failed otherwise, which fails the
 * stage (kh_stage_fail). */
int kh_stage_send(kh_stage_t *st, void *sock, kh_packed_t *packed)
    __attribute__((warn_unused_result));

/* Waits up to 200 ms for the next message of this run on `sock`, sending
 * heartbeats meanwhile. Returns 1 with *msg filled (free with kh_msg_free()),
 * 0 when nothing came (or a signal interrupted the wait: check
 * kh_stage_stopping), or KH_E_STAGE after a receive error or a message of
 * another run, which fail the stage (kh_stage_fail). */
int kh_stage_recv(kh_stage_t *st, void *sock, kh_msg_t *msg);

/* What a kh_stage_run handler returns (or a negative code: an error, such
 * as kh_stage_fail's); KH_STAGE_DONE is err.h's KH_STOP, the one "stop" of
 * every callback. */
enum { KH_STAGE_CONTINUE = KH_OK, KH_STAGE_DONE = KH_STOP };

/* Handles one message of this run. Borrowed: `msg` is freed by
 * kh_stage_run when the handler returns; a handler that keeps a part of it
 * takes it by clearing it in `msg` (as with m->ref). */
typedef int (*kh_stage_handler_t)(kh_stage_t *st, kh_msg_t *msg, void *ctx);

/* The receive loop of a stage: waits for messages on `sock` (heartbeats
 * meanwhile; WORKING -> WAITING when a wait finds nothing if st->idle_waits),
 * and for each sets state WORKING, passes the fault point "batch" ("eot" for
 * an end-of-table message), calls `handler` and counts the time until it
 * returns as busy (unless it called kh_stage_busy_end first). Returns 0
 * when the handler said KH_STAGE_DONE or the stage is being stopped, the
 * handler's negative code, or KH_E_STAGE when receiving failed the stage
 * (a failed stage's code comes back also while it is being stopped). */
int kh_stage_run(kh_stage_t *st, void *sock, kh_stage_handler_t handler, void *ctx);

/* Busy time: kh_stage_busy_begin starts counting it (if not counting),
 * kh_stage_busy_end adds what was counted to stats.busy_ns and stops. Stats
 * sent meanwhile (kh_stage_tick, kh_stage_send) include the time so far, so
 * a long computation that calls kh_stage_tick now and then shows as busy. */
void kh_stage_busy_begin(kh_stage_t *st);
void kh_stage_busy_end(kh_stage_t *st);

/* Logs `fmt` as an error, tells `kohort run` (FAIL), closes every socket
 * and marks the stage failed. Returns KH_E_STAGE, for the caller to return
 * up to the stage's main, which ends with kh_stage_finish() (status 1)
 * without using the stage's sockets again: proto/ never exits the
 * process. */
int kh_stage_fail(kh_stage_t *st, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), warn_unused_result));

/* Final stats (state done), closes every socket, terminates ZeroMQ; for a
 * failed stage (kh_stage_fail) only returns 1, everything being done.
 * A stage that sends to another stage then stays, sending heartbeats,
 * until the supervisor releases it (SIGTERM after the sink's commit, or
 * the end of a failed run): libzmq may drop the last messages of an ipc
 * socket closed right after them, whatever its linger (libzmq issues
 * 1264 and 4660), and a consumer that waits for them would wait for ever.
 * Returns the exit status: 0, or 1 when the stage failed or was stopped by
 * a signal before it finished. */
int kh_stage_finish(kh_stage_t *st);

/* Fills an envelope for this run. */
void kh_stage_env(const kh_stage_t *st, kh_env_t *env, kh_msgkind_t kind, int table, uint64_t seq);

#endif
