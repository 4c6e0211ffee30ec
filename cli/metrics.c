/* metrics.c - Prometheus text for a run and for the ledger, the metrics
 * file, the HTTP endpoint and `kohort metrics`. See metrics.h.
 *
 * Names follow the Prometheus conventions: a `kohort_` prefix, base units
 * (seconds, bytes), counters ending in `_total`, and one family written
 * once with its HELP and TYPE. The live run's families are kohort_run_* and
 * kohort_stage_*; the ledger's are kohort_last_run_*, kohort_last_success_*
 * and kohort_ledger_*, so a metrics file can hold both. */
#define _GNU_SOURCE
#include "cli/metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/common.h"
#include "cli/snapshot.h"
#include "proto/err.h"
#include "proto/store.h"
#include "proto/topology.h"
#include "proto/util.h"

/* ---- text helpers ------------------------------------------------------------------------ */

static void family(FILE *f, const char *name, const char *type, const char *help)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label_value(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
}

static void stage_labels(FILE *f, const kh_runstage_t *c)
{
    fprintf(f, "{stage=\"");
    label_value(f, c->stage);
    fprintf(f, "\",worker=\"%d\"", c->worker);
}

static double seconds(int64_t ms)
{
    return (double)ms / 1e3;
}

/* ---- the run ---------------------------------------------------------------------------- */

typedef enum { C_BATCHES_IN, C_ROWS_IN, C_BATCHES_OUT, C_ROWS_OUT, C_REJECTED, C_COUNT } counter_t;

static uint64_t counter(const kh_tablestats_t *ts, counter_t c)
{
    switch (c) {
    case C_BATCHES_IN: return ts->batches_in;
    case C_ROWS_IN: return ts->rows_in;
    case C_BATCHES_OUT: return ts->batches_out;
    case C_ROWS_OUT: return ts->rows_out;
    default: return ts->rows_rejected;
    }
}

/* A stage's table gets its series once the file exists or anything moved. */
static int table_shown(const kh_runstate_t *s, const kh_runstage_t *c, int t)
{
    const kh_tablestats_t *ts = &c->stats.tables[t];
    return s->file_bytes[t] || ts->batches_in || ts->rows_in || ts->batches_out || ts->rows_out ||
           ts->rows_rejected || ts->bytes_read;
}

