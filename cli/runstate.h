/* runstate.h - what `kohort run` knows about the import in progress: the
 * run, its stages and their latest counters. `kohort run` fills it from the
 * stats messages; the operator's views (status file, `kohort status`,
 * `kohort top`, the Prometheus endpoint and metrics file) read it.
 * Plain data, owned by its holder. */
#ifndef KH_CLI_RUNSTATE_H
#define KH_CLI_RUNSTATE_H

#include <stdint.h>
#include <sys/types.h>

#include "proto/msg.h"

#define KH_RUNSTATE_MAX_STAGES 64

typedef enum {
    KH_RUN_STARTING = 0,  /* stages starting */
    KH_RUN_RUNNING,       /* rows flowing */
    KH_RUN_COMMITTED,     /* the sink committed: success */
    KH_RUN_FAILED,        /* failed: see reason */
} kh_runphase_t;

typedef struct {
    char stage[16];            /* "ingest", "validate", ... */
    int32_t worker;            /* 0.. for parallel stages */
    int32_t pid;
    int32_t alive;             /* 0 once the process has exited */
    int32_t exit_status;       /* raw wait status once exited */
    uint64_t last_seen_ms;     /* Unix ms of its latest stats message (0: none yet) */
    uint32_t restarts;         /* replacements started for this slot */
    kh_stats_t stats;          /* latest counters (state, rows, busy, rss) */
} kh_runstage_t;

typedef struct {
    char run[KH_RUN_ID_MAX];
    char store[4096];
    char extracts[4096];
    int32_t phase;             /* kh_runphase_t */
    char reason[KH_REASON_MAX];/* why it failed, "" otherwise */
    int64_t started_ms;        /* Unix ms */
    int64_t updated_ms;        /* Unix ms of this snapshot */
    int64_t last_progress_ms;  /* Unix ms of the latest change of any counter */
    int32_t stall_timeout_s;
    int32_t workers;
    int32_t nstages;
    kh_runstage_t stages[KH_RUNSTATE_MAX_STAGES];
    /* progress: bytes of each table's file on disk (0: absent), known at start */
    uint64_t file_bytes[KH_TAB_COUNT];
    /* the ledger once committed */
    kh_ledger_t ledger;
    /* the run's private runtime directory (its sockets), so that the next
     * run can clear it when this one was killed (cli/deadrun.h) */
    char rundir[128];
} kh_runstate_t;

#endif
