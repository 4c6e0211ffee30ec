/* screen.h - one screen of a running import, as `kohort top` redraws it
 * and `kohort status` prints it: a run line with progress per table and
 * time left, then one line per stage (workers grouped, expandable) with
 * rates, backlog, utilisation and memory. Plus the short numbers for 80
 * columns that the progress bar of `kohort run` uses too. Plain text, no
 * terminal handling (that is cli/top.c's). */
#ifndef KH_CLI_SCREEN_H
#define KH_CLI_SCREEN_H

#include <stdio.h>

#include "cli/snapshot.h"

/* Writes one screen of `cur` as plain text lines of at most `width`
 * columns. Rates come from the change since `prev` (a snapshot of the same
 * run, or NULL: averages since each stage started). `expanded`: one line per
 * worker under each stage. */
void kh_screen_print(FILE *f, const kh_snapshot_t *cur, const kh_snapshot_t *prev,
                  int expanded, int width);

/* Short numbers for 80 columns, shared with the progress bar:
 * counts "12.3k", bytes "9.1M", durations "1:02:03" ("?" when negative),
 * and a bar of `width` '#' and '.' (buf holds width + 1). */
void kh_screen_fmt_count(char *buf, size_t cap, double v);
void kh_screen_fmt_bytes(char *buf, size_t cap, double v);
void kh_screen_fmt_duration(char *buf, size_t cap, double s);
void kh_screen_fmt_bar(char *buf, int width, double ratio);

#endif