void kh_metrics_run(FILE *f, const kh_runstate_t *s, int64_t now_ms)
{
    kh_snapshot_progress_t p;
    kh_snapshot_progress(s, now_ms, &p);
    char why[KH_REASON_MAX + 100];
    int healthy = kh_snapshot_health(s, now_ms, why, sizeof why);

    family(f, "kohort_run_info", "gauge", "The run being watched (always 1).");
    fprintf(f, "kohort_run_info{run=\"");
    label_value(f, s->run);
    fprintf(f, "\",store=\"");
    label_value(f, s->store);
    fprintf(f, "\"} 1\n");
    family(f, "kohort_run_phase", "gauge", "1 for the phase the run is in.");
    for (int ph = KH_RUN_STARTING; ph <= KH_RUN_FAILED; ph++)
        fprintf(f, "kohort_run_phase{phase=\"%s\"} %d\n", kh_snapshot_phase_name(ph), ph == s->phase);
    family(f, "kohort_run_healthy", "gauge",
           "1 unless a stage died, no counter moved for half the stall timeout, or the run failed.");
    fprintf(f, "kohort_run_healthy %d\n", healthy);
    family(f, "kohort_run_started_timestamp_seconds", "gauge", "When the run started (Unix time).");
    fprintf(f, "kohort_run_started_timestamp_seconds %.3f\n", seconds(s->started_ms));
    family(f, "kohort_run_last_progress_timestamp_seconds", "gauge",
           "When a stage's counters last changed (Unix time).");
    fprintf(f, "kohort_run_last_progress_timestamp_seconds %.3f\n", seconds(s->last_progress_ms));
    family(f, "kohort_run_stall_timeout_seconds", "gauge", "The run fails after this long without progress.");
    fprintf(f, "kohort_run_stall_timeout_seconds %d\n", s->stall_timeout_s);
    family(f, "kohort_run_workers", "gauge", "Validate and anonymise processes of the run.");
    fprintf(f, "kohort_run_workers %d\n", s->workers);
    family(f, "kohort_run_file_bytes", "gauge", "Size on disk of each table's file.");
    for (int t = 0; t < KH_TAB_COUNT; t++)
        if (s->file_bytes[t])
            fprintf(f, "kohort_run_file_bytes{table=\"%s\"} %llu\n", kh_schema_table((kh_table_t)t)->name,
                    (unsigned long long)s->file_bytes[t]);
    family(f, "kohort_run_read_bytes_total", "counter", "Bytes of each table's file ingest has read.");
    for (int t = 0; t < KH_TAB_COUNT; t++)
        if (s->file_bytes[t])
            fprintf(f, "kohort_run_read_bytes_total{table=\"%s\"} %llu\n",
                    kh_schema_table((kh_table_t)t)->name, (unsigned long long)p.tables[t].bytes_read);
    family(f, "kohort_run_progress_ratio", "gauge",
           "Share of each table read and carried through to the linker (0 to 1).");
    for (int t = 0; t < KH_TAB_COUNT; t++)
        if (s->file_bytes[t])
            fprintf(f, "kohort_run_progress_ratio{table=\"%s\"} %.4f\n",
                    kh_schema_table((kh_table_t)t)->name, p.tables[t].ratio);
    family(f, "kohort_run_overall_progress_ratio", "gauge", "Share of the whole extract done, by size (0 to 1).");
    fprintf(f, "kohort_run_overall_progress_ratio %.4f\n", p.ratio);
    if (p.eta_s >= 0) {
        family(f, "kohort_run_estimated_remaining_seconds", "gauge", "Estimated time left for the run.");
        fprintf(f, "kohort_run_estimated_remaining_seconds %.0f\n", p.eta_s);
    }

    family(f, "kohort_build_info", "gauge", "Always 1; the version of the kohort running.");
    fprintf(f, "kohort_build_info{version=\"%s\"} 1\n", kh_cli_version());
    family(f, "kohort_stage_backlog_rows", "gauge",
           "Rows the stage before sent that this stage has not received yet (as kohort top shows).");
    for (int q = 0; q < KH_STAGE_COUNT; q++) {
        uint64_t rows;
        if (kh_snapshot_backlog(s, (kh_stagekind_t)q, &rows))
            fprintf(f, "kohort_stage_backlog_rows{stage=\"%s\"} %llu\n",
                    kh_topology_stage_name((kh_stagekind_t)q), (unsigned long long)rows);
    }
    family(f, "kohort_stage_up", "gauge", "1 while the stage process runs.");
    for (int i = 0; i < s->nstages; i++) {
        fprintf(f, "kohort_stage_up");
        stage_labels(f, &s->stages[i]);
        fprintf(f, "} %d\n", s->stages[i].alive ? 1 : 0);
    }
    family(f, "kohort_stage_state", "gauge", "1 for the state the stage process reports.");
    for (int i = 0; i < s->nstages; i++) {
        const kh_runstage_t *c = &s->stages[i];
        int cur = c->last_seen_ms ? c->stats.state : KH_ST_STARTING;
        for (int st = 0; st < KH_ST_COUNT; st++) {
            fprintf(f, "kohort_stage_state");
            stage_labels(f, c);
            fprintf(f, ",state=\"%s\"} %d\n", kh_state_name(st), st == cur);
        }
    }
    family(f, "kohort_stage_restarts_total", "counter", "Replacements started for the stage process.");
    for (int i = 0; i < s->nstages; i++) {
        fprintf(f, "kohort_stage_restarts_total");
        stage_labels(f, &s->stages[i]);
        fprintf(f, "} %u\n", s->stages[i].restarts);
    }
    static const struct {
        const char *name, *help;
    } counters[C_COUNT] = {
        {"kohort_stage_received_batches_total", "Batches the stage received, per table."},
        {"kohort_stage_received_rows_total", "Rows the stage received, per table."},
        {"kohort_stage_sent_batches_total", "Batches the stage sent on, per table."},
        {"kohort_stage_sent_rows_total", "Rows the stage sent on, per table."},
        {"kohort_stage_rejected_rows_total", "Rows the stage rejected to the quarantine, per table."},
    };
    for (int k = 0; k < C_COUNT; k++) {
        family(f, counters[k].name, "counter", counters[k].help);
        for (int i = 0; i < s->nstages; i++) {
            const kh_runstage_t *c = &s->stages[i];
            for (int t = 0; t < KH_TAB_COUNT; t++) {
                if (!table_shown(s, c, t))
                    continue;
                fprintf(f, "%s", counters[k].name);
                stage_labels(f, c);
                fprintf(f, ",table=\"%s\"} %llu\n", kh_schema_table((kh_table_t)t)->name,
                        (unsigned long long)counter(&c->stats.tables[t], (counter_t)k));
            }
        }
    }
    family(f, "kohort_stage_busy_seconds_total", "counter", "Time the stage process spent working.");
    for (int i = 0; i < s->nstages; i++) {
        fprintf(f, "kohort_stage_busy_seconds_total");
        stage_labels(f, &s->stages[i]);
        fprintf(f, "} %.3f\n", (double)s->stages[i].stats.busy_ns / 1e9);
    }
    family(f, "kohort_stage_uptime_seconds", "gauge", "Age of the stage process at its latest report.");
    for (int i = 0; i < s->nstages; i++) {
        fprintf(f, "kohort_stage_uptime_seconds");
        stage_labels(f, &s->stages[i]);
        fprintf(f, "} %.3f\n", (double)s->stages[i].stats.uptime_ns / 1e9);
    }
    family(f, "kohort_stage_resident_memory_bytes", "gauge", "Resident memory of the stage process.");
    for (int i = 0; i < s->nstages; i++) {
        fprintf(f, "kohort_stage_resident_memory_bytes");
        stage_labels(f, &s->stages[i]);
        fprintf(f, "} %llu\n", (unsigned long long)s->stages[i].stats.rss_bytes);
    }
    family(f, "kohort_stage_last_seen_timestamp_seconds", "gauge",
           "When the stage process last reported its counters (Unix time).");
    for (int i = 0; i < s->nstages; i++) {
        fprintf(f, "kohort_stage_last_seen_timestamp_seconds");
        stage_labels(f, &s->stages[i]);
        fprintf(f, "} %.3f\n", seconds((int64_t)s->stages[i].last_seen_ms));
    }
}

