/* run.c - `kohort run`: one nightly import from start to commit or failure.
 *
 * Starts every stage as a child on private ipc:// endpoints in a 0700
 * runtime directory, hands the pseudonymisation key to the anonymisers
 * through pipes, gathers their stats, and waits for the sink's RESULT. A
 * child that dies, a stall past the timeout, a FAIL message or a signal
 * fails the run: every child is stopped, the ledger records why, and the
 * indicator tables stay as they were (only the sink's commit changes them). */
#define _GNU_SOURCE
#include "cli/run.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "cli/common.h"
#include "cli/metrics.h"
#include "cli/deadrun.h"
#include "cli/runstate.h"
#include "cli/runopts.h"
#include "cli/runview.h"
#include "ingest/extract.h"
#include "proto/defaults.h"
#include "proto/err.h"
#include "proto/log.h"
#include "proto/msg.h"
#include "proto/redact.h"
#include "proto/sock.h"
#include "proto/store.h"
#include "proto/topology.h"
#include "proto/util.h"
#include "transform/pseudo.h"

#define MAX_CHILDREN KH_RUNSTATE_MAX_STAGES
#define MAX_RESTARTS 3

typedef kh_runstage_t child_t;

typedef struct {
    kh_runopts_t opt;             /* as the operator asked */
    char run[KH_RUN_ID_MAX];
    char dir[PATH_MAX];
    uint8_t key[KH_KEY_LEN];
    kh_runstate_t state;          /* the run as the operator's views see it */
    kh_runview_t *view;
    void *resend;                 /* PUSH to ingest, opened at the first replacement */
    void *stats;
    int64_t started_ms;
    uint64_t t0, progress_sum;
    /* The stall clock: milliseconds the watch loop itself ran, each turn
     * counting at most STALL_TURN_MAX_MS, so that time the supervisor spent
     * stopped (SIGSTOP, a starved machine) is never held against the
     * stages. Heartbeats and progress are judged on it. */
    uint64_t clock_ms, turn_ns, last_progress_clock;
    uint64_t seen_clock[MAX_CHILDREN];
} run_t;

#define STALL_TURN_MAX_MS 1000

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    interrupted = sig;
}

