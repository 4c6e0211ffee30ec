/* top.c - `kohort top`: reads the status snapshot about four times a second
 * and redraws one screen in place. See top.h. */
#define _GNU_SOURCE
#include "cli/top.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "cli/common.h"
#include "proto/err.h"
#include "proto/store.h"
#include "proto/topology.h"
#include "proto/util.h"


/* ---- formatting ------------------------------------------------------------------------ */

/* 1234 -> "1234", 12345 -> "12.3k", 1.2M, 3.4G: at most 6 characters. */
void kh_top_fmt_count(char *buf, size_t cap, double v)
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
void kh_top_fmt_bytes(char *buf, size_t cap, double v)
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

void kh_top_fmt_duration(char *buf, size_t cap, double s)
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

void kh_top_fmt_bar(char *buf, int width, double ratio)
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

static const kh_runstage_t *find_prev(const kh_status_snap_t *prev, const kh_runstage_t *c)
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
static void add_process(line_t *l, const kh_runstage_t *c, const kh_status_snap_t *prev, double dt_s,
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
        kh_top_fmt_count(in, sizeof in, l->in_rate);
    if (ended)
        snprintf(out, sizeof out, "-");
    else
        kh_top_fmt_count(out, sizeof out, l->out_rate);
    kh_top_fmt_count(rej, sizeof rej, (double)l->rej);
    if (ended)
        snprintf(rss, sizeof rss, "-");
    else
        kh_top_fmt_bytes(rss, sizeof rss, (double)l->rss);
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

void kh_top_print(FILE *f, const kh_status_snap_t *cur, const kh_status_snap_t *prev,
                  int expanded, int width)
{
    const kh_runstate_t *s = &cur->state;
    int64_t now = s->updated_ms;
    double dt_s = prev ? (double)(s->updated_ms - prev->state.updated_ms) / 1e3 : 0;
    if (width > 127)
        width = 127;
    char line[1024], a[32], b[32], c[32], bar[64];

    /* the run */
    kh_status_progress_t p;
    kh_status_progress(s, now, &p);
    char health[KH_REASON_MAX + 100];
    int healthy = kh_status_health(s, kh_status_now_ms(), health, sizeof health);
    kh_top_fmt_duration(a, sizeof a, (double)(now - s->started_ms) / 1e3);
    snprintf(line, sizeof line, "kohort top  run %s  %s  %s", s->run, kh_status_phase_name(s->phase), a);
    fprintf(f, "%.*s\n", width, line);
    kh_top_fmt_bar(bar, 30, p.ratio);
    kh_top_fmt_bytes(a, sizeof a, (double)p.bytes_read);
    kh_top_fmt_bytes(b, sizeof b, (double)p.bytes_total);
    kh_top_fmt_duration(c, sizeof c, p.eta_s);
    snprintf(line, sizeof line, "progress [%s] %3.0f%%  read %s of %s  left ~%s", bar,
             100 * p.ratio, a, b, c);
    fprintf(f, "%.*s\n", width, line);
    snprintf(line, sizeof line, "health   %s", healthy ? "ok" : health);
    fprintf(f, "%.*s\n", width, line);

    /* progress per table, two to a line; the four reference tables as one */
    char cells[KH_TAB_COUNT][128];
    int ncells = 0;
    kh_status_table_t ref = {0, 0, 0, 0, 0};
    double ref_weighted = 0;
    for (int t = 0; t <= KH_TAB_REF_KOSTNADER; t++) {
        ref.file_bytes += p.tables[t].file_bytes;
        ref.bytes_read += p.tables[t].bytes_read;
        ref_weighted += p.tables[t].ratio * (double)p.tables[t].file_bytes;
    }
    ref.ratio = ref.file_bytes ? ref_weighted / (double)ref.file_bytes : 0;
    for (int t = KH_TAB_REF_KOSTNADER; t < KH_TAB_COUNT; t++) {
        const kh_status_table_t *pt = t == KH_TAB_REF_KOSTNADER ? &ref : &p.tables[t];
        if (!pt->file_bytes)
            continue;
        kh_top_fmt_bar(bar, 8, pt->ratio);
        kh_top_fmt_bytes(a, sizeof a, (double)(pt->bytes_read < pt->file_bytes ? pt->bytes_read : pt->file_bytes));
        kh_top_fmt_bytes(b, sizeof b, (double)pt->file_bytes);
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
    int64_t clock_ms = kh_status_now_ms();
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
        if (!ended && kind >= 0 && kh_status_backlog(s, (kh_stagekind_t)kind, &queued))
            kh_top_fmt_count(backlog, sizeof backlog, (double)queued);
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

/* ---- the terminal -------------------------------------------------------------------------- */

static volatile sig_atomic_t top_signal, top_resized;
static struct termios saved_tio;
static int raw_mode;

static void on_signal(int sig)
{
    if (sig == SIGWINCH)
        top_resized = 1;
    else
        top_signal = sig;
}

/* Gives the terminal back (only when term_raw() took it: a pipe or file
 * gets no escape codes). */
static void term_restore(void)
{
    if (!raw_mode)
        return;
    tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
    raw_mode = 0;
    fputs("\x1b[?25h", stdout);
    fflush(stdout);
}

static int term_raw(void)
{
    if (tcgetattr(STDIN_FILENO, &saved_tio) != 0)
        return -errno;
    struct termios tio = saved_tio;
    /* keys one at a time, unechoed; output processing and ^C stay */
    tio.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
    tio.c_cc[VMIN] = 0;
    tio.c_cc[VTIME] = 0;
    if (tcsetattr(STDIN_FILENO, TCSANOW, &tio) != 0)
        return -errno;
    raw_mode = 1;
    return 0;
}

static void term_size(int *cols, int *rows)
{
    struct winsize ws;
    *cols = 80;
    *rows = 24;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) {
        *cols = ws.ws_col;
        *rows = ws.ws_row;
    }
}

/* Draws `text` (lines ending in \n) from the top left corner, each line
 * cleared to its end. When it has more lines than the screen, shows
 * `*offset` onwards (clamped) and, on the last row, how to scroll. */
static void draw(const char *text, int rows, int *offset)
{
    int nlines = 0;
    for (const char *p = text; *p; p++)
        nlines += *p == '\n';
    if (text[0] && text[strlen(text) - 1] != '\n')
        nlines++;
    int fits = nlines <= rows;
    int shown = fits ? rows : rows - 1;
    if (fits || *offset < 0)
        *offset = 0;
    if (!fits && *offset > nlines - shown)
        *offset = nlines - shown;
    fputs("\x1b[H", stdout);
    const char *p = text;
    for (int skip = *offset; skip > 0 && *p; skip--) {
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : p + strlen(p);
    }
    int n = 0;
    for (; *p && n < shown; n++) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        fwrite(p, 1, len, stdout);
        fputs("\x1b[K", stdout);
        p += len + (nl != NULL);
        if (n + 1 < rows)
            fputs("\r\n", stdout);
    }
    if (!fits)
        printf("\x1b[7m-- lines %d-%d of %d: j/k scroll --\x1b[0m\x1b[K", *offset + 1,
               *offset + n, nlines);
    fputs("\x1b[J", stdout);
    fflush(stdout);
}

typedef struct {
    const char *run;
    int found, ok;
    char reason[KH_REASON_MAX];
} outcome_t;

static int find_outcome(void *ctx, const kh_runrec_t *rec)
{
    outcome_t *o = ctx;
    if (strcmp(rec->run, o->run) != 0)
        return 0;
    o->found = 1;
    o->ok = rec->ok;
    snprintf(o->reason, sizeof o->reason, "%s", rec->reason);
    return 1;
}

/* How the ledger records run `run`: outcome->found 0 when it does not. */
static void run_outcome(const char *store, const char *run, outcome_t *outcome)
{
    outcome->run = run;
    outcome->found = 0;
    kh_store_t *st = NULL;
    if (kh_store_open(store, 0, 0, &st) == 0) {
        kh_store_each_run(st, find_outcome, outcome);
        kh_store_close(&st);
    }
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: kohort top [--store DIR]\n"
        "Watches the import running on the store: one line per stage (workers\n"
        "grouped) with rows in and out per second, rejected rows, the backlog in\n"
        "front of it, utilisation and memory; progress per table and time left.\n"
        "Without --store, the only running import of this user.\n"
        "Keys: q quit, e expand or group the workers, j/k (or arrows) scroll when\n"
        "the screen is too small. Ends with the run. AGE is the time since a\n"
        "stage's last heartbeat; `stalled` when it exceeds half the stall timeout.\n"
        "When stdout is not a terminal: one plain frame a second, no escape codes.\n"
        "Exit status: 0 quit or the run committed, 1 the run failed.\n");
}