/* ---- the ledger ------------------------------------------------------------------------- */

typedef struct {
    int n, nok, nfailed;
    kh_runrec_t last;          /* newest run */
    int64_t last_ok_finished_ms;
    int last_ok_ref_year;
    int have_ok;
} ledger_ctx_t;

static int ledger_each(void *ctx, const kh_runrec_t *rec)
{
    ledger_ctx_t *l = ctx;
    if (l->n++ == 0)
        l->last = *rec;
    if (rec->ok) {
        l->nok++;
        if (!l->have_ok) {
            l->have_ok = 1;
            l->last_ok_finished_ms = rec->finished_ms;
            l->last_ok_ref_year = rec->ledger.ref_year;
        }
    } else {
        l->nfailed++;
    }
    return 0;
}

static void per_table(FILE *f, const kh_ledger_t *lg, const char *name, const char *help, int which)
{
    family(f, name, "gauge", help);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const kh_tablecount_t *tc = &lg->tables[t];
        if (!tc->present)
            continue;
        fprintf(f, "%s{table=\"%s\"} ", name, kh_schema_table((kh_table_t)t)->name);
        switch (which) {
        case 0: fprintf(f, "%llu\n", (unsigned long long)tc->read); break;
        case 1: fprintf(f, "%llu\n", (unsigned long long)tc->accepted); break;
        case 2: fprintf(f, "%llu\n", (unsigned long long)tc->rejected); break;
        case 3: fprintf(f, "%llu\n", (unsigned long long)tc->out_of_scope); break;
        case 4: fprintf(f, "%llu\n", (unsigned long long)tc->bytes); break;
        default:
            fprintf(f, "%.6f\n", tc->read ? (double)tc->rejected / (double)tc->read : 0.0);
            break;
        }
    }
}