static int64_t now_ms(void)
{
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static void make_run_id(char *out, size_t cap)
{
    /* sortable: the ledger lists runs newest first by this key */
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[20];
    strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%S", &tm);
    snprintf(out, cap, "%s.%03dZ-%08x", stamp, (int)(tv.tv_usec / 1000), randombytes_random());
}

static int is_ready(const child_t *c)
{
    return c->stats.state != KH_ST_STARTING;
}

/* The stage child c runs (its slot names it). */
static int kind_of(const child_t *c)
{
    return kh_topology_stage(c->stage);
}

static int is_worker(const child_t *c)
{
    return kh_topology_is_worker((kh_stagekind_t)kind_of(c));
}

static child_t *child_of(run_t *r, pid_t pid)
{
    for (int i = 0; i < r->state.nstages; i++)
        if (r->state.stages[i].pid == pid)
            return &r->state.stages[i];
    return NULL;
}

static child_t *child_named(run_t *r, const char *stage, int worker)
{
    for (int i = 0; i < r->state.nstages; i++)
        if (strcmp(r->state.stages[i].stage, stage) == 0 && r->state.stages[i].worker == worker)
            return &r->state.stages[i];
    return NULL;
}

/* The run's outcome is its phase (the operator's views read the same). */
static int failed(const run_t *r)
{
    return r->state.phase == KH_RUN_FAILED;
}

static int succeeded(const run_t *r)
{
    return r->state.phase == KH_RUN_COMMITTED;
}

static void fail(run_t *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(run_t *r, const char *fmt, ...)
{
    if (failed(r) || succeeded(r))
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->state.reason, sizeof r->state.reason, fmt, ap);
    va_end(ap);
    kh_redact(r->state.reason);
    r->state.phase = KH_RUN_FAILED;
}

/* Starts one stage into `slot` (NULL: a new slot). extra: NULL-terminated
 * further arguments. */
static void spawn_into(run_t *r, child_t *slot, kh_stagekind_t kind, int worker,
                       const char *const *extra, int key_fd)
{
    const char *stage = kh_topology_stage_name(kind);
    char exe[PATH_MAX + 32], workerarg[16], workersarg[16];
    snprintf(exe, sizeof exe, "%s/kohort-%s", r->opt.bindir, stage);
    snprintf(workerarg, sizeof workerarg, "%d", worker);
    snprintf(workersarg, sizeof workersarg, "%d", r->opt.workers);
    const char *argv[40];
    int n = 0;
    argv[n++] = exe;
    argv[n++] = "--run";
    argv[n++] = r->run;
    argv[n++] = "--dir";
    argv[n++] = r->dir;
    argv[n++] = "--worker";
    argv[n++] = workerarg;
    argv[n++] = "--workers";
    argv[n++] = workersarg;
    /* a progress bar on a terminal is not to be interleaved with info lines */
    if (r->opt.quiet || (r->opt.progress && isatty(STDERR_FILENO)))
        argv[n++] = "--quiet";
    for (int i = 0; extra && extra[i] && n < 38; i++)
        argv[n++] = extra[i];
    argv[n] = NULL;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        fail(r, "cannot start %s: %s", stage, strerror(errno));
        return;
    }
    if (pid == 0) {
        /* die with the run, whatever kills it */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        signal(SIGINT, SIG_IGN); /* a terminal's ^C goes to the run, which stops us */
        if (key_fd >= 0 && key_fd != 3) {
            dup2(key_fd, 3);
            close(key_fd);
        }
        execv(exe, (char *const *)argv);
        fprintf(stderr, "kohort: cannot start %s: %s\n", exe, strerror(errno));
        _exit(127);
    }
    child_t *c = slot ? slot : &r->state.stages[r->state.nstages++];
    r->seen_clock[c - r->state.stages] = r->clock_ms;
    uint32_t restarts = slot ? slot->restarts + 1 : 0;
    memset(c, 0, sizeof *c);
    c->restarts = restarts;
    c->last_seen_ms = (uint64_t)now_ms(); /* the heartbeat clock starts at spawn */
    c->pid = pid;
    c->alive = 1;
    snprintf(c->stage, sizeof c->stage, "%s", stage);
    c->worker = worker;
}

static void spawn(run_t *r, kh_stagekind_t stage, int worker, const char *const *extra, int key_fd)
{
    spawn_into(r, NULL, stage, worker, extra, key_fd);
}

/* Hands the key to one anonymiser through a pipe; returns the read end. */
static int key_pipe(run_t *r)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return -1;
    ssize_t w = write(fds[1], r->key, KH_KEY_LEN);
    close(fds[1]);
    if (w != KH_KEY_LEN) {
        close(fds[0]);
        return -1;
    }
    return fds[0];
}

static void replace_worker(run_t *r, child_t *c, int status);

typedef struct {
    const char *run;
    kh_runrec_t *rec;
    int found;
} find_run_t;

static int find_run_cb(void *ctx, const kh_runrec_t *rec)
{
    find_run_t *f = ctx;
    if (strcmp(rec->run, f->run) != 0)
        return 0;
    *f->rec = *rec;
    f->found = 1;
    return KH_STOP;
}

/* The store decides the outcome: when its ledger holds this run as ok (the
 * sink committed, whatever became of its RESULT), the run succeeded.
 * Returns 1 and takes the stored ledger, else 0. */
static int committed_in_store(run_t *r)
{
    kh_store_t *s = NULL;
    if (kh_store_open(r->opt.store, 0, 0, &s) != 0)
        return 0;
    kh_runrec_t *rec = kh_xcalloc(1, sizeof *rec);
    find_run_t f = {r->run, rec, 0};
    kh_store_each_run(s, find_run_cb, &f);
    kh_store_close(&s);
    int ok = f.found && rec->ok;
    if (ok) {
        r->state.ledger = rec->ledger;
        r->state.phase = KH_RUN_COMMITTED;
    }
    free(rec);
    return ok;
}

