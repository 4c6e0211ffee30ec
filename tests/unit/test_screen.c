/* test_screen.c - one screen of `kohort top` (cli/screen.c) from hand-made
 * snapshots: the heartbeat age and the `stalled` state, the end state (no
 * stale rates), and eight workers a stage within 80 columns. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli/screen.h"
#include "cli/snapshot.h"

static kh_runstage_t *add_stage(kh_runstate_t *s, const char *name, int worker, int64_t seen_ago_ms,
                                int64_t now)
{
    kh_runstage_t *c = &s->stages[s->nstages++];
    memset(c, 0, sizeof *c);
    snprintf(c->stage, sizeof c->stage, "%s", name);
    c->worker = worker;
    c->pid = 1000 + s->nstages;
    c->alive = 1;
    c->last_seen_ms = (uint64_t)(now - seen_ago_ms);
    c->stats.state = KH_ST_WORKING;
    c->stats.uptime_ns = 10000000000ull;
    c->stats.busy_ns = 5000000000ull;
    c->stats.tables[KH_TAB_BOSATTE].rows_in = 1000;
    c->stats.tables[KH_TAB_BOSATTE].rows_out = 1000;
    return c;
}

/* A running snapshot: every stage, `workers` validators and anonymisers;
 * the linker's last heartbeat `link_age_ms` ago. Caller owns result. */
static kh_snapshot_t *snapshot(int workers, int64_t link_age_ms)
{
    kh_snapshot_t *snap = calloc(1, sizeof *snap);
    kh_runstate_t *s = &snap->state;
    int64_t now = kh_snapshot_now_ms();
    snprintf(s->run, sizeof s->run, "20261202T000000.000Z-00000000");
    s->phase = KH_RUN_RUNNING;
    s->started_ms = now - 10000;
    s->updated_ms = now;
    s->last_progress_ms = now;
    s->stall_timeout_s = 60;
    s->workers = workers;
    add_stage(s, "ingest", 0, 500, now);
    for (int w = 0; w < workers; w++)
        add_stage(s, "validate", w, 500, now);
    for (int w = 0; w < workers; w++)
        add_stage(s, "anonymise", w, 500, now);
    add_stage(s, "link", 0, link_age_ms, now);
    add_stage(s, "aggregate", 0, 500, now);
    add_stage(s, "sink", 0, 500, now);
    return snap;
}

static char *screen(const kh_snapshot_t *snap, int expanded)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    kh_screen_print(f, snap, NULL, expanded, 80);
    fclose(f);
    return text;
}

/* The line of `stage` (its label at the start of a line), or NULL. */
static const char *line_of(const char *text, const char *label)
{
    size_t n = strlen(label);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, label, n) == 0 && p[n] == ' ')
            return p;
    return NULL;
}

static void test_heartbeat_age_and_stalled(void **state)
{
    (void)state;
    kh_snapshot_t *snap = snapshot(2, 45000); /* more than half of 60 s */
    char *text = screen(snap, 0);
    const char *link = line_of(text, "link");
    assert_non_null(link);
    assert_non_null(strstr(text, "AGE"));
    const char *eol = strchr(link, '\n');
    char line[128];
    snprintf(line, sizeof line, "%.*s", (int)(eol - link), link);
    assert_non_null(strstr(line, "stalled"));
    assert_non_null(strstr(line, "45s"));
    const char *sink = line_of(text, "sink");
    assert_non_null(sink);
    eol = strchr(sink, '\n');
    snprintf(line, sizeof line, "%.*s", (int)(eol - sink), sink);
    assert_null(strstr(line, "stalled"));
    free(text);
    free(snap);
}

static void test_end_state_shows_no_rates(void **state)
{
    (void)state;
    kh_snapshot_t *snap = snapshot(2, 500);
    snap->state.phase = KH_RUN_COMMITTED;
    for (int i = 0; i < snap->state.nstages; i++) {
        snap->state.stages[i].alive = 0;
        snap->state.stages[i].stats.state = KH_ST_DONE;
    }
    char *text = screen(snap, 0);
    const char *v = line_of(text, "validate x2");
    assert_non_null(v);
    char label[16], up[8], st[16], in[16], out[16];
    assert_int_equal(sscanf(v, "%15s x2 %7s %15s %15s %15s", label, up, st, in, out), 5);
    assert_string_equal(st, "done");
    assert_string_equal(in, "-");
    assert_string_equal(out, "-");
    free(text);
    free(snap);
}

static void test_eight_workers_fit_80_columns(void **state)
{
    (void)state;
    kh_snapshot_t *snap = snapshot(8, 500);
    for (int expanded = 0; expanded <= 1; expanded++) {
        char *text = screen(snap, expanded);
        int lines = 0;
        for (char *p = text; *p;) {
            char *nl = strchr(p, '\n');
            size_t len = nl ? (size_t)(nl - p) : strlen(p);
            assert_true(len <= 80);
            lines++;
            p += len + (nl != NULL);
        }
        /* grouped, the screen fits 24 rows with the key line below it */
        if (!expanded)
            assert_true(lines + 2 <= 24);
        else
            assert_non_null(line_of(text, "  validate.7"));
        free(text);
    }
    free(snap);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_heartbeat_age_and_stalled),
        cmocka_unit_test(test_end_state_shows_no_rates),
        cmocka_unit_test(test_eight_workers_fit_80_columns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