/* The newest successful run's disclosure control (indicators.md 7): base
 * and count cells hidden per table and step, and cells of other stored
 * years it hid (a publication of those years is then out of date). */
static void suppression(FILE *f, const kh_ledger_t *lg)
{
    static const char *const steps[] = {"primary", "lines", "protection", "across_years"};
    family(f, "kohort_last_run_suppressed_cells", "gauge",
           "Base and count cells of the newest run's year hidden, per table and step.");
    for (int t = 0; t < KH_IND_COUNT; t++) {
        const kh_suppression_t *s = &lg->suppression[t];
        if (!s->present)
            continue;
        const uint64_t v[] = {s->primary, s->lines, s->protection, s->across_years};
        for (int i = 0; i < 4; i++)
            fprintf(f, "kohort_last_run_suppressed_cells{table=\"%s\",step=\"%s\"} %llu\n",
                    kh_schema_indtable((kh_indtable_t)t)->name, steps[i],
                    (unsigned long long)v[i]);
    }
    family(f, "kohort_last_run_narrow_cells", "gauge",
           "Primary cells of the newest run's year whose interval is narrower than k, per table.");
    for (int t = 0; t < KH_IND_COUNT; t++)
        if (lg->suppression[t].present)
            fprintf(f, "kohort_last_run_narrow_cells{table=\"%s\"} %llu\n",
                    kh_schema_indtable((kh_indtable_t)t)->name,
                    (unsigned long long)lg->suppression[t].narrow);
    family(f, "kohort_last_run_suppressed_elsewhere_cells", "gauge",
           "Cells of other stored reference years the newest run hid (indicators.md 7.4).");
    fprintf(f, "kohort_last_run_suppressed_elsewhere_cells %llu\n",
            (unsigned long long)lg->suppressed_elsewhere);
}

