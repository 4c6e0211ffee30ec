/* store.h - the LMDB store: layout, keys and record codecs.
 *
 * One environment (a directory, readable only by its owner) with named
 * databases: `exit`, `status`, `cost`, `followup` (indicator rows keyed by
 * reference year, municipality, cohort/year and, in followup, horizon and
 * kjonn, as big-endian 16-bit numbers, so that byte order is print order;
 * a store of an older version has no `followup` and reads as having no
 * rows there), `reference`, `runs` (the ledger), `quarantine`
 * (rejected rows of the newest runs) and `meta` (schema version). The sink
 * writes indicators; `kohort run` writes a failed run's ledger entry; the
 * query commands only read and never block a running import. */
#ifndef KH_STORE_H
#define KH_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/msg.h"
#include "proto/schema.h"

/* Version 2: ledger records may carry the suppression counts of step 7
 * (msg_run.c's ledger encoding), which version 1 cannot read. Version 1 stores
 * open for reading as they are and are marked version 2 when opened for
 * writing (their records read unchanged). */
#define KH_STORE_SCHEMA_VERSION 2
#define KH_STORE_SCHEMA_OLDEST 1
#define KH_STORE_KEEP_QUARANTINE 30

typedef struct kh_store kh_store_t;

/* A run as the ledger keeps it. */
typedef struct {
    char run[KH_RUN_ID_MAX];
    int64_t started_ms, finished_ms;   /* Unix time in milliseconds */
    int32_t ok;                        /* 1 ok, 0 failed */
    char reason[KH_REASON_MAX];        /* empty when ok */
    int32_t min_cell;
    kh_ledger_t ledger;
    char version[32];                  /* the kohort that wrote it; "" when older */
} kh_runrec_t;

/* One quarantined row. */
typedef struct {
    int32_t table;
    kh_rejected_t rej;
    char file[KH_FILE_MAX];
} kh_qrec_t;

#define KH_STORE_DEFAULT_MAX ((uint64_t)16 << 30)

/* Opens (creating when `write` and absent) the store at `path`, which is
 * made readable by its owner only. The map starts small and grows as writes
 * need, up to max_bytes (0 = KH_STORE_DEFAULT_MAX); past it a write fails
 * with KH_E_MAP_FULL and changes nothing. Caller owns result; close with
 * kh_store_close(). Returns 0 or a negative code; KH_E_NOTFOUND when a
 * read-only open finds no store. The files are checked first and never
 * changed: KH_E_MODE for a wrong type, mode or owner (a store directory
 * that is not this user's 0700 directory, a file that is a symbolic link
 * or not 0600), KH_E_DAMAGED for a data.mdb its meta pages disown (zero
 * length, truncated, damaged meta) or a non-empty directory holding no
 * store. Pages the meta page counts past the end of data.mdb are no damage
 * when LMDB's free list holds them all (LMDB leaves a commit's last pages
 * unwritten when it freed them again); a writer extends the file over them,
 * and after each of its commits. While a store is open, a SIGBUS, or a SIGSEGV inside its map,
 * ends the process with one sentence and exit status 1. */
int kh_store_open(const char *path, int write, uint64_t max_bytes, kh_store_t **store);
void kh_store_close(kh_store_t **store);

/* Takes the advisory run lock of the store at `path` (creating the directory
 * if needed). Returns a file descriptor (>= 0) to keep open for the run, or
 * KH_E_BUSY when another run holds it, or -errno. */
int kh_store_lock(const char *path);

/* 1 when a run holds the lock of the store at `path`. */
int kh_store_locked(const char *path);

/* Writes the rejected rows of every register table for `run` (rej[t]
 * those of table t) in one transaction. A row already there (the same run,
 * table and line: a batch sent again after a worker died) is kept once;
 * added[t] (`added` may be NULL) gets the number of rows of table t that
 * were new. */
