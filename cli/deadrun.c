/* deadrun.c - recognising and clearing a killed run. See deadrun.h. */
#define _GNU_SOURCE
#include "cli/deadrun.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/snapshot.h"
#include "proto/err.h"
#include "proto/topology.h"
#include "proto/util.h"

void kh_deadrun_counts(kh_runrec_t *rec, const kh_runstate_t *s)
{
    for (int i = 0; i < s->nstages && i < KH_RUNSTATE_MAX_STAGES; i++) {
        const kh_runstage_t *c = &s->stages[i];
        for (int t = 0; t < KH_TAB_COUNT; t++) {
            kh_tablecount_t *tc = &rec->ledger.tables[t];
            int kind = kh_topology_stage(c->stage);
            if (kind == KH_STAGE_INGEST)
                tc->read += c->stats.tables[t].rows_out;
            if (kind == KH_STAGE_VALIDATE) {
                tc->accepted += c->stats.tables[t].rows_out;
                tc->rejected += c->stats.tables[t].rows_rejected;
            }
            tc->present = tc->read > 0;
        }
    }
}

/* Removes a runtime directory of ours: private, named kohort-*, holding
 * only the run's sockets. Anything else is left alone. */
static void remove_rundir(const char *dir)
{
    const char *base = strrchr(dir, '/');
    struct stat sb;
    if (!base || strncmp(base + 1, "kohort-", 7) != 0 || lstat(dir, &sb) != 0 ||
        !S_ISDIR(sb.st_mode) || sb.st_uid != getuid())
        return;
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[PATH_MAX];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (lstat(path, &sb) == 0 && !S_ISDIR(sb.st_mode))
            unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

typedef struct {
    const char *run;
    int found, ok;
} lookup_t;

static int lookup_cb(void *ctx, const kh_runrec_t *rec)
{
    lookup_t *l = ctx;
    if (strcmp(rec->run, l->run) != 0)
        return 0;
    l->found = 1;
    l->ok = rec->ok;
    return KH_STOP;
}

int kh_deadrun_recover(const char *store, char *msg, size_t cap)
{
    kh_snapshot_t *snap = kh_xmalloc(sizeof *snap);
    int rc = kh_snapshot_read(store, snap);
    if (rc == KH_E_DECODE) {
        /* a snapshot of another build: its run is not ours to judge, but a
         * snapshot under the lock we hold belongs to no live run */
        kh_snapshot_remove(store);
        free(snap);
        return 0;
    }
    if (rc || kh_snapshot_alive(snap)) {
        free(snap);
        return 0;
    }
    const kh_runstate_t *s = &snap->state;
    kh_store_t *st = NULL;
    lookup_t l = {s->run, 0, 0};
    rc = kh_store_open(store, 1, 0, &st);
    if (rc == 0) {
        kh_store_each_run(st, lookup_cb, &l);
        if (!l.found && s->run[0]) {
            kh_runrec_t *rec = kh_xcalloc(1, sizeof *rec);
            snprintf(rec->run, sizeof rec->run, "%s", s->run);
            rec->started_ms = s->started_ms;
            rec->finished_ms = s->updated_ms;
            rec->ok = 0;
            snprintf(rec->reason, sizeof rec->reason,
                     "the supervisor died (kohort run, pid %d, last seen alive at this time); "
                     "recorded by a later command", (int)snap->pid);
            kh_deadrun_counts(rec, s);
            /* the ledger entry also brings its quarantine under pruning */
            rc = kh_store_put_run(st, rec);
            free(rec);
        }
        kh_store_close(&st);
    }
    if (rc) {
        snprintf(msg, cap, "the dead run %s could not be recorded in the ledger: %s", s->run,
                 kh_strerror(rc));
        free(snap);
        return rc;
    }
    if (s->rundir[0])
        remove_rundir(s->rundir);
    kh_snapshot_unregister((pid_t)snap->pid);
    kh_snapshot_remove(store);
    if (l.found && l.ok)
        snprintf(msg, cap, "run %s committed before its supervisor (pid %d) died; its runtime "
                 "files removed", s->run, (int)snap->pid);
    else
        snprintf(msg, cap, "run %s died with its supervisor (pid %d); recorded as failed in the "
                 "ledger and its runtime files removed", s->run, (int)snap->pid);
    free(snap);
    return 1;
}
