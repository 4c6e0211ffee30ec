/* status.c - `kohort status`: the running import once, as text (the
 * screen of `kohort top`) or JSON. See status.h. */
#define _GNU_SOURCE
#include "cli/status.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/common.h"
#include "cli/screen.h"
#include "cli/snapshot.h"
#include "proto/err.h"
#include "proto/store.h"
#include "proto/util.h"

/* ---- kohort status ------------------------------------------------------------------ */

static void json_time(FILE *f, const char *key, int64_t ms)
{
    char buf[32];
    kh_cli_time(buf, sizeof buf, ms);
    fprintf(f, "\"%s\": \"%s\"", key, buf);
}

static void json_tablestats(FILE *f, const kh_tablestats_t *ts)
{
    fprintf(f, "{\"batches_in\": %llu, \"rows_in\": %llu, \"batches_out\": %llu, \"rows_out\": %llu, "
               "\"rows_rejected\": %llu, \"bytes_read\": %llu}",
            (unsigned long long)ts->batches_in, (unsigned long long)ts->rows_in,
            (unsigned long long)ts->batches_out, (unsigned long long)ts->rows_out,
            (unsigned long long)ts->rows_rejected, (unsigned long long)ts->bytes_read);
}

static void json_stage(FILE *f, const kh_runstage_t *c)
{
    kh_tablestats_t sum;
    memset(&sum, 0, sizeof sum);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const kh_tablestats_t *ts = &c->stats.tables[t];
        sum.batches_in += ts->batches_in;
        sum.rows_in += ts->rows_in;
        sum.batches_out += ts->batches_out;
        sum.rows_out += ts->rows_out;
        sum.rows_rejected += ts->rows_rejected;
        sum.bytes_read += ts->bytes_read;
    }
    fprintf(f, "    {\"stage\": ");
    kh_cli_json_str(f, c->stage);
    fprintf(f, ", \"worker\": %d, \"pid\": %d, \"alive\": %s, \"state\": \"%s\", \"restarts\": %u, ",
            c->worker, c->pid, c->alive ? "true" : "false",
            c->last_seen_ms ? kh_state_name(c->stats.state) : "starting", c->restarts);
    if (c->alive)
        fprintf(f, "\"exit_status\": null, ");
    else if (WIFSIGNALED(c->exit_status))
        fprintf(f, "\"exit_status\": null, \"signal\": %d, ", WTERMSIG(c->exit_status));
    else
        fprintf(f, "\"exit_status\": %d, ", WEXITSTATUS(c->exit_status));
    if (c->last_seen_ms)
        json_time(f, "last_seen", (int64_t)c->last_seen_ms);
    else
        fprintf(f, "\"last_seen\": null");
    fprintf(f, ", \"rss_bytes\": %llu, \"busy_seconds\": %.3f, \"uptime_seconds\": %.3f,\n"
               "     \"counters\": ",
            (unsigned long long)c->stats.rss_bytes, (double)c->stats.busy_ns / 1e9,
            (double)c->stats.uptime_ns / 1e9);
    json_tablestats(f, &sum);
    fprintf(f, ",\n     \"tables\": {");
    int first = 1;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const kh_tablestats_t *ts = &c->stats.tables[t];
        if (!ts->batches_in && !ts->rows_in && !ts->batches_out && !ts->rows_out &&
            !ts->rows_rejected && !ts->bytes_read)
            continue;
        fprintf(f, "%s\"%s\": ", first ? "" : ", ", kh_schema_table((kh_table_t)t)->name);
        json_tablestats(f, ts);
        first = 0;
    }
    fprintf(f, "}}");
}

