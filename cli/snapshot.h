/* snapshot.h - the status snapshot of a running import, and the figures
 * every view derives from it.
 *
 * `kohort run` (through cli/runview.c) rewrites STORE/run.status about once
 * a second and leaves a pointer naming the store in the user's runs
 * directory; `kohort status`, `kohort top`, the metrics and the next run
 * (cli/deadrun.c) read them, and derive progress, time left, backlog and
 * health the same way. The snapshot is private to one kohort build
 * (versioned binary). */
#ifndef KH_CLI_SNAPSHOT_H
#define KH_CLI_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/runstate.h"
#include "proto/topology.h"

#define KH_SNAPSHOT_FILE "run.status"

/* A snapshot as read back: the run state and who wrote it. */
typedef struct {
    kh_runstate_t state;
    int32_t pid;          /* the `kohort run` process */
    uint64_t pid_start;   /* its start time in clock ticks since boot (0: unknown) */
} kh_snapshot_t;

/* Writes the snapshot of `s` into STORE/run.status atomically (temporary
 * file, then rename), readable by its owner only. Returns 0 or -errno. */
int kh_snapshot_write(const char *store, const kh_runstate_t *s, int32_t pid, uint64_t pid_start);

/* Reads STORE/run.status into *out. Returns 0, KH_E_NOTFOUND when there is
 * none, KH_E_DECODE when it was written by another kohort build, or -errno. */
int kh_snapshot_read(const char *store, kh_snapshot_t *out);

/* Removes STORE/run.status (no error when absent). */
void kh_snapshot_remove(const char *store);

/* Start time of process `pid` in clock ticks since boot, 0 when unknown. */
uint64_t kh_snapshot_proc_start(pid_t pid);

/* 1 when the process that wrote `snap` is still running. */
int kh_snapshot_alive(const kh_snapshot_t *snap);

/* The user's runs directory: $KOHORT_RUNS_DIR, else /tmp/kohort-runs-UID.
 * Holds one file per running import, named by the pid of `kohort run` and
 * holding the absolute path of its store. */
void kh_snapshot_runs_dir(char *out, size_t cap);

/* Registers the import of `pid` on `store` in the runs directory (created
 * 0700 when absent; refused when it is not a private directory of this
 * user). Returns 0 or a negative code with one sentence in `why`. */
int kh_snapshot_register(const char *store, pid_t pid, char *why, size_t whycap);

/* Removes the registration of `pid`. */
void kh_snapshot_unregister(pid_t pid);

/* Under the store's lock (skipped when another process holds it), records
 * the run that a dead `kohort run` left on `store` (cli/deadrun.h); a
 * failure is said on stderr. */
void kh_snapshot_recover(const char *store);

/* The store of the only running import of this user. Returns 0 with the
 * path in `store`, 1 when none is running, or KH_E_USAGE with one sentence
 * in `why` when several are. Stale registrations are removed. */
int kh_snapshot_find(char *store, size_t cap, char *why, size_t whycap);

/* Progress of one table and of the run, from a snapshot. A table counts as
 * done when ingest has read its whole file and every row it read has reached
 * the linker or been rejected on the way. */
typedef struct {
    uint64_t file_bytes;   /* size on disk (0: absent) */
    uint64_t bytes_read;   /* of the file on disk, by ingest */
    uint64_t rows_read;    /* records ingest sent */
    uint64_t rows_done;    /* rows the linker received plus rows rejected before it */
    double ratio;          /* 0..1 */
} kh_snapshot_table_t;

typedef struct {
    kh_snapshot_table_t tables[KH_TAB_COUNT];
    uint64_t bytes_total, bytes_read;
    uint64_t rows_read, rows_done;
    double ratio;          /* 0..1, weighted by file size */
    double elapsed_s;      /* since ingest started (0: not yet) */
    double eta_s;          /* estimated seconds left; < 0 when unknown */
} kh_snapshot_progress_t;

void kh_snapshot_progress(const kh_runstate_t *s, int64_t now_ms, kh_snapshot_progress_t *p);

/* The backlog in front of `stage` (validate, anonymise or link): the rows
 * the stage before it in the chain sent that it has not yet received,
 * summed over workers and tables. Returns 1 with *rows set, or 0 for a
 * stage with no such queue (ingest, aggregate, sink). */
int kh_snapshot_backlog(const kh_runstate_t *s, kh_stagekind_t stage, uint64_t *rows);

/* 1 when the run is healthy; 0 with one sentence in `why` when a stage died,
 * no counter moved for more than half the stall timeout, or the run failed. */
int kh_snapshot_health(const kh_runstate_t *s, int64_t now_ms, char *why, size_t whycap);

/* "starting", "running", "committed", "failed". Borrowed: static. */
const char *kh_snapshot_phase_name(int phase);

/* Unix time in milliseconds. */
int64_t kh_snapshot_now_ms(void);

/* Resolves the store to watch: `opt` when given, else KOHORT_STORE, else
 * the only running import of this user (kh_snapshot_find). Returns 0 with
 * the path in `out`, 1 when no import is running, 2 after printing a usage
 * error or that a named store is refused for its modes or owner, or -1
 * after printing that a named store does not exist or cannot be read (the
 * caller exits 1: a mistyped path must not look like an idle store). */
int kh_snapshot_resolve(const char *opt, char *out, size_t cap);

#endif
