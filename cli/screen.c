/* screen.c - one screen of a status snapshot, and the short numbers it
 * is written in. See screen.h. */
#include "cli/screen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "proto/topology.h"
#include "proto/util.h"

/* ---- formatting ------------------------------------------------------------------------ */

/* 1234 -> "1234", 12345 -> "12.3k", 1.2M, 3.4G: at most 6 characters. */
void kh_screen_fmt_count(char *buf, size_t cap, double v)
{
    static const char units[] = " kMGTP";
    int u = 0;
    while (v >= 9999.5 && u < 5) {
        v /= 1000;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%.0f", v);
    else
        snprintf(buf, cap, v < 99.95 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

/* Bytes with binary units: "512B", "9.1M", "57M", "1.2G". */
void kh_screen_fmt_bytes(char *buf, size_t cap, double v)
{
    static const char units[] = "BKMGTP";
    int u = 0;
    while (v >= 1023.5 && u < 5) {
        v /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, cap, "%.0fB", v);
    else
        snprintf(buf, cap, v < 9.95 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

void kh_screen_fmt_duration(char *buf, size_t cap, double s)
{
    if (s < 0) {
        snprintf(buf, cap, "?");
        return;
    }
    long t = (long)(s + 0.5);
    if (t >= 3600)
        snprintf(buf, cap, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else
        snprintf(buf, cap, "%ld:%02ld", t / 60, t % 60);
}

void kh_screen_fmt_bar(char *buf, int width, double ratio)
{
    int fill = (int)(ratio * width + 0.5);
    if (fill > width)
        fill = width;
    for (int i = 0; i < width; i++)
        buf[i] = i < fill ? '#' : '.';
    buf[width] = '\0';
}

/* ---- one screen --------------------------------------------------------------------------- */

typedef struct {
    uint64_t in, out, rej, busy_ns, uptime_ns, rss;
} totals_t;

static void stage_totals(const kh_runstage_t *c, totals_t *t)
{
    memset(t, 0, sizeof *t);
    for (int i = 0; i < KH_TAB_COUNT; i++) {
        t->in += c->stats.tables[i].rows_in;
        t->out += c->stats.tables[i].rows_out;
        t->rej += c->stats.tables[i].rows_rejected;
    }
    t->busy_ns = c->stats.busy_ns;
    t->uptime_ns = c->stats.uptime_ns;
    t->rss = c->stats.rss_bytes;
}

static const kh_runstage_t *find_prev(const kh_snapshot_t *prev, const kh_runstage_t *c)
{
    if (!prev)
        return NULL;
    for (int i = 0; i < prev->state.nstages; i++) {
        const kh_runstage_t *p = &prev->state.stages[i];
        if (p->pid == c->pid && p->worker == c->worker && strcmp(p->stage, c->stage) == 0)
            return p;
    }
    return NULL;
}

/* What one line shows: a process, or a stage's processes together. */
typedef struct {
    int nproc, nalive, dead;
    double in_rate, out_rate, util;  /* util: sum over processes, 0..nproc */
    uint64_t in, out, rej, rss;
    int state;                       /* most telling state of the processes */
    double age_s;                    /* oldest heartbeat among the live processes */
    int stalled;                     /* a live process sent none for half the stall timeout */
} line_t;

/* Which state a grouped line shows: a failure first, then work in progress. */
static int state_rank(int state)
{
    switch (state) {
    case KH_ST_FAILED: return 6;
    case KH_ST_WORKING: return 5;
    case KH_ST_DRAINING: return 4;
    case KH_ST_WAITING: return 3;
    case KH_ST_READY: return 2;
    case KH_ST_STARTING: return 1;
    default: return 0;
    }
}

/* Ages are measured against the clock, not the snapshot: a snapshot that
 * stopped changing (its writer paused) must show its ages growing. */
static void add_process(line_t *l, const kh_runstage_t *c, const kh_snapshot_t *prev, double dt_s,
                        int64_t now_ms, int stall_timeout_s)
{
    totals_t t, pt;
    stage_totals(c, &t);
    const kh_runstage_t *p = find_prev(prev, c);
    double in_rate, out_rate, util;
    if (p && dt_s > 0) {
        stage_totals(p, &pt);
        in_rate = (double)(t.in - pt.in) / dt_s;
        out_rate = (double)(t.out - pt.out) / dt_s;
        uint64_t dup = t.uptime_ns - pt.uptime_ns;
        util = dup ? (double)(t.busy_ns - pt.busy_ns) / (double)dup : 0;
    } else {
        double up = (double)t.uptime_ns / 1e9;
        in_rate = up > 0 ? (double)t.in / up : 0;
        out_rate = up > 0 ? (double)t.out / up : 0;
        util = t.uptime_ns ? (double)t.busy_ns / (double)t.uptime_ns : 0;
    }
    if (!c->alive || c->stats.state == KH_ST_DONE)
        util = 0;
    l->nproc++;
    l->nalive += c->alive != 0;
    if (!c->alive && !(WIFEXITED(c->exit_status) && WEXITSTATUS(c->exit_status) == 0))
        l->dead++;
    l->in_rate += in_rate;
    l->out_rate += out_rate;
    l->util += util > 1 ? 1 : util;
    l->in += t.in;
    l->out += t.out;
    l->rej += t.rej;
    l->rss += c->alive ? t.rss : 0;
    int st = c->last_seen_ms ? c->stats.state : KH_ST_STARTING;
    if (l->nproc == 1 || state_rank(st) > state_rank(l->state))
        l->state = st;
    if (c->alive && c->last_seen_ms && c->stats.state != KH_ST_DONE) {
        double age = (double)(now_ms - (int64_t)c->last_seen_ms) / 1e3;
        if (age > l->age_s)
            l->age_s = age;
        if (stall_timeout_s > 0 && age > stall_timeout_s / 2.0)
            l->stalled = 1;
    }
}

/* The column heads and one line's layout: 80 columns hold it. */
#define LINE_HEAD "%-14s %5s %-8s %6s %6s %6s %7s %5s %6s %5s"
#define LINE_ROW "%-14.14s %5s %-8s %6s %6s %6s %7s %5.0f %6s %5s"

/* `phase`: once the run is over (committed or failed) every stage has been
 * stopped, so rates, ages and memory are history ("-"), no process is up,
 * and the state is the outcome: done, stopped, or DIED for one that died. */
static void print_line(FILE *f, const char *label, int kind, const line_t *l, const char *backlog,
                       int width, int phase)
{
    int ended = phase == KH_RUN_COMMITTED || phase == KH_RUN_FAILED;
    char in[16], out[16], rej[16], rss[16], up[16], age[16], line[256];
    if (ended || kind == KH_STAGE_INGEST)
        snprintf(in, sizeof in, "-");
    else
        kh_screen_fmt_count(in, sizeof in, l->in_rate);
    if (ended)
        snprintf(out, sizeof out, "-");
    else
        kh_screen_fmt_count(out, sizeof out, l->out_rate);
    kh_screen_fmt_count(rej, sizeof rej, (double)l->rej);
    if (ended)
        snprintf(rss, sizeof rss, "-");
    else
        kh_screen_fmt_bytes(rss, sizeof rss, (double)l->rss);
    snprintf(up, sizeof up, "%d/%d", ended ? 0 : l->nalive, l->nproc);
    if (ended || !l->nalive)
        snprintf(age, sizeof age, "-");
    else
        snprintf(age, sizeof age, "%.0fs", l->age_s < 0 ? 0 : l->age_s);
    const char *state = l->dead                    ? "DIED"
                        : phase == KH_RUN_COMMITTED ? "done"
                        : phase == KH_RUN_FAILED    ? "stopped"
                        : l->stalled                ? "stalled"
                                                    : kh_state_name(l->state);
    snprintf(line, sizeof line, LINE_ROW, label, up, state, in, out, rej, backlog,
             ended || !l->nproc ? 0.0 : 100.0 * l->util / l->nproc, rss, age);
    fprintf(f, "%.*s\n", width, line);
}

void kh_screen_print(FILE *f, const kh_snapshot_t *cur, const kh_snapshot_t *prev,
                  int expanded, int width)
{
    const kh_runstate_t *s = &cur->state;
    int64_t now = s->updated_ms;
    double dt_s = prev ? (double)(s->updated_ms - prev->state.updated_ms) / 1e3 : 0;
    if (width > 127)
        width = 127;
    char line[1024], a[32], b[32], c[32], bar[64];

    /* the run */
    kh_snapshot_progress_t p;
    kh_snapshot_progress(s, now, &p);
    char health[KH_REASON_MAX + 100];
    int healthy = kh_snapshot_health(s, kh_snapshot_now_ms(), health, sizeof health);
    kh_screen_fmt_duration(a, sizeof a, (double)(now - s->started_ms) / 1e3);
    snprintf(line, sizeof line, "kohort top  run %s  %s  %s", s->run, kh_snapshot_phase_name(s->phase), a);
    fprintf(f, "%.*s\n", width, line);
    kh_screen_fmt_bar(bar, 30, p.ratio);
    kh_screen_fmt_bytes(a, sizeof a, (double)p.bytes_read);
    kh_screen_fmt_bytes(b, sizeof b, (double)p.bytes_total);
    kh_screen_fmt_duration(c, sizeof c, p.eta_s);
    snprintf(line, sizeof line, "progress [%s] %3.0f%%  read %s of %s  left ~%s", bar,
             100 * p.ratio, a, b, c);
    fprintf(f, "%.*s\n", width, line);
    snprintf(line, sizeof line, "health   %s", healthy ? "ok" : health);
    fprintf(f, "%.*s\n", width, line);

    /* progress per table, two to a line; the reference tables as one, in
     * the place of the last of the first ones */
    char cells[KH_TAB_COUNT][128];
    int ncells = 0;
    kh_snapshot_table_t ref = {0, 0, 0, 0, 0};
    double ref_weighted = 0;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        if (!kh_schema_table((kh_table_t)t)->reference)
            continue;
        ref.file_bytes += p.tables[t].file_bytes;
        ref.bytes_read += p.tables[t].bytes_read;
        ref_weighted += p.tables[t].ratio * (double)p.tables[t].file_bytes;
    }
    ref.ratio = ref.file_bytes ? ref_weighted / (double)ref.file_bytes : 0;
    for (int t = KH_TAB_REF_KOSTNADER; t < KH_TAB_COUNT; t++) {
        if (t != KH_TAB_REF_KOSTNADER && kh_schema_table((kh_table_t)t)->reference)
            continue;
        const kh_snapshot_table_t *pt = t == KH_TAB_REF_KOSTNADER ? &ref : &p.tables[t];
        if (!pt->file_bytes)
            continue;
        kh_screen_fmt_bar(bar, 8, pt->ratio);
        kh_screen_fmt_bytes(a, sizeof a, (double)(pt->bytes_read < pt->file_bytes ? pt->bytes_read : pt->file_bytes));
        kh_screen_fmt_bytes(b, sizeof b, (double)pt->file_bytes);
        snprintf(cells[ncells++], sizeof cells[0], "%-12.12s %.10s %5.8s/%-5.8s %3.0f%%",
                 t == KH_TAB_REF_KOSTNADER ? "reference" : kh_schema_table((kh_table_t)t)->name, bar,
                 a, b, 100 * pt->ratio);
    }
    for (int i = 0; i < ncells; i += 2) {
        int n = snprintf(line, sizeof line, "  %-38.60s %.60s", cells[i], i + 1 < ncells ? cells[i + 1] : "");
        while (n > 0 && line[n - 1] == ' ')
            line[--n] = '\0';
        fprintf(f, "%.*s\n", width, line);
    }

    /* the stages */
    int ended = s->phase == KH_RUN_COMMITTED || s->phase == KH_RUN_FAILED;
    int64_t clock_ms = kh_snapshot_now_ms();
    snprintf(line, sizeof line, LINE_HEAD, "STAGE", "UP", "STATE", "IN/s", "OUT/s", "REJ",
             "BACKLOG", "UTIL%", "RSS", "AGE");
    fprintf(f, "\n%.*s\n", width, line);
    /* the stages in the order rows flow (BACKLOG of a stage is measured
     * against the one before it), then those of names this build does not
     * know (kind -1) */
    for (int o = 0; o <= KH_STAGE_COUNT; o++) {
        int kind = o < KH_STAGE_COUNT ? o : -1;
        line_t l;
        memset(&l, 0, sizeof l);
        const char *name = kind >= 0 ? kh_topology_stage_name((kh_stagekind_t)kind) : NULL;
        for (int i = 0; i < s->nstages; i++) {
            const kh_runstage_t *st = &s->stages[i];
            if (kh_topology_stage(st->stage) == kind)
                add_process(&l, st, prev, dt_s, clock_ms, s->stall_timeout_s);
        }
        if (!l.nproc)
            continue;
        char backlog[16] = "-";
        uint64_t queued;
        if (!ended && kind >= 0 && kh_snapshot_backlog(s, (kh_stagekind_t)kind, &queued))
            kh_screen_fmt_count(backlog, sizeof backlog, (double)queued);
        char label[32];
        if (l.nproc > 1)
            snprintf(label, sizeof label, "%s x%d", name ? name : "other", l.nproc);
        else
            snprintf(label, sizeof label, "%s", name ? name : "other");
        print_line(f, label, kind, &l, backlog, width, s->phase);
        if (expanded && l.nproc > 1) {
            for (int i = 0; i < s->nstages; i++) {
                const kh_runstage_t *st = &s->stages[i];
                if (kind < 0 || kh_topology_stage(st->stage) != kind)
                    continue;
                line_t w;
                memset(&w, 0, sizeof w);
                add_process(&w, st, prev, dt_s, clock_ms, s->stall_timeout_s);
                snprintf(label, sizeof label, "  %s.%d", st->stage, st->worker);
                print_line(f, label, kind, &w, "", width, s->phase);
            }
        }
    }
}
