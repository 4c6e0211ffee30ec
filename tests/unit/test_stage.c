/* test_stage.c - unit tests of proto/stage: the common options, the stats a
 * stage sends to `kohort run`, a message over a stage's own sockets, the end
 * of a stopped stage, and kh_stage_fail: a FAIL message with the sentence,
 * an id in it masked, then KH_E_STAGE and kh_stage_finish's exit status 1,
 * also while a socket is watched for peers;
 * the option table (checked numbers, out of range and non-numeric refused,
 * --help) and kh_stage_run (the handler sees each message, DONE ends the
 * loop, an error comes back, busy time).
 *
 * The supervisor's side is a PULL socket on its own ZeroMQ context: the
 * stage terminates the process-wide one (kh_sock_term) when it ends. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zmq.h>

#include "proto/err.h"
#include "proto/log.h"
#include "proto/msg.h"
#include "proto/sock.h"
#include "proto/stage.h"
#include "proto/topology.h"

static char dir[64];

/* The supervisor's stats socket: bound on its own context. */
typedef struct {
    void *ctx, *pull;
} supervisor_t;

static void supervisor_open(supervisor_t *s)
{
    char ep[256];
    assert_int_equal(kh_sock_endpoint(ep, sizeof ep, dir, kh_topology_endpoint(KH_EP_STATS)), 0);
    s->ctx = zmq_ctx_new();
    s->pull = zmq_socket(s->ctx, ZMQ_PULL);
    assert_non_null(s->pull);
    assert_int_equal(zmq_bind(s->pull, ep), 0);
}

static void supervisor_close(supervisor_t *s)
{
    int none = 0;
    zmq_setsockopt(s->pull, ZMQ_LINGER, &none, sizeof none);
    zmq_close(s->pull);
    zmq_ctx_term(s->ctx);
}

