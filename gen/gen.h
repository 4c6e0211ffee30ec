/* gen.h - `kohort gen`: writes a synthetic extract directory.
 *
 * Runs inside the `kohort` process. Generates a seeded population in one pass
 * (memory independent of its size) and writes every table of
 * spec/extracts.md with realistic shapes and a small share of bad rows of
 * every kind the validator rejects. Every national id it writes is a
 * synthetic number (month + 80), so none can be a real person's. */
#ifndef KH_GEN_H
#define KH_GEN_H

#include <stdint.h>
#include <stdio.h>

#include "proto/reason.h"
#include "proto/schema.h"

typedef struct {
    const char *out_dir;   /* created if missing */
    uint64_t persons;      /* people in the population tables */
    uint64_t seed;
    int ref_year;          /* R: the extracts describe years up to R */
    int gzip;              /* write NAME.csv.gz instead of NAME.csv */
    int gzip_level;        /* zlib level when gzip */
    int bad_rows;          /* 1: inject bad rows (the default), 0: only good ones */
} kh_gen_opts_t;

/* What a generation wrote, per table (kh_table_t order). `bad` counts the
 * rows written to be rejected, by reason (KH_R_DUPLICATE and KH_R_ID_CYCLE
 * for the rows the linker rejects). */
typedef struct {
    uint64_t rows[KH_TAB_COUNT];
    uint64_t bytes[KH_TAB_COUNT];          /* uncompressed */
    uint64_t bad[KH_TAB_COUNT][KH_R_COUNT];
    uint64_t participants;                 /* persons with an f_intro row */
} kh_gen_stats_t;

/* Fill `opts` with the defaults of `kohort gen` (out_dir NULL). */
void kh_gen_opts_default(kh_gen_opts_t *opts);

/* Generate the extract directory `opts` describes. Same options, same bytes.
 * `stats` may be NULL. Returns 0, -errno (a directory or file could not be
 * written; files already complete stay) or KH_E_USAGE (bad options). */
int kh_gen_run(const kh_gen_opts_t *opts, kh_gen_stats_t *stats);

/* The `kohort gen` command: argv[0] is "gen". Parses the options, runs, and
 * prints a summary to stdout. Returns the exit status: 0 done, 1 the files
 * could not be written, 2 usage error (one sentence on stderr). */
int kh_gen_main(int argc, char **argv);

#endif