static void reap(run_t *r)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid <= 0)
            return;
        child_t *c = child_of(r, pid);
        if (!c)
            continue;
        c->alive = 0;
        c->exit_status = status;
        if (succeeded(r))
            continue;
        int clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        int finishes = kind_of(c) >= 0 && !is_worker(c);
        if (clean && finishes) {
            /* a sink that ended cleanly committed: its RESULT may have been
             * lost (a supervisor stopped past the sink's linger) */
            if (kind_of(c) == KH_STAGE_SINK && !failed(r) && !committed_in_store(r))
                fail(r, "the sink ended without committing");
            continue;
        }
        if (is_worker(c) && !failed(r)) {
            replace_worker(r, c, status);
            continue;
        }
        /* give a dying stage's FAIL message a moment to arrive */
        for (int i = 0; i < 5 && !failed(r); i++) {
            kh_msg_t m;
            if (kh_sock_recv(r->stats, &m, 100) == 0) {
                if (m.env.kind == KH_MSG_FAIL)
                    fail(r, "%s", m.reason);
                kh_msg_free(&m);
            }
        }
        if (WIFSIGNALED(status))
            fail(r, "stage %s.%d (pid %d) was killed by signal %d", c->stage, c->worker,
                 (int)pid, WTERMSIG(status));
        else
            fail(r, "stage %s.%d (pid %d) exited with status %d", c->stage, c->worker,
                 (int)pid, WEXITSTATUS(status));
    }
}

static uint64_t progress_sum(const run_t *r)
{
    uint64_t sum = 0;
    for (int i = 0; i < r->state.nstages; i++) {
        const kh_stats_t *s = &r->state.stages[i].stats;
        sum += s->busy_ns / 1000000u + (uint64_t)s->state;
        for (int t = 0; t < KH_TAB_COUNT; t++)
            sum += s->tables[t].rows_in + s->tables[t].rows_out + s->tables[t].batches_in;
    }
    return sum;
}

static void handle(run_t *r, kh_msg_t *m)
{
    if (strcmp(m->env.run, r->run) != 0)
        return;
    if (m->env.kind == KH_MSG_STATS) {
        child_t *c = child_named(r, m->stats.stage, m->stats.worker);
        if (!c)
            return;
        c->stats = m->stats;
        c->last_seen_ms = (uint64_t)now_ms();
        r->seen_clock[c - r->state.stages] = r->clock_ms;
    } else if (m->env.kind == KH_MSG_FAIL) {
        /* the linker takes the reference year from the newest accepted
         * bosatte row; with none it has no year to compute: say what to do */
        if (strstr(m->reason, " has no accepted row ("))
            fail(r, "%s: %s", m->reason,
                 r->opt.allow_synthetic
                     ? "check bosatte.csv (kohort check, kohort quarantine) or give --ref-year"
                     : "if this is test data made by kohort gen, its ids are synthetic and need "
                       "--allow-synthetic-ids; else check bosatte.csv (kohort check, kohort "
                       "quarantine)");
        else
            fail(r, "%s", m->reason);
    } else if (m->env.kind == KH_MSG_RESULT && m->ok && !failed(r)) {
        r->state.phase = KH_RUN_COMMITTED;
        r->state.ledger = m->ledger;
    }
}

/* A stage that sends no stats for the stall timeout hangs: a worker is
 * killed (and so replaced), a stateful stage fails the run. */
static void check_heartbeats(run_t *r)
{
    uint64_t now = r->clock_ms, limit = (uint64_t)r->opt.stall_timeout * 1000u;
    for (int i = 0; i < r->state.nstages && !failed(r) && !succeeded(r); i++) {
        child_t *c = &r->state.stages[i];
        if (!c->alive || now - r->seen_clock[i] <= limit)
            continue;
        if (is_worker(c)) {
            kh_warn("stage_killed worker=%s.%d pid=%d reason=\"no heartbeat for %d s; killing it\"",
                    c->stage, c->worker, (int)c->pid, r->opt.stall_timeout);
            kill(c->pid, SIGKILL);
            r->seen_clock[i] = now; /* once; reap() replaces it */
        } else {
            fail(r, "stage %s.%d (pid %d) sent no heartbeat for %d seconds", c->stage, c->worker,
                 (int)c->pid, r->opt.stall_timeout);
        }
    }
}