/* The next message the supervisor gets within 5 s, decoded. */
static void supervisor_recv(supervisor_t *s, kh_msg_t *m)
{
    int timeout = 5000;
    zmq_setsockopt(s->pull, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
    zmq_msg_t z;
    zmq_msg_init(&z);
    assert_true(zmq_msg_recv(&z, s->pull, 0) >= 0);
    assert_int_equal(kh_msg_unpack(zmq_msg_data(&z), zmq_msg_size(&z), m), 0);
    zmq_msg_close(&z);
}

/* A stage as `kohort run` would start it: --run, --dir, --worker 3. */
static void start_stage(kh_stage_t *st, const char *name)
{
    kh_stage_init(st, name);
    assert_int_equal(kh_stage_option(st, KH_STAGE_OPT + 0, "run-1"), 1);
    assert_int_equal(kh_stage_option(st, KH_STAGE_OPT + 1, dir), 1);
    assert_int_equal(kh_stage_option(st, KH_STAGE_OPT + 2, "3"), 1);
    assert_int_equal(kh_stage_option(st, KH_STAGE_OPT + 3, "4"), 1);
    assert_int_equal(kh_stage_option(st, KH_STAGE_OPT + 4, NULL), 1); /* --quiet */
    assert_int_equal(kh_stage_start(st), 0);
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/kh-test-stage-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void test_common_options(void **state)
{
    (void)state;
    kh_stage_t st;
    kh_stage_init(&st, "validate");
    assert_string_equal(st.stats.stage, "validate");
    assert_int_equal(st.workers, 1);
    assert_int_equal(st.worker, 0);
    assert_int_equal(kh_stage_option(&st, KH_STAGE_OPT + 0, "r"), 1);
    assert_int_equal(kh_stage_option(&st, KH_STAGE_OPT + 1, "/d"), 1);
    assert_int_equal(kh_stage_option(&st, KH_STAGE_OPT + 2, "2"), 1);
    assert_int_equal(kh_stage_option(&st, KH_STAGE_OPT + 3, "5"), 1);
    assert_string_equal(st.run, "r");
    assert_string_equal(st.dir, "/d");
    assert_int_equal(st.worker, 2);
    assert_int_equal(st.workers, 5);
    assert_int_equal(kh_stage_option(&st, KH_STAGE_OPT + 5, NULL), 1);
    assert_int_equal(st.log_level, KH_LOG_DEBUG);
    assert_int_equal(kh_stage_option(&st, KH_STAGE_OPT + 4, NULL), 1);
    assert_int_equal(st.log_level, KH_LOG_WARN);
    assert_int_equal(kh_stage_option(&st, 's', "x"), 0);
    assert_int_equal(kh_stage_option(&st, KH_STAGE_OPT + 6, "x"), 0);
}

static void test_start_needs_run_and_dir(void **state)
{
    (void)state;
    kh_stage_t st;
    kh_stage_init(&st, "link");
    st.log_level = KH_LOG_ERROR + 1; /* the usage line is expected: keep it quiet */
    assert_int_equal(kh_stage_start(&st), KH_E_USAGE);
    kh_stage_option(&st, KH_STAGE_OPT + 0, "run-1");
    assert_int_equal(kh_stage_start(&st), KH_E_USAGE);
    kh_stage_option(&st, KH_STAGE_OPT + 1, dir);
    st.workers = 0; /* kh_stage_option refuses "0" (test_option_table) */
    assert_int_equal(kh_stage_start(&st), KH_E_USAGE);
}

/* READY reaches the supervisor with the stage's name, worker and pid; a
 * message goes over the stage's own PUSH and PULL; a stopped stage ends
 * with its last counters and status 1. */
static void test_stats_messages_and_stop(void **state)
{
    (void)state;
    supervisor_t sup;
    supervisor_open(&sup);
    kh_stage_t st;
    start_stage(&st, "link");

    kh_stage_state(&st, KH_ST_READY);
    kh_msg_t m;
    supervisor_recv(&sup, &m);
    assert_int_equal(m.env.kind, KH_MSG_STATS);
    assert_string_equal(m.env.run, "run-1");
    assert_string_equal(m.stats.stage, "link");
    assert_int_equal(m.stats.worker, 3);
    assert_int_equal(m.stats.pid, (int32_t)getpid());
    assert_int_equal(m.stats.state, KH_ST_READY);
    kh_msg_free(&m);

    void *in = kh_stage_socket(&st, ZMQ_PULL, kh_topology_endpoint(KH_EP_LINK), 1);
    void *out = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_LINK), 0);
    assert_int_equal(st.nsocks, 2);
    assert_true(st.sends);
    kh_env_t env;
    kh_packed_t p;
    kh_stage_env(&st, &env, KH_MSG_ACK, 4, 9);
    kh_msg_pack_ack(&p, &env, 1);
    assert_int_equal(kh_stage_send(&st, out, &p), 0);
    int got = 0;
    for (int i = 0; i < 25 && !got; i++)
        got = kh_stage_recv(&st, in, &m);
    assert_int_equal(got, 1);
    assert_int_equal(m.env.kind, KH_MSG_ACK);
    assert_int_equal(m.env.table, 4);
    assert_int_equal(m.env.seq, 9);
    assert_int_equal(m.ack_eot, 1);
    kh_msg_free(&m);
    assert_int_equal(kh_stage_recv(&st, in, &m), 0); /* nothing more: 200 ms */

    kh_stage_stopping = 1;
    assert_int_equal(kh_stage_finish(&st), 1);
    kh_stage_stopping = 0;
    assert_int_equal(st.nsocks, 0);
    supervisor_recv(&sup, &m);
    assert_int_equal(m.env.kind, KH_MSG_STATS);
    assert_int_equal(m.stats.state, KH_ST_READY); /* stopped: not DONE */
    kh_msg_free(&m);
    supervisor_close(&sup);
}

/* A stage that sends nothing is not held: DONE and status 0. */
static void test_finish_without_sending(void **state)
{
    (void)state;
    supervisor_t sup;
    supervisor_open(&sup);
    kh_stage_t st;
    start_stage(&st, "sink");
    kh_stage_socket(&st, ZMQ_PULL, kh_topology_endpoint(KH_EP_SINK), 1);
    assert_false(st.sends);
    assert_int_equal(kh_stage_finish(&st), 0);
    kh_msg_t m;
    supervisor_recv(&sup, &m);
    assert_int_equal(m.env.kind, KH_MSG_STATS);
    assert_int_equal(m.stats.state, KH_ST_DONE);
    kh_msg_free(&m);
    supervisor_close(&sup);
}

/* kh_stage_fail: FAILED stats, then FAIL with the sentence (an id in it
 * masked), then KH_E_STAGE, and kh_stage_finish's exit status 1. Run in a
 * child, which makes its own context. */
