/* common.h - small helpers shared by the `kohort` subcommands: option
 * values, usage errors, output formats. Used only by the cli/ process. */
#ifndef KH_CLI_COMMON_H
#define KH_CLI_COMMON_H

#include <stdint.h>
#include <stdio.h>

#include "proto/store.h"

typedef enum { KH_FMT_TABLE = 0, KH_FMT_CSV, KH_FMT_JSON } kh_format_t;

/* Parses a decimal integer within [lo, hi]. Returns 0 or -1. */
int kh_cli_int(const char *s, int lo, int hi, int *out);

/* Prints "kohort: <msg>" to stderr and returns 2 (the usage exit status). */
int kh_cli_usage(const char *msg);

/* Parses "table", "csv" or "json". Returns 0 or -1. */
int kh_cli_format(const char *s, kh_format_t *out);

/* Writes s as a JSON string (quoted, escaped). */
void kh_cli_json_str(FILE *f, const char *s);

/* Writes s as one RFC 4180 CSV field (quoted when needed). Text that a
 * spreadsheet would run as a formula (starting with = + - @, tab or CR)
 * is written quoted behind an apostrophe: "'=1+1". */
void kh_cli_csv_str(FILE *f, const char *s);

/* The same with another field separator (';' for Norwegian Excel). */
void kh_cli_csv_field(FILE *f, const char *s, char sep);

/* Formats a stored cell scaled by 10^scale as `kohort query` prints it:
 * 313 at scale 4 is "0.0313"; 0 is never printed with a sign. */
void kh_cli_format_value(char *buf, size_t cap, int64_t v, int scale);

/* Formats Unix milliseconds as 2026-11-26T02:00:00Z into buf. */
void kh_cli_time(char *buf, size_t cap, long long ms);

/* The version of this build ("0.4.0", from the VERSION file). Borrowed:
 * static. */
const char *kh_cli_version(void);

/* The store a command works on: `opt` (its --store) when given, else the
 * environment's KOHORT_STORE when set and not empty, else NULL. Borrowed:
 * from argv or the environment. */
const char *kh_cli_store(const char *opt);

/* Opens the store at `path` read-only for a reader command. On failure
 * says so in one sentence on stderr ("no store at PATH" when there is
 * none) and returns the exit status: 2 for a store refused for the type,
 * mode or owner of its directory or files (a configuration error: modes are
 * never changed), else 1; 0 with *out set on success. Caller owns *out;
 * close with kh_store_close(). */
int kh_cli_open_store(const char *path, kh_store_t **out);

/* Resolves a --run argument: `latest` (the newest run), a whole run id, or
 * a prefix that only one run id starts with. Returns 0 with the id in
 * `out`, or 1 after one sentence on stderr (no such run, or ambiguous). */
int kh_cli_resolve_run(kh_store_t *store, const char *arg, char out[KH_RUN_ID_MAX]);

/* Finds the directory of the stage programs (kohort-ingest, ...): `opt`
 * when given; else beside this executable (a build tree's bin/); else
 * ../libexec/kohort relative to it (an installed tree). Every stage program
 * must be there and executable. Returns 0 with the directory in `dir`, or
 * -1 with one sentence in `why`. */
int kh_cli_stage_dir(const char *opt, char *dir, size_t cap, char *why, size_t whycap);

#endif
