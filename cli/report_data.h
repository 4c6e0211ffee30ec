/* report_data.h - what `kohort report` draws, read from the store: the
 * rows of one reference year, the national attainment series, the run
 * that wrote them, the reference years the store holds, and which
 * municipalities the charts show. Used by report.c and its sections in the
 * `kohort` process; read-only. */
#ifndef KH_CLI_REPORT_DATA_H
#define KH_CLI_REPORT_DATA_H

#include <stddef.h>
#include <stdio.h>

#include "cli/report.h"
#include "proto/store.h"

typedef struct {
    kh_indrow_t *rows;     /* in key order, as the store gives them */
    size_t n, cap;
} kh_rowset_t;

typedef struct {
    int year;
    double share;
    char text[24];         /* as stored, '.' decimal point */
} kh_natpt_t;

typedef struct {
    const kh_report_opts_t *opts;
    FILE *f;
    int ref_year;
    kh_rowset_t tab[KH_IND_COUNT];
    kh_natpt_t *nat;
    size_t nnat, natcap;
    int *years;            /* every reference year the store holds, ascending */
    size_t nyears, yearcap;
    int focus;             /* the municipality the page is for; 0: the whole country */
    int chart[KH_REPORT_MAX_CHART]; /* municipalities drawn: the focus first, else the largest */
    int nchart;
    int ncandidates;       /* municipalities that could have been drawn */
    int ranked;            /* 1: some had exit counts to rank them by */
    int cfrom, cto;        /* cohorts on the x axis */
    int yfrom, yto;        /* cost years on the x axis (0 when no cost rows) */
    kh_runrec_t run;
    int have_run;
} kh_rep_t;

/* Reads what the report of opts needs. Returns 0, KH_E_NOTFOUND when the
 * store holds no indicators (of opts->ref_year, when given), or a store
 * error, with one sentence in `why`. Free with kh_rep_free() either way. */
int kh_rep_load(kh_rep_t *r, kh_store_t *store, const kh_report_opts_t *opts, FILE *out, char *why,
                size_t cap);

void kh_rep_free(kh_rep_t *r);

/* The row (t, kommnr, key2) with key3 = key4 = 0, or NULL. Borrowed. */
const kh_indrow_t *kh_rep_row(const kh_rep_t *r, int t, int kommnr, int key2);

/* 1 and *v (the value, unscaled) when the cell holds a value; 0 when the
 * row is absent or the cell empty (suppressed or unavailable). */
int kh_rep_cell(const kh_rep_t *r, int t, int kommnr, int key2, int col, double *v);

/* The cell as `kohort query` prints it (for data-v): its value, ":" when
 * suppressed, "" when unavailable. */
void kh_rep_cell_text(char *buf, size_t cap, int t, const kh_indrow_t *row, int col);

/* 1 when the report shows rows of kommnr in its tables. */
int kh_rep_wanted(const kh_rep_t *r, int kommnr);

/* 1 when the year holds any row of kommnr. */
int kh_rep_has_rows(const kh_rep_t *r, int kommnr);

/* The municipality's name alone ("Oslo"), its code when unknown, "All
 * municipalities" for 0. Returns buf or a static string. */
const char *kh_rep_name(int kommnr, char *buf, size_t cap);

#endif
