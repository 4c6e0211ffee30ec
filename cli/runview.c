/* runview.c - the operator's views of a running import (see runview.h),
 * driven by `kohort run`'s watch loop: the status snapshot and the runs
 * directory pointer (cli/snapshot.c), the Prometheus endpoint and metrics file
 * (cli/metrics.c) and the progress bar on stderr. Nothing here blocks: the
 * watch loop must keep gathering stats and noticing dead stages. */
#define _GNU_SOURCE
#include "cli/runview.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/metrics.h"
#include "cli/screen.h"
#include "cli/snapshot.h"
#include "proto/err.h"
#include "proto/topology.h"
#include "proto/util.h"

#define SNAPSHOT_EVERY_MS 1000
#define BAR_EVERY_MS 200

struct kh_runview {
    char store[4096];
    char *metrics_file;          /* owned; NULL when not asked */
    int quiet;
    pid_t pid;
    uint64_t pid_start;
    int registered;              /* a pointer in the runs directory */
    int snapshot_failed;         /* warned once */
    int64_t last_snapshot_ms;
    int last_phase, last_nstages;
    kh_metrics_http_t *http;
    int bar;                     /* draw the progress bar */
    int bar_drawn;
    int64_t last_bar_ms;
    uint64_t rate_rows;          /* rows read at rate_ms */
    int64_t rate_ms;
    double rows_per_s;           /* smoothed */
};

static void write_snapshot(kh_runview_t *v, const kh_runstate_t *s, int64_t now)
{
    int rc = kh_snapshot_write(v->store, s, (int32_t)v->pid, v->pid_start);
    if (rc && !v->snapshot_failed && !v->quiet)
        fprintf(stderr, "kohort: cannot write the status snapshot in %s: %s (kohort status and "
                        "top will not see this run)\n", v->store, kh_strerror(rc));
    v->snapshot_failed |= rc != 0;
    v->last_snapshot_ms = now;
    v->last_phase = s->phase;
    v->last_nstages = s->nstages;
}

static uint64_t rows_read(const kh_runstate_t *s)
{
    uint64_t n = 0;
    for (int i = 0; i < s->nstages; i++)
        if (kh_topology_stage(s->stages[i].stage) == KH_STAGE_INGEST)
            for (int t = 0; t < KH_TAB_COUNT; t++)
                n += s->stages[i].stats.tables[t].rows_out;
    return n;
}

/* One line on stderr: bar, share, bytes read of the total, rows/s, time left. */
static void draw_bar(kh_runview_t *v, const kh_runstate_t *s, int64_t now)
{
    uint64_t rows = rows_read(s);
    if (v->rate_ms == 0) {
        v->rate_ms = now;
        v->rate_rows = rows;
    } else if (now - v->rate_ms >= 1000) {
        double r = (double)(rows - v->rate_rows) * 1e3 / (double)(now - v->rate_ms);
        v->rows_per_s = v->rows_per_s > 0 ? 0.5 * v->rows_per_s + 0.5 * r : r;
        v->rate_ms = now;
        v->rate_rows = rows;
    }
    kh_snapshot_progress_t p;
    kh_snapshot_progress(s, now, &p);
    int cols = 80;
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        cols = ws.ws_col;
    char done[16], total[16], rate[16], left[16], tail[96], bar[64], line[256];
    kh_screen_fmt_bytes(done, sizeof done, (double)p.bytes_read);
    kh_screen_fmt_bytes(total, sizeof total, (double)p.bytes_total);
    kh_screen_fmt_count(rate, sizeof rate, v->rows_per_s);
    kh_screen_fmt_duration(left, sizeof left, p.eta_s);
    if (s->phase == KH_RUN_COMMITTED || s->phase == KH_RUN_FAILED)
        snprintf(tail, sizeof tail, " %3.0f%% %s/%s %s", 100 * p.ratio, done, total,
                 s->phase == KH_RUN_COMMITTED ? "committed" : "failed");
    else
        snprintf(tail, sizeof tail, " %3.0f%% %s/%s %s rows/s left %s", 100 * p.ratio, done, total,
                 rate, left);
    /* "kohort [" + bar + "]" + tail within the terminal, one column spare */
    int barw = cols - 1 - 9 - (int)strlen(tail);
    if (barw > 40)
        barw = 40;
    if (barw < 5)
        snprintf(line, sizeof line, "%.*s", cols > 1 ? cols - 1 : 1, tail + 1);
    else {
        kh_screen_fmt_bar(bar, barw, p.ratio);
        snprintf(line, sizeof line, "kohort [%s]%s", bar, tail);
    }
    fprintf(stderr, "\r%s\x1b[K", line);
    fflush(stderr);
    v->bar_drawn = 1;
    v->last_bar_ms = now;
}

int kh_runview_open(const kh_runview_opts_t *opts, const kh_runstate_t *s, kh_runview_t **out,
                    char *why, size_t whycap)
{
    *out = NULL;
    kh_runview_t *v = kh_xcalloc(1, sizeof *v);
    snprintf(v->store, sizeof v->store, "%s", s->store);
    v->quiet = opts->quiet;
    v->pid = getpid();
    v->pid_start = kh_snapshot_proc_start(v->pid);
    v->bar = opts->progress && !opts->quiet && isatty(STDERR_FILENO);
    if (opts->metrics_addr) {
        int rc = kh_metrics_http_open(opts->metrics_addr, &v->http, why, whycap);
        if (rc) {
            free(v);
            return rc;
        }
    }
    if (opts->metrics_file)
        v->metrics_file = kh_xstrdup(opts->metrics_file);
    write_snapshot(v, s, kh_snapshot_now_ms());
    char rwhy[512];
    if (kh_snapshot_register(s->store, v->pid, rwhy, sizeof rwhy) == 0)
        v->registered = 1;
    else if (!v->quiet)
        fprintf(stderr, "kohort: %s (kohort status and top will need --store)\n", rwhy);
    *out = v;
    return 0;
}

void kh_runview_tick(kh_runview_t *v, const kh_runstate_t *s)
{
    if (!v)
        return;
    int64_t now = kh_snapshot_now_ms();
    kh_metrics_http_poll(v->http, s);
    /* once a second, and at once when the run changes phase or starts a
     * stage (a handful of times per run), so that watchers see it start */
    if (now - v->last_snapshot_ms >= SNAPSHOT_EVERY_MS || s->phase != v->last_phase ||
        s->nstages != v->last_nstages)
        write_snapshot(v, s, now);
    if (v->bar && now - v->last_bar_ms >= BAR_EVERY_MS)
        draw_bar(v, s, now);
}

void kh_runview_close(kh_runview_t **vp, const kh_runstate_t *s)
{
    if (!vp || !*vp)
        return;
    kh_runview_t *v = *vp;
    if (v->metrics_file) {
        char why[KH_REASON_MAX + 200];
        if (kh_metrics_write_file(v->metrics_file, v->store, s, why, sizeof why) != 0)
            fprintf(stderr, "%skohort: %s\n", v->bar_drawn ? "\n" : "", why);
    }
    /* a last answer to whoever is waiting, then the endpoint goes */
    kh_metrics_http_poll(v->http, s);
    kh_metrics_http_close(&v->http);
    /* the registration before the snapshot that names it: killed in
     * between, the snapshot lets the next command clear the rest */
    if (v->registered)
        kh_snapshot_unregister(v->pid);
    kh_snapshot_remove(v->store);
    if (v->bar) {
        draw_bar(v, s, kh_snapshot_now_ms());
        fputc('\n', stderr);
        fflush(stderr);
    }
    free(v->metrics_file);
    free(v);
    *vp = NULL;
}