/* Advances the stall clock by the time since the last turn, at most
 * STALL_TURN_MAX_MS: a supervisor that was stopped resumes with its
 * stages' heartbeats still to be read, not with everyone overdue. */
static void tick_clock(run_t *r)
{
    uint64_t now = kh_now_ns();
    uint64_t ms = (now - r->turn_ns) / 1000000u;
    r->turn_ns = now;
    r->clock_ms += ms < STALL_TURN_MAX_MS ? ms : STALL_TURN_MAX_MS;
}

/* One turn of the watch loop: messages, children, stall, signals. */
static void watch(run_t *r, int timeout_ms)
{
    kh_msg_t m;
    tick_clock(r);
    int rc = kh_sock_recv(r->stats, &m, timeout_ms);
    tick_clock(r);
    if (rc == 0) {
        handle(r, &m);
        kh_msg_free(&m);
        while (kh_sock_recv(r->stats, &m, 0) == 0) {
            handle(r, &m);
            kh_msg_free(&m);
        }
    }
    reap(r);
    check_heartbeats(r);
    r->state.updated_ms = now_ms();
    kh_runview_tick(r->view, &r->state);
    if (interrupted)
        fail(r, "interrupted by signal %d", (int)interrupted);
    uint64_t sum = progress_sum(r);
    if (sum != r->progress_sum) {
        r->progress_sum = sum;
        r->last_progress_clock = r->clock_ms;
        r->state.last_progress_ms = now_ms();
    } else if (r->clock_ms - r->last_progress_clock > (uint64_t)r->opt.stall_timeout * 1000u) {
        fail(r, "no stage made progress for %d seconds", r->opt.stall_timeout);
    }
}

/* Waits until every child of the layer [from, nchildren) is ready. */
static void wait_ready(run_t *r, int from)
{
    uint64_t deadline = kh_now_ns() + 30ull * 1000000000u;
    for (;;) {
        int all = 1;
        for (int i = from; i < r->state.nstages; i++)
            all &= is_ready(&r->state.stages[i]);
        if (all || failed(r))
            return;
        if (kh_now_ns() > deadline) {
            fail(r, "stages did not start within 30 seconds");
            return;
        }
        watch(r, 100);
    }
}

static void stop_children(run_t *r, int sig, int grace_ms)
{
    for (int i = 0; i < r->state.nstages; i++)
        if (r->state.stages[i].alive)
            kill(r->state.stages[i].pid, sig);
    uint64_t deadline = kh_now_ns() + (uint64_t)grace_ms * 1000000u;
    for (;;) {
        int alive = 0;
        for (int i = 0; i < r->state.nstages; i++) {
            child_t *c = &r->state.stages[i];
            if (!c->alive)
                continue;
            int status;
            pid_t pid = waitpid(c->pid, &status, WNOHANG);
            if (pid == c->pid) {
                c->alive = 0;
                c->exit_status = status;
            } else {
                alive++;
            }
        }
        if (!alive)
            return;
        /* the children's last counters */
        kh_msg_t m;
        while (r->stats && kh_sock_recv(r->stats, &m, 0) == 0) {
            handle(r, &m);
            kh_msg_free(&m);
        }
        if (kh_now_ns() > deadline) {
            for (int i = 0; i < r->state.nstages; i++)
                if (r->state.stages[i].alive)
                    kill(r->state.stages[i].pid, SIGKILL);
            deadline = UINT64_MAX;
        }
        struct timespec ts = {0, 10 * 1000000};
        nanosleep(&ts, NULL); /* polling children's exit, not synchronising data */
    }
}

