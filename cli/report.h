/* report.h - `kohort report`: one self-contained HTML file with SVG charts
 * and the indicator tables of one reference year, read from the store.
 * Used by the `kohort` process only; read-only, it never blocks a running
 * import. The charts are drawn here, in C: no scripts, no network. */
#ifndef KH_REPORT_H
#define KH_REPORT_H

#include <stdio.h>

#include "proto/store.h"

/* What to report on. */
typedef struct {
    int ref_year;          /* 0: the newest reference year in the store */
    const int *kommuner;   /* municipalities to show; NULL: all (charts capped) */
    int nkommuner;
    const char *store_label; /* shown in the header (the store's path) */
    int focus;             /* 1: a page for kommuner[0], the rest its peers */
} kh_report_opts_t;

/* Maximum number of municipalities drawn in one chart. */
#define KH_REPORT_MAX_CHART 8

/* Writes the report of `store` to `out`. Returns 0, KH_E_NOTFOUND when the
 * store holds no indicators (of opts->ref_year, when given), or a store
 * error; `why` (cap bytes) gets one sentence on failure. Output errors are
 * the caller's to check (ferror). */
int kh_report_write(kh_store_t *store, const kh_report_opts_t *opts, FILE *out, char *why,
                    size_t cap);

/* `kohort report --store DIR --out FILE.html [--ref-year R] [--kommune K [--peers K,...]]`.
 * Returns the exit status (0, 1 the work failed, 2 usage). */
int kh_report_main(int argc, char **argv);

#endif