int kh_top_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *store_opt = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's': store_opt = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc)
        return kh_cli_usage("unexpected argument; see kohort top --help");
    char store[PATH_MAX];
    int rc = kh_status_resolve(store_opt, store, sizeof store);
    if (rc == 2 || rc < 0)
        return rc < 0 ? 1 : 2;
    kh_status_snap_t *cur = kh_xmalloc(sizeof *cur), *prev = kh_xmalloc(sizeof *prev),
                     *next = kh_xmalloc(sizeof *next);
    if (rc != 0 || kh_status_read(store, cur) != 0 || !kh_status_alive(cur)) {
        if (rc == 0)
            printf("no import is running on %s\n", store);
        else
            printf("no import is running\n");
        free(cur), free(prev), free(next);
        return 0;
    }
    int tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal; /* no SA_RESTART: poll returns at once */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sigaction(SIGWINCH, &sa, NULL);
    if (tty && term_raw() == 0)
        fputs("\x1b[?25l\x1b[H\x1b[2J", stdout);
    int have_prev = 0, expanded = 0, ended = 0, quit = 0, offset = 0;
    outcome_t outcome = {NULL, 0, 0, ""};
    int64_t last_plain = 0;
    while (!quit && !top_signal) {
        int cols, rows;
        term_size(&cols, &rows);
        char *text = NULL;
        size_t len = 0;
        FILE *mem = open_memstream(&text, &len);
        if (!mem)
            abort();
        kh_top_print(mem, cur, have_prev ? prev : NULL, expanded, cols < 127 ? cols : 127);
        if (tty)
            fprintf(mem, "\nq quit  e %s workers  %.50s", expanded ? "group" : "expand", store);
        fclose(mem);
        if (tty) {
            draw(text, rows, &offset);
        } else if (ended || kh_status_now_ms() - last_plain >= 1000) {
            /* not a terminal: one plain screen a second, and the last one */
            fputs(text, stdout);
            fputs("\n", stdout);
            fflush(stdout);
            last_plain = kh_status_now_ms();
        }
        free(text);
        if (ended)
            break;
        /* wait for a key, a resize or the next look at the snapshot */
        struct pollfd pfd = {STDIN_FILENO, POLLIN, 0};
        int n = tty ? poll(&pfd, 1, 250) : poll(NULL, 0, 250);
        if (n > 0 && (pfd.revents & POLLIN)) {
            char keys[16];
            ssize_t k = read(STDIN_FILENO, keys, sizeof keys);
            for (ssize_t i = 0; i < k; i++) {
                if (keys[i] == 'q' || keys[i] == 'Q')
                    quit = 1;
                else if (keys[i] == 'e' || keys[i] == 'E' || keys[i] == ' ')
                    expanded = !expanded;
                else if (keys[i] == 'j' || keys[i] == 'B') /* 'B': the tail of ESC [ B, down */
                    offset++;
                else if (keys[i] == 'k' || keys[i] == 'A') /* up */
                    offset--;
            }
        }
        top_resized = 0;
        rc = kh_status_read(store, next);
        if (rc != 0 || !kh_status_alive(next) || strcmp(next->state.run, cur->state.run) != 0) {
            /* the run closed its views: one last screen, in its outcome */
            ended = 1;
            run_outcome(store, cur->state.run, &outcome);
            cur->state.phase = outcome.found && outcome.ok ? KH_RUN_COMMITTED : KH_RUN_FAILED;
            snprintf(cur->state.reason, sizeof cur->state.reason, "%s",
                     outcome.found ? outcome.reason : "ended without a ledger entry");
            continue;
        }
        if (next->state.updated_ms != cur->state.updated_ms) {
            kh_status_snap_t *t = prev;
            prev = cur;
            cur = next;
            next = t;
            have_prev = 1;
        }
    }
    int status = 0;
    if (tty)
        fputs("\r\n", stdout);
    term_restore();
    if (ended) {
        if (outcome.found && outcome.ok) {
            printf("run %s committed\n", cur->state.run);
        } else {
            printf("run %s failed: %s\n", cur->state.run, cur->state.reason);
            status = 1;
        }
    }
    fflush(stdout);
    free(cur), free(prev), free(next);
    return status;
}