static void test_fail_tells_the_supervisor(void **state)
{
    (void)state;
    kh_sock_term(); /* no context may cross the fork */
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        kh_stage_t st;
        start_stage(&st, "validate");
        /* as a stage's main does: the code up, then kh_stage_finish's status */
        int rc = kh_stage_fail(&st, "broken %d near %s", 7, "01017012345");
        exit(rc == KH_E_STAGE ? kh_stage_finish(&st) : 99);
    }
    supervisor_t sup;
    supervisor_open(&sup);
    kh_msg_t m;
    supervisor_recv(&sup, &m);
    assert_int_equal(m.env.kind, KH_MSG_STATS);
    assert_int_equal(m.stats.state, KH_ST_FAILED);
    kh_msg_free(&m);
    supervisor_recv(&sup, &m);
    assert_int_equal(m.env.kind, KH_MSG_FAIL);
    assert_string_equal(m.env.run, "run-1");
    assert_non_null(strstr(m.reason, "broken 7 near "));
    assert_null(strstr(m.reason, "01017012345"));
    kh_msg_free(&m);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 1);
    supervisor_close(&sup);
}

/* A stage that fails while it watches a socket for peers (as ingest and
 * validate do before their peers connect) still ends once it stops
 * watching: an open monitor socket would hold up the end of its ZeroMQ
 * context until the supervisor killed it. The child ends or is killed
 * after a minute, which fails the test. */
static void test_fail_while_watching(void **state)
{
    (void)state;
    kh_sock_term();
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        alarm(60);
        kh_stage_t st;
        start_stage(&st, "ingest");
        void *out = kh_stage_socket(&st, ZMQ_PUSH, NULL, 1);
        void *mon = out ? kh_sock_watch(out, 1) : NULL;
        if (!mon)
            exit(98);
        kh_sock_unwatch(out, &mon); /* first: kh_stage_fail ends the context */
        int rc = kh_stage_fail(&st, "cannot bind");
        exit(rc == KH_E_STAGE && mon == NULL ? kh_stage_finish(&st) : 99);
    }
    supervisor_t sup;
    supervisor_open(&sup);
    kh_msg_t m;
    supervisor_recv(&sup, &m);
    assert_int_equal(m.stats.state, KH_ST_FAILED);
    kh_msg_free(&m);
    supervisor_recv(&sup, &m);
    assert_int_equal(m.env.kind, KH_MSG_FAIL);
    kh_msg_free(&m);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status)); /* not killed by the alarm */
    assert_int_equal(WEXITSTATUS(status), 1);
    supervisor_close(&sup);
}

/* The option table: numbers within range taken, out of range and
 * non-numeric refused with a sentence naming the option. */
static void test_option_table(void **state)
{
    (void)state;
    int cell = 5, flag = 0;
    uint64_t bytes = 7;
    const char *path = NULL;
    const kh_stage_opt_t own[] = {
        KH_OPT_INT("min-cell", &cell, 0, 100, "the smallest count shown"),
        KH_OPT_UINT64("max-bytes", &bytes, 10, 1000, "a size"),
        KH_OPT_STRING("store", &path, "a directory"),
        KH_OPT_FLAG("allow", &flag, "a flag"),
        KH_OPT_END};
    char why[256];
    assert_int_equal(kh_stage_opt_set(&own[0], "42", why, sizeof why), 0);
    assert_int_equal(cell, 42);
    assert_int_equal(kh_stage_opt_set(&own[0], "0", why, sizeof why), 0);
    assert_int_equal(cell, 0);
    const char *bad_int[] = {"101", "-1", "abc", "", "4x", " 4", "+4", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad_int / sizeof *bad_int; i++) {
        why[0] = 0;
        assert_int_equal(kh_stage_opt_set(&own[0], bad_int[i], why, sizeof why), -1);
        assert_non_null(strstr(why, "--min-cell"));
        assert_int_equal(cell, 0); /* unchanged */
    }
    assert_int_equal(kh_stage_opt_set(&own[0], NULL, why, sizeof why), -1);
    assert_int_equal(kh_stage_opt_set(&own[1], "1000", why, sizeof why), 0);
    assert_int_equal(bytes, 1000);
    const char *bad_u64[] = {"9", "1001", "-5", "1e3", "18446744073709551616"};
    for (size_t i = 0; i < sizeof bad_u64 / sizeof *bad_u64; i++) {
        assert_int_equal(kh_stage_opt_set(&own[1], bad_u64[i], why, sizeof why), -1);
        assert_non_null(strstr(why, "--max-bytes"));
        assert_int_equal(bytes, 1000);
    }
    assert_int_equal(kh_stage_opt_set(&own[2], "/s", why, sizeof why), 0);
    assert_string_equal(path, "/s");
    assert_int_equal(kh_stage_opt_set(&own[3], NULL, why, sizeof why), 0);
    assert_int_equal(flag, 1);
    /* the common numbers are checked too */
    kh_stage_t st;
    kh_stage_init(&st, "validate");
    assert_int_equal(kh_stage_option(&st, KH_STAGE_OPT + 3, "0"), -1);
    assert_int_equal(kh_stage_option(&st, KH_STAGE_OPT + 2, "x"), -1);
    assert_int_equal(st.workers, 1);
    assert_int_equal(st.worker, 0);
}

