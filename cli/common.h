/* common.h - small helpers shared by the `kohort` subcommands: option
 * values, usage errors, output formats. Used only by the cli/ process. */
#ifndef KH_CLI_COMMON_H
#define KH_CLI_COMMON_H

#include <stdint.h>
#include <stdio.h>

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

/* Formats a stored cell scaled by 10^scale as `kohort query` prints it:
 * 313 at scale 4 is "0.0313"; 0 is never printed with a sign. */
void kh_cli_format_value(char *buf, size_t cap, int64_t v, int scale);

/* Formats Unix milliseconds as 2026-11-26T02:00:00Z into buf. */
void kh_cli_time(char *buf, size_t cap, long long ms);

#endif