int kh_metrics_ledger(FILE *f, const char *store)
{
    kh_store_t *st = NULL;
    int rc = kh_store_open(store, 0, 0, &st);
    if (rc)
        return rc;
    ledger_ctx_t *l = kh_xcalloc(1, sizeof *l);
    rc = kh_store_each_run(st, ledger_each, l);
    kh_store_close(&st);
    if (rc) {
        free(l);
        return rc;
    }
    family(f, "kohort_build_info", "gauge", "Always 1; the version of the kohort that wrote this.");
    fprintf(f, "kohort_build_info{version=\"%s\"} 1\n", kh_cli_version());
    family(f, "kohort_ledger_runs", "gauge", "Runs the store's ledger holds, by outcome.");
    fprintf(f, "kohort_ledger_runs{status=\"ok\"} %d\nkohort_ledger_runs{status=\"failed\"} %d\n",
            l->nok, l->nfailed);
    family(f, "kohort_last_success_timestamp_seconds", "gauge",
           "When the newest successful run finished (Unix time; 0: never).");
    fprintf(f, "kohort_last_success_timestamp_seconds %.3f\n", l->have_ok ? seconds(l->last_ok_finished_ms) : 0.0);
    if (l->have_ok) {
        family(f, "kohort_last_success_ref_year", "gauge", "Reference year of the newest successful run.");
        fprintf(f, "kohort_last_success_ref_year %d\n", l->last_ok_ref_year);
    }
    if (l->n) {
        const kh_runrec_t *r = &l->last;
        const kh_ledger_t *lg = &r->ledger;
        family(f, "kohort_last_run_info", "gauge", "The newest run in the ledger (always 1).");
        fprintf(f, "kohort_last_run_info{run=\"");
        label_value(f, r->run);
        fprintf(f, "\",status=\"%s\"} 1\n", r->ok ? "ok" : "failed");
        family(f, "kohort_last_run_success", "gauge", "1 when the newest run committed, 0 when it failed.");
        fprintf(f, "kohort_last_run_success %d\n", r->ok ? 1 : 0);
        family(f, "kohort_last_run_started_timestamp_seconds", "gauge", "When the newest run started.");
        fprintf(f, "kohort_last_run_started_timestamp_seconds %.3f\n", seconds(r->started_ms));
        family(f, "kohort_last_run_finished_timestamp_seconds", "gauge", "When the newest run ended.");
        fprintf(f, "kohort_last_run_finished_timestamp_seconds %.3f\n", seconds(r->finished_ms));
        family(f, "kohort_last_run_duration_seconds", "gauge", "How long the newest run took.");
        fprintf(f, "kohort_last_run_duration_seconds %.3f\n", seconds(r->finished_ms - r->started_ms));
        family(f, "kohort_last_run_ref_year", "gauge", "Reference year of the newest run (0: unknown).");
        fprintf(f, "kohort_last_run_ref_year %d\n", lg->ref_year);
        per_table(f, lg, "kohort_last_run_read_rows", "Rows the newest run read, per table.", 0);
        per_table(f, lg, "kohort_last_run_accepted_rows", "Rows the newest run accepted, per table.", 1);
        per_table(f, lg, "kohort_last_run_rejected_rows", "Rows the newest run rejected, per table.", 2);
        per_table(f, lg, "kohort_last_run_out_of_scope_rows",
                  "Accepted rows of people outside the cohorts, per table.", 3);
        per_table(f, lg, "kohort_last_run_file_bytes", "Size of each file the newest run read.", 4);
        per_table(f, lg, "kohort_last_run_rejected_ratio", "Rejected rows per row read, per table.", 5);
        family(f, "kohort_last_run_persons", "gauge", "Persons of the newest run, by kind.");
        fprintf(f, "kohort_last_run_persons{kind=\"participants\"} %llu\n"
                   "kohort_last_run_persons{kind=\"placed\"} %llu\n"
                   "kohort_last_run_persons{kind=\"no_home\"} %llu\n"
                   "kohort_last_run_persons{kind=\"ambiguous_kommune\"} %llu\n",
                (unsigned long long)lg->participants, (unsigned long long)lg->placed,
                (unsigned long long)lg->no_home, (unsigned long long)lg->ambiguous_kommune);
        if (r->ok && lg->has_suppression)
            suppression(f, lg);
    }
    free(l);
    return 0;
}

int kh_metrics_write_file(const char *path, const char *store, const kh_runstate_t *s,
                          char *why, size_t whycap)
{
    size_t plen = strlen(path);
    char *tmp = kh_xmalloc(plen + 32);
    /* node_exporter reads only *.prom: the temporary name is never read */
    snprintf(tmp, plen + 32, "%s.tmp.%d", path, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    int rc = 0;
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) {
        rc = -errno;
        if (fd >= 0)
            close(fd);
        snprintf(why, whycap, "cannot write the metrics file %s: %s", tmp, kh_strerror(rc));
        free(tmp);
        return rc;
    }
    int lrc = kh_metrics_ledger(f, store);
    kh_metrics_run(f, s, s->updated_ms);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = -errno;
    if (fclose(f) != 0 && !rc)
        rc = -errno;
    if (!rc && rename(tmp, path) != 0)
        rc = -errno;
    if (rc) {
        unlink(tmp);
        snprintf(why, whycap, "cannot write the metrics file %s: %s", path, kh_strerror(rc));
    } else if (lrc) {
        snprintf(why, whycap, "the metrics file %s lacks the ledger: %s", path, kh_strerror(lrc));
        rc = lrc;
    }
    free(tmp);
    return rc;
}

/* ---- the HTTP endpoint ------------------------------------------------------------------ */

