/* top.h - `kohort top`: the running import in a terminal, one line per
 * stage (workers grouped, expandable) with rates, backlog, utilisation and
 * memory, and a run line with progress per table and time left. Reads the
 * status snapshot (cli/status.h); refreshes in place with ANSI sequences in
 * raw terminal mode (termios), no curses. */
#ifndef KH_CLI_TOP_H
#define KH_CLI_TOP_H

#include <stdio.h>

#include "cli/status.h"

/* Writes one screen of `cur` as plain text lines of at most `width`
 * columns. Rates come from the change since `prev` (a snapshot of the same
 * run, or NULL: averages since each stage started). `expanded`: one line per
 * worker under each stage. */
void kh_top_print(FILE *f, const kh_status_snap_t *cur, const kh_status_snap_t *prev,
                  int expanded, int width);

/* Short numbers for 80 columns, shared with the progress bar:
 * counts "12.3k", bytes "9.1M", durations "1:02:03" ("?" when negative),
 * and a bar of `width` '#' and '.' (buf holds width + 1). */
void kh_top_fmt_count(char *buf, size_t cap, double v);
void kh_top_fmt_bytes(char *buf, size_t cap, double v);
void kh_top_fmt_duration(char *buf, size_t cap, double s);
void kh_top_fmt_bar(char *buf, int width, double ratio);

/* `kohort top [--store DIR]`. Returns the exit status: 0 when quit or the
 * run committed, 1 when the watched run failed. */
int kh_top_main(int argc, char **argv);

#endif