/* kh_stage_parse: the table and the common options from argv; --help is
 * status 0, a bad value or an unknown option status 2. */
static void test_parse(void **state)
{
    (void)state;
    int cell = 5, flag = 0;
    const char *path = NULL;
    const kh_stage_opt_t own[] = {
        KH_OPT_INT("min-cell", &cell, 0, 100, "the smallest count shown"),
        KH_OPT_STRING("store", &path, "a directory"),
        KH_OPT_FLAG("allow", &flag, "a flag"),
        KH_OPT_END};
    kh_stage_t st;
    kh_stage_init(&st, "sink");
    char *ok[] = {"kohort-sink", "--run", "r1", "--dir", "/d", "--workers", "3", "--min-cell",
                  "9", "--store", "/s", "--allow", NULL};
    assert_int_equal(kh_stage_parse(&st, 12, ok, own, "usage\n"), -1);
    assert_string_equal(st.run, "r1");
    assert_string_equal(st.dir, "/d");
    assert_int_equal(st.workers, 3);
    assert_int_equal(cell, 9);
    assert_string_equal(path, "/s");
    assert_int_equal(flag, 1);
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w"); /* the sentences are expected */
    char *range[] = {"kohort-sink", "--min-cell", "101", NULL};
    assert_int_equal(kh_stage_parse(&st, 3, range, own, "usage\n"), 2);
    char *word[] = {"kohort-sink", "--min-cell", "many", NULL};
    assert_int_equal(kh_stage_parse(&st, 3, word, own, "usage\n"), 2);
    char *workers[] = {"kohort-sink", "--workers", "-2", NULL};
    assert_int_equal(kh_stage_parse(&st, 3, workers, own, "usage\n"), 2);
    char *unknown[] = {"kohort-sink", "--bogus", NULL};
    assert_int_equal(kh_stage_parse(&st, 2, unknown, own, "usage\n"), 2);
    fclose(stderr);
    stderr = saved;
    assert_int_equal(cell, 9);
    assert_int_equal(st.workers, 3);
    FILE *out = stdout;
    stdout = fopen("/dev/null", "w");
    char *help[] = {"kohort-sink", "--help", NULL};
    assert_int_equal(kh_stage_parse(&st, 2, help, NULL, "usage\n"), 0);
    fclose(stdout);
    stdout = out;
}

/* Required options and spans of years: kh_stage_parse is status 2 without
 * a required option, or with a span that is not FROM-TO, FROM <= TO (the
 * target unchanged); kh_stage_begin does not start the stage then. */
static void test_required_and_years(void **state)
{
    (void)state;
    int fd = -1, years[2] = {0, 0};
    const char *path = NULL;
    const kh_stage_opt_t own[] = {
        KH_OPT_INT_REQUIRED("key-fd", &fd, 0, 100, "a pipe"),
        KH_OPT_STRING_REQUIRED("store", &path, "a directory"),
        KH_OPT_YEARS("cohorts", years, "a window"),
        KH_OPT_END};
    kh_stage_t st;
    kh_stage_init(&st, "sink");
    char *ok[] = {"kohort-sink", "--key-fd", "3", "--store", "/s", "--cohorts", "2017-2024", NULL};
    assert_int_equal(kh_stage_parse(&st, 7, ok, own, "usage\n"), -1);
    assert_int_equal(fd, 3);
    assert_int_equal(years[0], 2017);
    assert_int_equal(years[1], 2024);
    char why[256];
    const char *bad[] = {"2024-2017", "2017", "x-2020", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(kh_stage_opt_set(&own[2], bad[i], why, sizeof why), -1);
        assert_non_null(strstr(why, "--cohorts must be two years FROM-TO"));
    }
    assert_int_equal(years[0], 2017);
    FILE *saved = stderr;
    stderr = fopen("/dev/null", "w"); /* usage and sentences are expected */
    char *no_store[] = {"kohort-sink", "--key-fd", "3", NULL};
    assert_int_equal(kh_stage_parse(&st, 3, no_store, own, "usage\n"), 2);
    char *no_fd[] = {"kohort-sink", "--run", "r1", "--dir", "/d", "--store", "/s", NULL};
    assert_int_equal(kh_stage_begin(&st, 7, no_fd, own, "usage\n"), 2);
    assert_null(st.stats_sock); /* not started */
    char *reversed[] = {"kohort-sink", "--key-fd", "3", "--store", "/s", "--cohorts", "9-1", NULL};
    assert_int_equal(kh_stage_parse(&st, 7, reversed, own, "usage\n"), 2);
    fclose(stderr);
    stderr = saved;
}