#define HTTP_MAX_CONNS 16
#define HTTP_REQ_MAX 4096
#define HTTP_DEADLINE_MS 10000

typedef struct {
    int fd;                 /* -1: free slot */
    int64_t deadline_ms;
    char req[HTTP_REQ_MAX];
    size_t reqlen;
    char *out;              /* the whole response, once the request is in */
    size_t outlen, outoff;
} conn_t;

struct kh_metrics_http {
    int listen_fd;
    conn_t conns[HTTP_MAX_CONNS];
};

int kh_metrics_addr_check(const char *addr, char *why, size_t whycap)
{
    const char *colon = strrchr(addr, ':');
    int port = 0;
    if (!colon || kh_cli_int(colon + 1, 1, 65535, &port) != 0) {
        snprintf(why, whycap, "--metrics wants ADDR:PORT with a port from 1 to 65535, "
                 "e.g. 127.0.0.1:9464");
        return KH_E_USAGE;
    }
    return 0;
}

int kh_metrics_http_open(const char *addr, kh_metrics_http_t **out, char *why, size_t whycap)
{
    *out = NULL;
    int rc = kh_metrics_addr_check(addr, why, whycap);
    if (rc)
        return rc;
    const char *colon = strrchr(addr, ':');
    char host[256];
    size_t hlen = (size_t)(colon - addr);
    if (hlen >= sizeof host) {
        snprintf(why, whycap, "--metrics: the address is too long");
        return KH_E_USAGE;
    }
    memcpy(host, addr, hlen);
    host[hlen] = '\0';
    if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
        memmove(host, host + 1, hlen - 2);
        host[hlen - 2] = '\0';
    }
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int g = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
    if (g != 0) {
        snprintf(why, whycap, "--metrics %s: %s", addr, gai_strerror(g));
        return KH_E_USAGE;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, HTTP_MAX_CONNS) == 0)
            break;
        err = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(why, whycap, "cannot serve metrics on %s: %s", addr, strerror(err));
        return -err;
    }
    kh_metrics_http_t *h = kh_xcalloc(1, sizeof *h);
    h->listen_fd = fd;
    for (int i = 0; i < HTTP_MAX_CONNS; i++)
        h->conns[i].fd = -1;
    *out = h;
    return 0;
}

static void conn_close(conn_t *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->out);
    c->fd = -1;
    c->out = NULL;
    c->reqlen = c->outlen = c->outoff = 0;
}

/* Builds the response to the request in c->req. */
static void respond(conn_t *c, const kh_runstate_t *s, int64_t now_ms)
{
    char method[16] = "", target[256] = "";
    sscanf(c->req, "%15s %255s", method, target);
    target[strcspn(target, "?#")] = '\0';
    int head = strcmp(method, "HEAD") == 0;
    const char *status = "200 OK", *type = "text/plain; charset=utf-8";
    char *body = NULL;
    size_t bodylen = 0;
    FILE *b = open_memstream(&body, &bodylen);
    if (!b)
        abort();
    if (strcmp(method, "GET") != 0 && !head) {
        status = "405 Method Not Allowed";
        fprintf(b, "only GET and HEAD\n");
    } else if (strcmp(target, "/metrics") == 0) {
        type = "text/plain; version=0.0.4; charset=utf-8";
        kh_metrics_run(b, s, now_ms);
    } else if (strcmp(target, "/health") == 0) {
        char why[KH_REASON_MAX + 100];
        if (kh_snapshot_health(s, now_ms, why, sizeof why)) {
            fprintf(b, "ok\n");
        } else {
            status = "503 Service Unavailable";
            fprintf(b, "%s\n", why);
        }
    } else if (strcmp(target, "/") == 0) {
        fprintf(b, "kohort run %s: /metrics (Prometheus text), /health\n", s->run);
    } else {
        status = "404 Not Found";
        fprintf(b, "not found: /metrics, /health\n");
    }
    fclose(b);
    FILE *o = open_memstream(&c->out, &c->outlen);
    if (!o)
        abort();
    fprintf(o, "HTTP/1.0 %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nCache-Control: no-store\r\n"
               "Connection: close\r\n\r\n", status, type, bodylen);
    if (!head)
        fwrite(body, 1, bodylen, o);
    fclose(o);
    free(body);
    c->outoff = 0;
}