static void print_json(FILE *f, const kh_snapshot_t *snap, int64_t now_ms)
{
    const kh_runstate_t *s = &snap->state;
    kh_snapshot_progress_t p;
    kh_snapshot_progress(s, now_ms, &p);
    char health[KH_REASON_MAX + 100];
    int healthy = kh_snapshot_health(s, now_ms, health, sizeof health);
    fprintf(f, "{\"running\": true, \"run\": ");
    kh_cli_json_str(f, s->run);
    fprintf(f, ", \"pid\": %d, \"store\": ", snap->pid);
    kh_cli_json_str(f, s->store);
    fprintf(f, ", \"extracts\": ");
    kh_cli_json_str(f, s->extracts);
    fprintf(f, ",\n  \"state\": \"%s\", \"reason\": ", kh_snapshot_phase_name(s->phase));
    if (s->reason[0])
        kh_cli_json_str(f, s->reason);
    else
        fprintf(f, "null");
    fprintf(f, ", \"healthy\": %s, \"health\": ", healthy ? "true" : "false");
    kh_cli_json_str(f, health);
    fprintf(f, ",\n  ");
    json_time(f, "started", s->started_ms);
    fprintf(f, ", ");
    json_time(f, "updated", s->updated_ms);
    fprintf(f, ", ");
    json_time(f, "last_progress", s->last_progress_ms);
    fprintf(f, ", \"elapsed_seconds\": %.1f, \"stall_timeout_seconds\": %d, \"workers\": %d,\n",
            (double)(now_ms - s->started_ms) / 1e3, s->stall_timeout_s, s->workers);
    fprintf(f, "  \"progress\": {\"ratio\": %.4f, \"bytes_done\": %llu, \"bytes_total\": %llu, "
               "\"rows_read\": %llu, \"rows_done\": %llu, \"eta_seconds\": ",
            p.ratio, (unsigned long long)p.bytes_read, (unsigned long long)p.bytes_total,
            (unsigned long long)p.rows_read, (unsigned long long)p.rows_done);
    if (p.eta_s >= 0)
        fprintf(f, "%.0f", p.eta_s);
    else
        fprintf(f, "null");
    fprintf(f, ",\n    \"tables\": {");
    int first = 1;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const kh_snapshot_table_t *pt = &p.tables[t];
        if (!pt->file_bytes)
            continue;
        fprintf(f, "%s\n      \"%s\": {\"ratio\": %.4f, \"bytes_done\": %llu, \"bytes_total\": %llu, "
                   "\"rows_read\": %llu, \"rows_done\": %llu}",
                first ? "" : ",", kh_schema_table((kh_table_t)t)->name, pt->ratio,
                (unsigned long long)pt->bytes_read, (unsigned long long)pt->file_bytes,
                (unsigned long long)pt->rows_read, (unsigned long long)pt->rows_done);
        first = 0;
    }
    fprintf(f, "}},\n  \"stages\": [");
    for (int i = 0; i < s->nstages; i++) {
        fprintf(f, "%s\n", i ? "," : "");
        json_stage(f, &s->stages[i]);
    }
    fprintf(f, "]}\n");
}

typedef struct {
    const kh_runrec_t *found;
    kh_runrec_t rec;
} last_ctx_t;

static int take_last(void *ctx, const kh_runrec_t *rec)
{
    last_ctx_t *c = ctx;
    c->rec = *rec;
    c->found = &c->rec;
    return KH_STOP;
}

/* With no run in progress: says so, with the newest ledger entry when there is one. */
static void print_idle_json(FILE *f, const char *store)
{
    fprintf(f, "{\"running\": false");
    if (store) {
        fprintf(f, ", \"store\": ");
        kh_cli_json_str(f, store);
        kh_store_t *st = NULL;
        last_ctx_t *last = kh_xcalloc(1, sizeof *last);
        if (kh_store_open(store, 0, 0, &st) == 0) {
            kh_store_each_run(st, take_last, last);
            kh_store_close(&st);
        }
        if (last->found) {
            fprintf(f, ", \"last_run\": {\"run\": ");
            kh_cli_json_str(f, last->rec.run);
            fprintf(f, ", \"status\": \"%s\", ", last->rec.ok ? "ok" : "failed");
            json_time(f, "started", last->rec.started_ms);
            fprintf(f, ", ");
            json_time(f, "finished", last->rec.finished_ms);
            fprintf(f, ", \"reason\": ");
            if (last->rec.ok)
                fprintf(f, "null");
            else
                kh_cli_json_str(f, last->rec.reason);
            fprintf(f, "}");
        }
        free(last);
    }
    fprintf(f, "}\n");
}

static void usage(FILE *f)
{
    fprintf(f,
        "usage: kohort status [--store DIR] [--json]\n"
        "Prints the state of the import running on the store once: the run, its\n"
        "progress per table and every stage process with its counters. Without\n"
        "--store, the only running import of this user. With no import running it\n"
        "says so and exits 0.\n\n"
        "  --store DIR   the store of the run to watch\n"
        "  --json        one JSON object, for scripts\n");
}

int kh_status_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"json", no_argument, 0, 'j'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *store_opt = NULL;
    int json = 0, opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's': store_opt = optarg; break;
        case 'j': json = 1; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc)
        return kh_cli_usage("unexpected argument; see kohort status --help");
    char store[PATH_MAX];
    int rc = kh_snapshot_resolve(store_opt, store, sizeof store);
    if (rc == 2 || rc < 0)
        return rc < 0 ? 1 : 2;
    kh_snapshot_t *snap = kh_xmalloc(sizeof *snap);
    int running = 0;
    if (rc == 0) {
        int err = kh_snapshot_read(store, snap);
        if (err == KH_E_DECODE) {
            fprintf(stderr, "kohort: %s/%s was written by another kohort build\n", store,
                    KH_SNAPSHOT_FILE);
            free(snap);
            return 1;
        }
        running = err == 0 && kh_snapshot_alive(snap);
        if (err == 0 && !running)
            kh_snapshot_recover(store);
    }
    int64_t now = kh_snapshot_now_ms();
    if (json) {
        if (running)
            print_json(stdout, snap, now);
        else
            print_idle_json(stdout, rc == 0 ? store : NULL);
    } else if (running) {
        kh_screen_print(stdout, snap, NULL, 1, 80);
    } else if (rc == 0) {
        printf("no import is running on %s\n", store);
    } else {
        printf("no import is running\n");
    }
    free(snap);
    return 0;
}
