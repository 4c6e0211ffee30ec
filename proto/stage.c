/* stage.c - the common life of a stage process. See stage.h. */
#define _GNU_SOURCE
#include "proto/stage.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <zmq.h>

#include "proto/err.h"
#include "proto/fault.h"
#include "proto/log.h"
#include "proto/redact.h"
#include "proto/sock.h"
#include "proto/topology.h"
#include "proto/util.h"

volatile sig_atomic_t kh_stage_stopping;

static void on_signal(int sig)
{
    (void)sig;
    kh_stage_stopping = 1;
}

void kh_stage_init(kh_stage_t *st, const char *stage)
{
    memset(st, 0, sizeof *st);
    snprintf(st->stats.stage, sizeof st->stats.stage, "%s", stage);
    st->workers = 1;
    st->log_level = getenv("KOHORT_DEBUG") ? KH_LOG_DEBUG : KH_LOG_INFO;
    st->start_ns = kh_now_ns();
}

/* Reads `arg` as a whole number of `opt`'s kind within its range: into
 * *sval (KH_OPT_INT) or *uval (KH_OPT_UINT64). Returns 0 or -1. */
static int parse_number(const kh_stage_opt_t *opt, const char *arg, long long *sval,
                        unsigned long long *uval)
{
    char *end = NULL;
    errno = 0;
    /* digits only (a sign for an int): strtoll would skip blanks and '+',
     * strtoull would take "-1" as 2^64 - 1 */
    if (!arg || !(isdigit((unsigned char)*arg) || (*arg == '-' && opt->kind == KH_OPT_INT)))
        return -1;
    if (opt->kind == KH_OPT_INT) {
        long long v = strtoll(arg, &end, 10);
        if (errno || *end || v < opt->min || v > INT_MAX ||
            (v >= 0 && (unsigned long long)v > opt->max))
            return -1;
        *sval = v;
        return 0;
    }
    unsigned long long v = strtoull(arg, &end, 10);
    if (errno || *end || (opt->min > 0 && v < (unsigned long long)opt->min) || v > opt->max)
        return -1;
    *uval = v;
    return 0;
}

int kh_stage_opt_set(const kh_stage_opt_t *opt, const char *arg, char *why, size_t cap)
{
    long long sval = 0;
    unsigned long long uval = 0;
    switch (opt->kind) {
    case KH_OPT_FLAG:
        *(int *)opt->target = 1;
        return 0;
    case KH_OPT_STRING:
        *(const char **)opt->target = arg;
        return 0;
    case KH_OPT_YEARS: {
        int from, to;
        if (!arg || sscanf(arg, "%d-%d", &from, &to) != 2 || from > to) {
            snprintf(why, cap, "--%s must be two years FROM-TO with FROM not after TO, not \"%s\"",
                     opt->name, arg ? arg : "");
            return -1;
        }
        ((int *)opt->target)[0] = from;
        ((int *)opt->target)[1] = to;
        return 0;
    }
    case KH_OPT_INT:
    case KH_OPT_UINT64:
        if (parse_number(opt, arg, &sval, &uval) != 0) {
            snprintf(why, cap, "--%s (%s) must be a whole number from %lld to %llu, not \"%s\"",
                     opt->name, opt->help, opt->min, opt->max, arg ? arg : "");
            return -1;
        }
        if (opt->kind == KH_OPT_INT)
            *(int *)opt->target = (int)sval;
        else
            *(uint64_t *)opt->target = (uint64_t)uval;
        return 0;
    }
    return -1;
}

/* Sets a number of the common options, or says why not on stderr. */
static int common_number(const kh_stage_t *st, const char *name, int *target, int min,
                         const char *help, const char *arg)
{
    kh_stage_opt_t opt = KH_OPT_INT(name, target, min, KH_STAGE_MAX_WORKERS, help);
    char why[256];
    if (kh_stage_opt_set(&opt, arg, why, sizeof why) == 0)
        return 1;
    fprintf(stderr, "kohort-%s: %s\n", st->stats.stage, why);
    return -1;
}

