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
#include "cli/screen.h"
#include "cli/snapshot.h"
#include "proto/err.h"
#include "proto/store.h"
#include "proto/util.h"

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
    return KH_STOP;
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
    int rc = kh_snapshot_resolve(store_opt, store, sizeof store);
    if (rc == 2 || rc < 0)
        return rc < 0 ? 1 : 2;
    kh_snapshot_t *cur = kh_xmalloc(sizeof *cur), *prev = kh_xmalloc(sizeof *prev),
                     *next = kh_xmalloc(sizeof *next);
    if (rc != 0 || kh_snapshot_read(store, cur) != 0 || !kh_snapshot_alive(cur)) {
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
        kh_screen_print(mem, cur, have_prev ? prev : NULL, expanded, cols < 127 ? cols : 127);
        if (tty)
            fprintf(mem, "\nq quit  e %s workers  %.50s", expanded ? "group" : "expand", store);
        fclose(mem);
        if (tty) {
            draw(text, rows, &offset);
        } else if (ended || kh_snapshot_now_ms() - last_plain >= 1000) {
            /* not a terminal: one plain screen a second, and the last one */
            fputs(text, stdout);
            fputs("\n", stdout);
            fflush(stdout);
            last_plain = kh_snapshot_now_ms();
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
        rc = kh_snapshot_read(store, next);
        if (rc != 0 || !kh_snapshot_alive(next) || strcmp(next->state.run, cur->state.run) != 0) {
            /* the run closed its views: one last screen, in its outcome */
            ended = 1;
            run_outcome(store, cur->state.run, &outcome);
            cur->state.phase = outcome.found && outcome.ok ? KH_RUN_COMMITTED : KH_RUN_FAILED;
            snprintf(cur->state.reason, sizeof cur->state.reason, "%s",
                     outcome.found ? outcome.reason : "ended without a ledger entry");
            continue;
        }
        if (next->state.updated_ms != cur->state.updated_ms) {
            kh_snapshot_t *t = prev;
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