/* Moves one connection on; 1 when it is finished. */
static int conn_step(conn_t *c, const kh_runstate_t *s, int64_t now_ms)
{
    if (now_ms > c->deadline_ms)
        return 1;
    if (!c->out) {
        for (;;) {
            ssize_t n = recv(c->fd, c->req + c->reqlen, sizeof c->req - 1 - c->reqlen, 0);
            if (n < 0)
                return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : 1;
            if (n == 0)
                return 1;   /* the client went away before asking */
            /* a NUL byte is no HTTP: close at once rather than waiting for
             * an end of headers that string functions would never see */
            if (memchr(c->req + c->reqlen, '\0', (size_t)n))
                return 1;
            c->reqlen += (size_t)n;
            c->req[c->reqlen] = '\0';
            /* the request line and headers end with an empty line; a full
             * buffer is answered from what arrived */
            if (strstr(c->req, "\r\n\r\n") || strstr(c->req, "\n\n") ||
                c->reqlen == sizeof c->req - 1)
                break;
        }
        respond(c, s, now_ms);
    }
    while (c->outoff < c->outlen) {
        ssize_t n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff, MSG_NOSIGNAL);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : 1;
        c->outoff += (size_t)n;
    }
    shutdown(c->fd, SHUT_WR);
    return 1;
}

void kh_metrics_http_poll(kh_metrics_http_t *h, const kh_runstate_t *s)
{
    if (!h)
        return;
    int64_t now = kh_snapshot_now_ms();
    for (;;) {
        int slot = -1;
        for (int i = 0; i < HTTP_MAX_CONNS && slot < 0; i++)
            if (h->conns[i].fd < 0)
                slot = i;
        if (slot < 0)
            break;   /* the rest wait in the listen backlog */
        int fd = accept4(h->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            break;
        conn_t *c = &h->conns[slot];
        c->fd = fd;
        c->deadline_ms = now + HTTP_DEADLINE_MS;
        c->reqlen = 0;
    }
    for (int i = 0; i < HTTP_MAX_CONNS; i++) {
        conn_t *c = &h->conns[i];
        if (c->fd >= 0 && conn_step(c, s, now))
            conn_close(c);
    }
}

void kh_metrics_http_close(kh_metrics_http_t **h)
{
    if (!h || !*h)
        return;
    for (int i = 0; i < HTTP_MAX_CONNS; i++)
        conn_close(&(*h)->conns[i]);
    close((*h)->listen_fd);
    free(*h);
    *h = NULL;
}

/* ---- kohort metrics ------------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
        "usage: kohort metrics --store DIR\n"
        "Prints the store's ledger in Prometheus text format: the newest run's\n"
        "outcome, times and per-table counts, and when a run last succeeded. For a\n"
        "scraper or node_exporter's textfile collector between runs, e.g.\n"
        "  kohort metrics --store DIR > DIR.prom.tmp && mv DIR.prom.tmp /var/lib/node_exporter/kohort.prom\n");
}

int kh_metrics_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *store = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's': store = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc)
        return kh_cli_usage("unexpected argument; see kohort metrics --help");
    store = kh_cli_store(store);
    if (!store)
        return kh_cli_usage("kohort metrics needs --store DIR (or KOHORT_STORE)");
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        abort();
    int rc = kh_metrics_ledger(mem, store);
    fclose(mem);
    if (rc == KH_E_NOTFOUND) {
        fprintf(stderr, "kohort: no store at %s\n", store);
        free(text);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "kohort: cannot read the store %s: %s\n", store, kh_strerror(rc));
        free(text);
        return rc == KH_E_MODE ? 2 : 1;
    }
    fwrite(text, 1, len, stdout);
    free(text);
    return fflush(stdout) == 0 ? 0 : 1;
}