int kh_store_put_rejects(kh_store_t *s, const char *run, const kh_rejects_t rej[KH_TAB_COUNT],
                         uint32_t added[KH_TAB_COUNT]);

/* Another reference year that a run rewrites (step 7.4 of
 * spec/indicators.md suppressed cells in it): for each table with
 * replace[t] set, every stored row of ref_year is replaced by rows[t]
 * (nrows[t] of them); its other tables and reference figures stay.
 * Borrowed by kh_store_commit(). */
typedef struct {
    int ref_year;
    int replace[KH_IND_COUNT];
    kh_indrow_t *rows[KH_IND_COUNT];
    size_t nrows[KH_IND_COUNT];
} kh_store_year_t;

/* The commit of a successful run, in one transaction: every indicator row of
 * rec->ledger.ref_year is replaced by `rows` (per indicator table), the
 * national series and the municipalities' names stored as the reference
 * figures of that year (replacing all it had), the tables of
 * the `nothers` other years replaced as kh_store_year_t says, the ledger
 * entry written and old quarantines pruned. All or nothing. Returns 0 or a
 * negative code; -EINVAL when another year is the run's year or comes
 * twice. */
int kh_store_commit(kh_store_t *s, const kh_runrec_t *rec, kh_indrow_t *const rows[KH_IND_COUNT],
                    const size_t nrows[KH_IND_COUNT], const kh_refdata_t *ref,
                    const kh_store_year_t *others, size_t nothers);

/* Writes a ledger entry alone (a failed run) and prunes old quarantines.
 * A failed entry never replaces an ok entry of the same run (the commit
 * decided; then nothing is written and 0 returned). */
int kh_store_put_run(kh_store_t *s, const kh_runrec_t *rec);

/* Reading. Callbacks return 0 to go on, KH_STOP to end the iteration early
 * or a negative code (an error); each iterator returns what ended it
 * (KH_STOP or the code), else 0 or its own negative code. */
typedef int (*kh_store_row_cb)(void *ctx, int ref_year, const kh_indrow_t *row);
typedef int (*kh_store_run_cb)(void *ctx, const kh_runrec_t *rec);
typedef int (*kh_store_q_cb)(void *ctx, const kh_qrec_t *q);

/* Indicator rows of `table` for ref_year (0 = every year), in key order. */
int kh_store_each_row(kh_store_t *s, kh_indtable_t table, int ref_year, kh_store_row_cb cb, void *ctx);

/* The newest reference year with indicator rows, or 0. */
int kh_store_newest_year(kh_store_t *s, int *year);

/* Ledger entries, newest first (run ids sort by start time). */
int kh_store_each_run(kh_store_t *s, kh_store_run_cb cb, void *ctx);

/* Quarantine of `run`, by table then line. */
int kh_store_each_reject(kh_store_t *s, const char *run, kh_store_q_cb cb, void *ctx);

/* National attainment figures stored with ref_year: calls cb(ctx, year, andel). */
int kh_store_each_national(kh_store_t *s, int ref_year,
                           int (*cb)(void *ctx, int year, const char *andel), void *ctx);

/* Municipality names (ref_kommunenavn) stored with ref_year, by code: calls
 * cb(ctx, kommnr, navn); navn is borrowed for the call. A year whose run read
 * no ref_kommunenavn (or was stored before it existed) has none. */
int kh_store_each_name(kh_store_t *s, int ref_year,
                       int (*cb)(void *ctx, int kommnr, const char *navn), void *ctx);

/* Writes a compacted copy of the store (its data.mdb) to the file `out`
 * (mode 0600, through a temporary name and rename), consistent as of one
 * moment even while a run writes. Restore: put it as data.mdb into an empty
 * 0700 directory. Returns 0 or a negative code. */
int kh_store_backup(kh_store_t *s, const char *out);

/* Test builds only: make the next commit fail as if the disk were full. */
void kh_store_fault_next_commit(int code);

#endif