/* Starts validate or anonymise worker `worker` into `slot` (NULL: new). */
static void start_worker(run_t *r, child_t *slot, kh_stagekind_t stage, int worker)
{
    if (stage == KH_STAGE_ANONYMISE) {
        int fd = key_pipe(r);
        if (fd < 0) {
            fail(r, "cannot hand the key to an anonymiser: %s", strerror(errno));
            return;
        }
        const char *anon_args[] = {"--key-fd", "3", NULL};
        spawn_into(r, slot, stage, worker, anon_args, fd);
        close(fd);
        return;
    }
    const char *val_args[6];
    int n = 0;
    val_args[n++] = "--extracts"; /* ingest sends a plain file's batches as ranges */
    val_args[n++] = r->opt.extracts;
    if (r->opt.allow_synthetic)
        val_args[n++] = "--allow-synthetic-ids";
    if (r->opt.rule_2032)
        val_args[n++] = "--id-rule-2032";
    val_args[n] = NULL;
    spawn_into(r, slot, stage, worker, val_args, -1);
}

/* A worker died (or hung and was killed): start a replacement in its slot
 * and have ingest send again everything not yet acknowledged by the linker;
 * the linker drops what it already has by sequence number. */
static void replace_worker(run_t *r, child_t *c, int status)
{
    if (c->restarts >= MAX_RESTARTS) {
        fail(r, "stage %s.%d died %u times; the last was %s %d", c->stage, c->worker,
             c->restarts + 1, WIFSIGNALED(status) ? "signal" : "exit status",
             WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
        return;
    }
    kh_warn("stage_replaced worker=%s.%d pid=%d reason=\"died (%s %d); starting a replacement\"",
            c->stage, c->worker, (int)c->pid, WIFSIGNALED(status) ? "signal" : "exit status",
            WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    kh_stagekind_t stage = (kh_stagekind_t)kind_of(c);
    /* an injected fault (test builds) strikes once: not the replacement */
    unsetenv("KOHORT_FAULT");
    start_worker(r, c, stage, c->worker);
    if (!r->resend)
        return; /* ingest has not started: nothing was sent yet */
    kh_env_t env;
    kh_packed_t p;
    kh_env_set(&env, KH_MSG_RESEND, r->run, -1, 0);
    kh_msg_pack_resend(&p, &env);
    zmq_msg_t m;
    zmq_msg_init_size(&m, p.len);
    memcpy(zmq_msg_data(&m), p.data, p.len);
    free(p.data);
    /* queued until ingest takes it: never block the watch loop */
    if (zmq_msg_send(&m, r->resend, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&m);
        fail(r, "cannot ask ingest to send again what stage %s.%d held", c->stage, c->worker);
    }
}

static void start_stages(run_t *r)
{
    char mincell[16], started[32], ref[16];
    snprintf(mincell, sizeof mincell, "%d", r->opt.min_cell);
    snprintf(started, sizeof started, "%lld", (long long)r->started_ms);
    snprintf(ref, sizeof ref, "%d", r->opt.ref_year);

    const char *sink_args[10];
    int ns = 0;
    sink_args[ns++] = "--store";
    sink_args[ns++] = r->opt.store;
    sink_args[ns++] = "--started-ms";
    sink_args[ns++] = started;
    sink_args[ns++] = "--min-cell";
    sink_args[ns++] = mincell;
    if (r->opt.allow_shrink)
        sink_args[ns++] = "--allow-shrink";
    if (r->opt.store_max) {
        sink_args[ns++] = "--store-max-bytes";
        sink_args[ns++] = r->opt.store_max;
    }
    sink_args[ns] = NULL;
    spawn(r, KH_STAGE_SINK, 0, sink_args, -1);
    wait_ready(r, r->state.nstages - 1);
    /* the aggregator reads (never writes) the other stored years: 7.4 */
    const char *agg_args[] = {"--min-cell", mincell, "--store", r->opt.store, NULL};
    spawn(r, KH_STAGE_AGGREGATE, 0, agg_args, -1);
    wait_ready(r, r->state.nstages - 1);
    const char *link_args[8];
    int n = 0;
    if (r->opt.ref_year) {
        link_args[n++] = "--ref-year";
        link_args[n++] = ref;
    }
    if (r->opt.cohorts) {
        link_args[n++] = "--cohorts";
        link_args[n++] = r->opt.cohorts;
    }
    link_args[n] = NULL;
    spawn(r, KH_STAGE_LINK, 0, link_args, -1);
    wait_ready(r, r->state.nstages - 1);
    if (failed(r))
        return;
    int first = r->state.nstages;
    for (int i = 0; i < r->opt.workers && !failed(r); i++)
        start_worker(r, NULL, KH_STAGE_ANONYMISE, i);
    wait_ready(r, first);
    first = r->state.nstages;
    for (int i = 0; i < r->opt.workers && !failed(r); i++)
        start_worker(r, NULL, KH_STAGE_VALIDATE, i);
    wait_ready(r, first);
    if (failed(r))
        return;
    const char *ingest_args[8];
    n = 0;
    ingest_args[n++] = "--extracts";
    ingest_args[n++] = r->opt.extracts;
    if (r->opt.line_limit) {
        ingest_args[n++] = "--line-limit";
        ingest_args[n++] = r->opt.line_limit;
    }
    if (r->opt.max_file_bytes) {
        ingest_args[n++] = "--max-file-bytes";
        ingest_args[n++] = r->opt.max_file_bytes;
    }
    ingest_args[n] = NULL;
    /* the channel for resend requests after a worker dies: connected before
     * ingest binds, without ZMQ_IMMEDIATE, so a request waits in the queue */
    char ep[256];
    kh_sock_endpoint(ep, sizeof ep, r->dir, kh_topology_endpoint(KH_EP_INGEST_ACK));
    void *ctx = kh_sock_ctx();
    r->resend = ctx ? zmq_socket(ctx, ZMQ_PUSH) : NULL;
    if (!r->resend) {
        fail(r, "cannot connect to ingest: %s", zmq_strerror(errno));
        return;
    }
    int linger = 0, hwm = 0;
    zmq_setsockopt(r->resend, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(r->resend, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (zmq_connect(r->resend, ep) != 0) {
        fail(r, "cannot connect to ingest: %s", zmq_strerror(errno));
        return;
    }
    spawn(r, KH_STAGE_INGEST, 0, ingest_args, -1);
    if (!failed(r))
        r->state.phase = KH_RUN_RUNNING;
}

static void record_failure(run_t *r)
{
    kh_store_t *store = NULL;
    int rc = kh_store_open(r->opt.store, 1, 0, &store);
    if (rc) {
        kh_error("ledger_not_written reason=\"the failed run could not be recorded in the ledger: "
                 "%s\"", kh_strerror(rc));
        return;
    }
    kh_runrec_t *rec = kh_xcalloc(1, sizeof *rec);
    snprintf(rec->run, sizeof rec->run, "%s", r->run);
    rec->started_ms = r->started_ms;
    rec->finished_ms = now_ms();
    rec->ok = 0;
    rec->min_cell = r->opt.min_cell;
    snprintf(rec->reason, sizeof rec->reason, "%s", r->state.reason);
    rec->ledger.ref_year = r->opt.ref_year;
    /* what the stages reported before the failure */
    kh_deadrun_counts(rec, &r->state);
    rc = kh_store_put_run(store, rec);
    if (rc)
        kh_error("ledger_not_written reason=\"the failed run could not be recorded in the ledger: "
                 "%s\"", kh_strerror(rc));
    free(rec);
    kh_store_close(&store);
}

static void print_summary(const run_t *r)
{
    const kh_ledger_t *l = &r->state.ledger;
    double secs = (double)(kh_now_ns() - r->t0) / 1e9;
    printf("kohort: run %s ok: reference year %d, cohorts %d-%d, %.1f s\n", r->run, l->ref_year,
           l->cohort_from, l->cohort_to, secs);
    printf("%-22s %12s %12s %10s %12s\n", "table", "read", "accepted", "rejected", "out_of_scope");
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const kh_tablecount_t *tc = &l->tables[t];
        if (!tc->present)
            continue;
        printf("%-22s %12llu %12llu %10llu %12llu\n", kh_schema_table((kh_table_t)t)->name,
               (unsigned long long)tc->read, (unsigned long long)tc->accepted,
               (unsigned long long)tc->rejected, (unsigned long long)tc->out_of_scope);
    }
    printf("persons: participants %llu, placed %llu, no_home %llu, ambiguous_kommune %llu\n",
           (unsigned long long)l->participants, (unsigned long long)l->placed,
           (unsigned long long)l->no_home, (unsigned long long)l->ambiguous_kommune);
    /* step 7.4 may have hidden cells of other stored years: say which */
    if (l->has_suppression && l->nchanged_years) {
        printf("disclosure control across years: %llu cells of other reference years newly "
               "suppressed (", (unsigned long long)l->suppressed_elsewhere);
        for (uint32_t i = 0; i < l->nchanged_years; i++)
            printf("%s%d", i ? " " : "", l->changed_years[i]);
        printf(")\n");
    }
}

/* What the operator's views know from the start. */
static void init_state(run_t *r)
{
    kh_runstate_t *s = &r->state;
    snprintf(s->run, sizeof s->run, "%s", r->run);
    snprintf(s->store, sizeof s->store, "%s", r->opt.store);
    snprintf(s->extracts, sizeof s->extracts, "%s", r->opt.extracts);
    s->phase = KH_RUN_STARTING;
    s->started_ms = s->updated_ms = s->last_progress_ms = r->started_ms;
    s->stall_timeout_s = r->opt.stall_timeout;
    s->workers = r->opt.workers;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        char path[4096], why[256];
        const char *base;
        struct stat sb;
        if (kh_extract_find(r->opt.extracts, (kh_table_t)t, path, sizeof path, &base, why,
                            sizeof why) == 1 && stat(path, &sb) == 0)
            s->file_bytes[t] = (uint64_t)sb.st_size;
    }
}

int kh_run_main(int argc, char **argv)
{
    run_t *r = kh_xcalloc(1, sizeof *r);
    int rc = kh_runopts_parse(&r->opt, argc, argv);
    if (rc) {
        free(r);
        return rc == 1 ? 0 : 2;
    }
    /* the supervisor's events in the stages' format (and --log-format) */
    kh_log_init("run", r->opt.quiet ? KH_LOG_WARN : KH_LOG_INFO);
    if (sodium_init() < 0) {
        fprintf(stderr, "kohort: libsodium cannot be initialised\n");
        free(r);
        return 1;
    }
    if (r->opt.key_file) {
        char why[KH_REASON_MAX];
        if (kh_pseudo_read_key(r->opt.key_file, r->key, why, sizeof why) != 0) {
            fprintf(stderr, "kohort: %s\n", why);
            free(r);
            return 2;
        }
    } else {
        randombytes_buf(r->key, sizeof r->key);
    }
    int lock = kh_store_lock(r->opt.store);
    if (lock == KH_E_BUSY) {
        fprintf(stderr, "kohort: the store %s is busy: another run is writing it\n", r->opt.store);
        free(r);
        return 3;
    }
    if (lock < 0) {
        fprintf(stderr, "kohort: cannot use the store %s: %s\n", r->opt.store, kh_strerror(lock));
        free(r);
        return 2;
    }
    kh_store_t *probe = NULL;
    rc = kh_store_open(r->opt.store, 1, 0, &probe);
    if (rc) {
        fprintf(stderr, "kohort: cannot open the store %s: %s\n", r->opt.store, kh_strerror(rc));
        close(lock);
        free(r);
        return rc == KH_E_DAMAGED ? 1 : 2; /* damage is no configuration error */
    }
    kh_store_close(&probe);
    char dead[KH_REASON_MAX];
    if (kh_deadrun_recover(r->opt.store, dead, sizeof dead) != 0)
        fprintf(stderr, "kohort: %s\n", dead);
    make_run_id(r->run, sizeof r->run);
    r->started_ms = now_ms();
    const char *base = getenv("XDG_RUNTIME_DIR");
    if (!base || strlen(base) > 60 || access(base, W_OK) != 0)
        base = "/tmp";
    snprintf(r->dir, sizeof r->dir, "%s/kohort-XXXXXX", base);
    if (!mkdtemp(r->dir)) {
        fprintf(stderr, "kohort: cannot create a runtime directory: %s\n", strerror(errno));
        close(lock);
        free(r);
        return 1;
    }
    chmod(r->dir, 0700);
    init_state(r);
    snprintf(r->state.rundir, sizeof r->state.rundir, "%.127s", r->dir); /* base: 60 at most */
    kh_runview_opts_t vopts = {r->opt.metrics_addr, r->opt.metrics_file, r->opt.progress, r->opt.quiet};
    char why[KH_REASON_MAX];
    rc = kh_runview_open(&vopts, &r->state, &r->view, why, sizeof why);
    if (rc) {
        fprintf(stderr, "kohort: %s\n", why);
        rmdir(r->dir);
        close(lock);
        free(r);
        return 2;
    }
    r->t0 = r->turn_ns = kh_now_ns();

    char ep[256];
    kh_sock_endpoint(ep, sizeof ep, r->dir, kh_topology_endpoint(KH_EP_STATS));
    r->stats = kh_sock_open(ZMQ_PULL, ep, 1);
    int unlimited = 0;
    if (r->stats)
        zmq_setsockopt(r->stats, ZMQ_RCVHWM, &unlimited, sizeof unlimited);
    else
        fail(r, "cannot bind the stats socket: %s", zmq_strerror(errno));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL); /* a closed terminal stops the run cleanly too */
    signal(SIGPIPE, SIG_IGN);

    if (!failed(r))
        start_stages(r);
    while (!failed(r) && !succeeded(r))
        watch(r, 200);
    sodium_memzero(r->key, sizeof r->key);
    if (succeeded(r)) {
        /* the workers wait for more, the stages that send are held until
         * the sink has taken everything (kh_stage_finish): release them */
        stop_children(r, SIGTERM, 10000);
    } else {
        stop_children(r, SIGTERM, 5000);
        /* the sink may have committed before the failure was seen (it died
         * or was stopped after its commit, the supervisor was interrupted
         * or paused): then the run succeeded, and the ledger says so */
        if (committed_in_store(r))
            kh_warn("committed_before_failure run=%s reason=\"the store holds the run as committed "
                    "(%s after the commit); the run succeeded\"", r->run, r->state.reason);
        else
            record_failure(r);
    }
    r->state.updated_ms = now_ms();
    /* The runtime files go before the status snapshot that names them: a
     * supervisor killed in between leaves the snapshot, from which the
     * next command clears what is left (cli/deadrun.c); killed after its
     * snapshot went, it has left nothing. */
    kh_sock_close(&r->resend);
    kh_sock_close(&r->stats);
    kh_sock_term();
    char path[PATH_MAX + 48], name[32];
    for (int e = 0; e < KH_EP_COUNT; e++) {
        for (int i = 0; i < (kh_topology_per_worker((kh_endpoint_t)e) ? r->opt.workers : 1); i++) {
            kh_topology_worker_endpoint((kh_endpoint_t)e, i, name, sizeof name);
            snprintf(path, sizeof path, "%s/%s", r->dir, name);
            unlink(path);
        }
    }
    rmdir(r->dir);
    kh_runview_close(&r->view, &r->state);
    close(lock);
    int status = 0;
    if (succeeded(r)) {
        if (!r->opt.quiet)
            print_summary(r);
    } else {
        fprintf(stderr, "kohort: run %s failed: %s\n", r->run, r->state.reason);
        status = 1;
    }
    free(r);
    return status;
}