typedef struct {
    int seen, stop_at, fail_at;
    uint64_t seqs[8];
} handled_t;

static int count_handler(kh_stage_t *st, kh_msg_t *m, void *ctx)
{
    handled_t *h = ctx;
    assert_int_equal(st->stats.state, KH_ST_WORKING);
    assert_true(st->busy_since != 0);
    h->seqs[h->seen++] = m->env.seq;
    poll(NULL, 0, 5); /* some busy time */
    if (h->seen == h->fail_at)
        return KH_E_USAGE;
    return h->seen == h->stop_at ? KH_STAGE_DONE : KH_STAGE_CONTINUE;
}

static void send_acks(kh_stage_t *st, void *out, int n, uint64_t first)
{
    for (int i = 0; i < n; i++) {
        kh_env_t env;
        kh_packed_t p;
        kh_stage_env(st, &env, KH_MSG_ACK, 1, first + (uint64_t)i);
        kh_msg_pack_ack(&p, &env, 0);
        assert_int_equal(kh_stage_send(st, out, &p), 0);
    }
}

/* kh_stage_run: each message to the handler in order, DONE ends the loop
 * with 0, an error comes back as the handler's code, the handler's time is
 * busy time, and an idle stage goes to WAITING when asked to. */
static void test_run_loop(void **state)
{
    (void)state;
    supervisor_t sup;
    supervisor_open(&sup);
    kh_stage_t st;
    start_stage(&st, "link");
    void *in = kh_stage_socket(&st, ZMQ_PULL, kh_topology_endpoint(KH_EP_LINK), 1);
    void *out = kh_stage_socket(&st, ZMQ_PUSH, kh_topology_endpoint(KH_EP_LINK), 0);
    send_acks(&st, out, 4, 10);
    handled_t h = {0, 3, 0, {0}};
    assert_int_equal(kh_stage_run(&st, in, count_handler, &h), 0);
    assert_int_equal(h.seen, 3);
    assert_int_equal(h.seqs[0], 10);
    assert_int_equal(h.seqs[2], 12);
    assert_true(st.stats.busy_ns >= 15000000u);
    assert_int_equal(st.busy_since, 0);
    uint64_t busy = st.stats.busy_ns;

    handled_t e = {0, 0, 1, {0}};
    assert_int_equal(kh_stage_run(&st, in, count_handler, &e), KH_E_USAGE);
    assert_int_equal(e.seqs[0], 13);
    assert_true(st.stats.busy_ns > busy);

    /* idle: WORKING -> WAITING after a wait that finds nothing, then a
     * stop ends the loop */
    st.idle_waits = 1;
    kh_stage_stopping = 1;
    st.stats.state = KH_ST_WORKING;
    handled_t none = {0, 0, 0, {0}};
    assert_int_equal(kh_stage_run(&st, in, count_handler, &none), 0);
    assert_int_equal(none.seen, 0);
    kh_stage_stopping = 0;
    kh_stage_busy_begin(&st);
    poll(NULL, 0, 2);
    kh_stage_busy_end(&st);
    kh_stage_busy_end(&st); /* not counting: nothing added */
    assert_int_equal(st.busy_since, 0);

    kh_stage_stopping = 1;
    assert_int_equal(kh_stage_finish(&st), 1);
    kh_stage_stopping = 0;
    supervisor_close(&sup);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common_options),
        cmocka_unit_test(test_start_needs_run_and_dir),
        cmocka_unit_test(test_stats_messages_and_stop),
        cmocka_unit_test(test_finish_without_sending),
        cmocka_unit_test(test_fail_tells_the_supervisor),
        cmocka_unit_test(test_fail_while_watching),
        cmocka_unit_test(test_option_table),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_required_and_years),
        cmocka_unit_test(test_run_loop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