int kh_stage_option(kh_stage_t *st, int opt, const char *arg)
{
    switch (opt) {
    case KH_STAGE_OPT + 0:
        snprintf(st->run, sizeof st->run, "%s", arg);
        return 1;
    case KH_STAGE_OPT + 1:
        snprintf(st->dir, sizeof st->dir, "%s", arg);
        return 1;
    case KH_STAGE_OPT + 2:
        return common_number(st, "worker", &st->worker, 0, "this worker's number", arg);
    case KH_STAGE_OPT + 3:
        return common_number(st, "workers", &st->workers, 1, "how many workers run", arg);
    case KH_STAGE_OPT + 4:
        st->log_level = KH_LOG_WARN;
        return 1;
    case KH_STAGE_OPT + 5:
        st->log_level = KH_LOG_DEBUG;
        return 1;
    default:
        return 0;
    }
}

int kh_stage_parse(kh_stage_t *st, int argc, char **argv, const kh_stage_opt_t *opts,
                   const char *usage)
{
    static const struct option common[] = {KH_STAGE_LONGOPTS};
    enum { NCOMMON = sizeof common / sizeof common[0], OWN = 2000, HELP = 'h' };
    size_t nown = 0;
    while (opts && opts[nown].name)
        nown++;
    struct option *lopts = kh_xcalloc(NCOMMON + nown + 2, sizeof *lopts);
    memcpy(lopts, common, sizeof common);
    for (size_t i = 0; i < nown; i++)
        lopts[NCOMMON + i] = (struct option){opts[i].name,
                                             opts[i].kind == KH_OPT_FLAG ? no_argument
                                                                         : required_argument,
                                             0, OWN + (int)i};
    lopts[NCOMMON + nown] = (struct option){"help", no_argument, 0, HELP};
    unsigned char *given = kh_xcalloc(nown + 1, 1);
    int status = -1, opt;
    optind = 1;
    while (status < 0 && (opt = getopt_long(argc, argv, "", lopts, NULL)) != -1) {
        int common_rc = kh_stage_option(st, opt, optarg);
        char why[256];
        if (common_rc < 0) {
            status = 2;
        } else if (common_rc > 0) {
            continue;
        } else if (opt >= OWN && opt < OWN + (int)nown) {
            given[opt - OWN] = 1;
            if (kh_stage_opt_set(&opts[opt - OWN], optarg, why, sizeof why) != 0) {
                fprintf(stderr, "kohort-%s: %s\n", st->stats.stage, why);
                status = 2;
            }
        } else if (opt == HELP) {
            fputs(usage, stdout);
            status = 0;
        } else {
            fputs(usage, stderr);
            status = 2;
        }
    }
    for (size_t i = 0; status < 0 && i < nown; i++)
        if (opts[i].required && !given[i]) {
            fputs(usage, stderr);
            status = 2;
        }
    free(given);
    free(lopts);
    return status;
}

int kh_stage_begin(kh_stage_t *st, int argc, char **argv, const kh_stage_opt_t *opts,
                   const char *usage)
{
    int status = kh_stage_parse(st, argc, argv, opts, usage);
    if (status >= 0)
        return status;
    if (kh_stage_start(st) != 0) {
        fputs(usage, stderr);
        return 2;
    }
    return -1;
}

int kh_stage_start(kh_stage_t *st)
{
    char name[KH_NAME_MAX + 16];
    snprintf(name, sizeof name, "%s.%d", st->stats.stage, st->worker);
    kh_log_init(name, (kh_log_level_t)st->log_level);
    kh_fault_init(st->stats.stage, st->worker);
    kh_sock_tap(name);
    if (!st->run[0] || !st->dir[0] || st->workers < 1 || st->worker < 0) {
        kh_error("usage: --run ID and --dir DIR are required");
        return KH_E_USAGE;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    st->stats.worker = st->worker;
    st->stats.pid = (int32_t)getpid();
    /* Not through kh_sock_open: without ZMQ_IMMEDIATE, so that the first
     * heartbeat (READY) is queued until the connection is up, not dropped. */
    char ep[256];
    void *ctx = kh_sock_ctx();
    st->stats_sock = ctx ? zmq_socket(ctx, ZMQ_PUSH) : NULL;
    int linger = 2000, hwm = 1000;
    zmq_setsockopt(st->stats_sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(st->stats_sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (!st->stats_sock ||
        kh_sock_endpoint(ep, sizeof ep, st->dir, kh_topology_endpoint(KH_EP_STATS)) != 0 ||
        zmq_connect(st->stats_sock, ep) != 0) {
        kh_error("cannot connect the stats socket dir=%s", st->dir);
        return KH_E_USAGE;
    }
    return 0;
}

void *kh_stage_socket(kh_stage_t *st, int type, const char *name, int bind)
{
    char ep[256];
    void *s = NULL;
    if (st->failed)
        return NULL;
    if (!name)
        s = kh_sock_open(type, NULL, bind);
    else if (kh_sock_endpoint(ep, sizeof ep, st->dir, name) == 0)
        s = kh_sock_open(type, ep, bind);
    int rc = 0;
    if (!s) {
        rc = kh_stage_fail(st, "cannot %s socket %s: %s", bind ? "bind" : "connect",
                           name ? name : "(unnamed)", zmq_strerror(errno));
    } else if (st->nsocks == KH_STAGE_MAX_SOCKS) {
        kh_sock_close(&s); /* before kh_stage_fail ends the context */
        rc = kh_stage_fail(st, "too many sockets");
    }
    if (rc)
        return NULL;
    st->socks[st->nsocks++] = s;
    st->sends |= type == ZMQ_PUSH;
    return s;
}

static uint64_t rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, resident = 0;
    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2)
            resident = 0;
        fclose(f);
    }
    return (uint64_t)resident * (uint64_t)sysconf(_SC_PAGESIZE);
}

static void send_stats(kh_stage_t *st)
{
    kh_env_t env;
    kh_packed_t p;
    uint64_t now = kh_now_ns();
    if (st->busy_since) { /* the busy time so far goes out with it */
        st->stats.busy_ns += now - st->busy_since;
        st->busy_since = now;
    }
    st->stats.rss_bytes = rss_bytes();
    st->stats.uptime_ns = now - st->start_ns;
    st->last_stats_ns = now;
    kh_stage_env(st, &env, KH_MSG_STATS, -1, 0);
    kh_msg_pack_stats(&p, &env, &st->stats);
    /* Non-blocking: a heartbeat is never worth stalling the data for. */
    zmq_msg_t m;
    zmq_msg_init_size(&m, p.len);
    memcpy(zmq_msg_data(&m), p.data, p.len);
    free(p.data);
    if (zmq_msg_send(&m, st->stats_sock, ZMQ_DONTWAIT) < 0)
        zmq_msg_close(&m);
}

void kh_stage_state(kh_stage_t *st, kh_state_t state)
{
    int first = st->stats.state == KH_ST_STARTING && state != KH_ST_STARTING;
    st->stats.state = state;
    send_stats(st);
    if (first)
        kh_fault_point("start");
}

void kh_stage_tick(kh_stage_t *st)
{
    if (kh_now_ns() - st->last_stats_ns >= 1000000000u)
        send_stats(st);
}

int kh_stage_send(kh_stage_t *st, void *sock, kh_packed_t *packed)
{
    /* Wait for room with heartbeats going on: a stage held at the peer's
     * high-water mark (back-pressure) is alive, not stalled. */
    for (;;) {
        zmq_pollitem_t item = {sock, 0, ZMQ_POLLOUT, 0};
        int n = zmq_poll(&item, 1, 200);
        if (n > 0)
            break;
        if (n < 0 && errno != EINTR)
            break; /* the send below reports it */
        if (kh_stage_stopping) {
            free(packed->data);
            packed->data = NULL;
            return -EINTR;
        }
        kh_stage_tick(st);
    }
    int rc = kh_sock_send(sock, packed);
    if (rc == 0 || (rc == -EINTR && kh_stage_stopping))
        return rc;
    return kh_stage_fail(st, "cannot send a message: %s", kh_strerror(rc));
}

int kh_stage_recv(kh_stage_t *st, void *sock, kh_msg_t *msg)
{
    int rc = kh_sock_recv(sock, msg, 200);
    kh_stage_tick(st);
    if (rc == -EAGAIN || rc == -EINTR)
        return 0;
    if (rc)
        return kh_stage_fail(st, "cannot receive: %s", kh_strerror(rc));
    if (strcmp(msg->env.run, st->run) != 0) {
        kh_msg_free(msg);
        return kh_stage_fail(st, "a message of another run arrived");
    }
    return 1;
}

void kh_stage_busy_begin(kh_stage_t *st)
{
    if (!st->busy_since)
        st->busy_since = kh_now_ns();
}

void kh_stage_busy_end(kh_stage_t *st)
{
    if (st->busy_since)
        st->stats.busy_ns += kh_now_ns() - st->busy_since;
    st->busy_since = 0;
}

int kh_stage_run(kh_stage_t *st, void *sock, kh_stage_handler_t handler, void *ctx)
{
    while (!kh_stage_stopping) {
        kh_msg_t m;
        int got = kh_stage_recv(st, sock, &m);
        if (got < 0)
            return got;
        if (!got) {
            if (st->idle_waits && st->stats.state == KH_ST_WORKING)
                kh_stage_state(st, KH_ST_WAITING); /* idle: counters go out now */
            continue;
        }
        kh_stage_busy_begin(st);
        st->stats.state = KH_ST_WORKING;
        kh_fault_point(m.env.kind == KH_MSG_EOT ? "eot" : "batch");
        int rc = handler(st, &m, ctx);
        kh_msg_free(&m);
        kh_stage_busy_end(st);
        if (rc == KH_STAGE_DONE)
            return 0;
        if (rc < 0)
            return kh_stage_stopping && !st->failed ? 0 : rc;
    }
    return 0;
}

/* Data sockets without linger: a failed or stopped stage drops what it has
 * not sent, a released one has nothing left; the stats socket gets 2 s for
 * the last counters. */
static void close_all(kh_stage_t *st)
{
    int none = 0;
    for (int i = 0; i < st->nsocks; i++) {
        zmq_setsockopt(st->socks[i], ZMQ_LINGER, &none, sizeof none);
        kh_sock_close(&st->socks[i]);
    }
    st->nsocks = 0;
    int linger = 2000;
    if (st->stats_sock)
        zmq_setsockopt(st->stats_sock, ZMQ_LINGER, &linger, sizeof linger);
    kh_sock_close(&st->stats_sock);
    kh_sock_term();
}

int kh_stage_fail(kh_stage_t *st, const char *fmt, ...)
{
    char reason[KH_REASON_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    kh_redact(reason);
    kh_error("failed reason=\"%s\"", reason);
    if (st->stats_sock) {
        st->stats.state = KH_ST_FAILED;
        send_stats(st);
        kh_env_t env;
        kh_packed_t p;
        kh_stage_env(st, &env, KH_MSG_FAIL, -1, 0);
        kh_msg_pack_fail(&p, &env, reason);
        zmq_msg_t m;
        zmq_msg_init_size(&m, p.len);
        memcpy(zmq_msg_data(&m), p.data, p.len);
        free(p.data);
        if (zmq_msg_send(&m, st->stats_sock, ZMQ_DONTWAIT) < 0)
            zmq_msg_close(&m);
    }
    close_all(st);
    st->failed = 1;
    return KH_E_STAGE;
}

void kh_stage_keep_heap(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 128 << 20);
}

int kh_stage_finish(kh_stage_t *st)
{
    if (st->failed) /* kh_stage_fail told the run and closed everything */
        return 1;
    int stopped = kh_stage_stopping != 0;
    /* the last counters always go out, also when stopped */
    kh_stage_state(st, stopped ? (kh_state_t)st->stats.state : KH_ST_DONE);
    if (!stopped && st->sends)
        while (!kh_stage_stopping) { /* held: see stage.h */
            poll(NULL, 0, 200);
            kh_stage_tick(st);
        }
    /* released: what it sent was taken, or the run is over */
    close_all(st);
    return stopped ? 1 : 0;
}

void kh_stage_env(const kh_stage_t *st, kh_env_t *env, kh_msgkind_t kind, int table, uint64_t seq)
{
    kh_env_set(env, kind, st->run, table, seq);
}
