/* audit.c - `kohort audit`: attacks the stored tables as an outsider would
 * (spec/interface.md). Per stored reference year and table: the suppressed
 * base and count cells, those whose interval under the outsider's
 * constraints (aggregate/outsider.h, the code of step 7.3) is narrower
 * than 1 (exactly disclosed) or than the year's k (narrow); over the store,
 * the cells suppressed in one year and shown in another. Reads only. */
#include "cli/audit.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/certify.h"
#include "aggregate/disclosure.h"
#include "aggregate/outsider.h"
#include "cli/common.h"
#include "cli/years.h"
#include "proto/err.h"
#include "proto/store.h"
#include "proto/util.h"

#define SHOW_FIRST 5
/* Passes of bound propagation before any exact linear program. */
#define OUTER_ROUNDS 20

static const int audited[3] = {KH_IND_EXIT, KH_IND_STATUS, KH_IND_FOLLOWUP};

/* A cell worth naming in the report. */
typedef struct {
    int table, col;
    kh_indrow_t row;
    double lo, hi;
} named_t;

typedef struct {
    size_t suppressed, disclosed, narrow;
    named_t first_disclosed[SHOW_FIRST], first_narrow[SHOW_FIRST];
} tally_t;

typedef struct {
    kh_stored_years_t stored;
    int only_year; /* 0: all */
    int k[KH_YEARS_MAX];           /* per stored year: its run's k, or -1 */
    int64_t newest_ms[KH_YEARS_MAX];
} audit_t;

/* The k of the newest successful run that wrote each year. */
static int note_run(void *ctx, const kh_runrec_t *rec)
{
    audit_t *a = ctx;
    if (!rec->ok)
        return 0;
    for (int i = 0; i < a->stored.nyears; i++)
        if (a->stored.years[i].ref_year == rec->ledger.ref_year &&
            (a->k[i] < 0 || rec->started_ms > a->newest_ms[i])) {
            a->k[i] = rec->min_cell;
            a->newest_ms[i] = rec->started_ms;
        }
    return 0;
}

static void format_key(char *buf, size_t cap, int table, const kh_indrow_t *row)
{
    if (table == KH_IND_FOLLOWUP)
        snprintf(buf, cap, "%04d,%04d,%d,%d", row->kommnr, row->key2, row->key3, row->key4);
    else
        snprintf(buf, cap, "%04d,%04d", row->kommnr, row->key2);
}

static void note(named_t *first, size_t count, int table, const kh_indrow_t *row, int col,
                 double lo, double hi)
{
    if (count < SHOW_FIRST)
        first[count] = (named_t){table, col, *row, lo, hi};
}

/* Judges one year and tallies its tables: from a point that satisfies the
 * outsider's constraints, boxes of suppressed cells prove most intervals
 * at least k wide (aggregate/certify.h, as step 7.3 does); every other
 * suppressed cell gets its exact interval from two linear programs. The
 * store does not say which cells were primary: a cell narrower than k
 * whose interval reaches below k counts as narrow. Returns 0 or a
 * negative code. */
static int audit_year(const kh_stored_year_t *y, int year_k, tally_t tally[KH_IND_COUNT])
{
    kh_year_tables_t tables;
    memset(&tables, 0, sizeof tables);
    double *point[KH_IND_COUNT] = {0};
    uint32_t *hidden[KH_IND_COUNT] = {0};
    for (int t = 0; t < KH_IND_COUNT; t++) {
        tables.rows[t] = y->rows[t];
        tables.n[t] = y->n[t];
        if (!kh_disclosure_spec((kh_indtable_t)t))
            continue;
        point[t] = kh_xcalloc((y->n[t] + 1) * KH_IND_MAX_COLS, sizeof(double));
        hidden[t] = kh_xcalloc(y->n[t] + 1, sizeof(uint32_t));
        for (size_t r = 0; r < y->n[t]; r++)
            hidden[t][r] = y->rows[t][r].suppressed_mask;
        tables.primary[t] = hidden[t];
    }
    int k = year_k > 1 ? year_k : 1;
    kh_outsider_t *o = NULL;
    kh_cert_t *cert = NULL;
    int rc = kh_outsider_new(&tables, &o);
    if (rc == 0)
        rc = kh_outsider_point(o, point);
    if (rc == 0)
        rc = kh_cert_new(&tables, point, &cert);
    if (rc == 0)
        kh_cert_run(cert, k);
    size_t nunk = rc == 0 ? kh_outsider_nunknowns(o) : 0;
    double *outer_lo = kh_xmalloc((nunk + 1) * sizeof(double));
    double *outer_hi = kh_xmalloc((nunk + 1) * sizeof(double));
    if (rc == 0)
        kh_outsider_outer(o, OUTER_ROUNDS, outer_lo, outer_hi);
    for (size_t i = 0; rc == 0 && i < nunk; i++) {
        kh_cell_t cell = kh_outsider_cell(o, i);
        tally_t *tl = &tally[cell.table];
        const kh_indrow_t *row = &y->rows[cell.table][cell.row];
        tl->suppressed++;
        double w = kh_cert_width(cert, cell.table, cell.row, cell.col), seen_lo, seen_hi;
        kh_outsider_seen(o, i, &seen_lo, &seen_hi);
        if (seen_hi - seen_lo > w)
            w = seen_hi - seen_lo;
        if (w >= k - 1e-9)
            continue;
        double lo = outer_lo[i], hi = outer_hi[i];
        /* the outer bounds decide when they are narrow enough already */
        int decided = (hi - lo < 1.0 - 1e-6) || (w >= 1.0 - 1e-9 && hi < k);
        if (!decided && (rc = kh_outsider_bounds(o, i, &lo, &hi)) != 0)
            break;
        if (hi - lo < 1.0 - 1e-6)
            note(tl->first_disclosed, tl->disclosed++, cell.table, row, cell.col, lo, hi);
        else if (hi - lo < k - 1e-6 && lo < k)
            note(tl->first_narrow, tl->narrow++, cell.table, row, cell.col, lo, hi);
    }
    free(outer_lo);
    free(outer_hi);
    kh_cert_destroy(&cert);
    kh_outsider_destroy(&o);
    for (int t = 0; t < KH_IND_COUNT; t++) {
        free(point[t]);
        free(hidden[t]);
    }
    return rc;
}

/* ---- Across years ------------------------------------------------------------ */

typedef struct {
    const kh_indrow_t *row;
    int year;
} keyed_t;

static int by_key_year(const void *pa, const void *pb)
{
    const keyed_t *a = pa, *b = pb;
    int32_t ka[5] = {a->row->kommnr, a->row->key2, a->row->key3, a->row->key4, a->year};
    int32_t kb[5] = {b->row->kommnr, b->row->key2, b->row->key3, b->row->key4, b->year};
    for (int i = 0; i < 5; i++)
        if (ka[i] != kb[i])
            return ka[i] < kb[i] ? -1 : 1;
    return 0;
}

typedef struct {
    int table, col;
    const kh_indrow_t *row;
    int hidden_in, shown_in;
} exposure_t;

/* Cells (table, key without ref_year, base or count column) suppressed in
 * one year and shown in another. */
static size_t cross_years(const audit_t *a, exposure_t first[SHOW_FIRST])
{
    size_t found = 0;
    for (int ti = 0; ti < 3; ti++) {
        int t = audited[ti];
        const kh_disclosure_spec_t *spec = kh_disclosure_spec((kh_indtable_t)t);
        size_t total = 0;
        for (int i = 0; i < a->stored.nyears; i++)
            total += a->stored.years[i].n[t];
        keyed_t *all = kh_xmalloc((total + 1) * sizeof *all);
        size_t n = 0;
        for (int i = 0; i < a->stored.nyears; i++)
            for (size_t r = 0; r < a->stored.years[i].n[t]; r++)
                all[n++] = (keyed_t){&a->stored.years[i].rows[t][r], a->stored.years[i].ref_year};
        qsort(all, n, sizeof *all, by_key_year);
        for (size_t s = 0; s < n;) {
            size_t e = s + 1;
            while (e < n && all[e].row->kommnr == all[s].row->kommnr &&
                   all[e].row->key2 == all[s].row->key2 && all[e].row->key3 == all[s].row->key3 &&
                   all[e].row->key4 == all[s].row->key4)
                e++;
            for (int ci = -1; e - s > 1 && ci < spec->ncounts; ci++) {
                int c = ci < 0 ? spec->base : spec->counts[ci];
                int hidden = 0, shown = 0;
                for (size_t j = s; j < e; j++) {
                    const kh_indrow_t *row = all[j].row;
                    if (row->suppressed_mask & (UINT32_C(1) << c))
                        hidden = hidden ? hidden : all[j].year;
                    else if (row->present[c])
                        shown = shown ? shown : all[j].year;
                }
                if (hidden && shown) {
                    if (found < SHOW_FIRST)
                        first[found] = (exposure_t){t, c, all[s].row, hidden, shown};
                    found++;
                }
            }
            s = e;
        }
        free(all);
    }
    return found;
}

/* ---- Output ---------------------------------------------------------------- */

static void print_named_json(const named_t *first, size_t count)
{
    printf("[");
    for (size_t i = 0; i < count && i < SHOW_FIRST; i++) {
        char key[48];
        format_key(key, sizeof key, first[i].table, &first[i].row);
        printf("%s{\"key\": \"%s\", \"column\": \"%s\", \"min\": %.4g, \"max\": %.4g}",
               i ? ", " : "", key, kh_schema_indtable((kh_indtable_t)first[i].table)->cols[first[i].col].name,
               first[i].lo, first[i].hi);
    }
    printf("]");
}

static void print_named_table(const char *what, int year, const named_t *first, size_t count)
{
    for (size_t i = 0; i < count && i < SHOW_FIRST; i++) {
        char key[48];
        format_key(key, sizeof key, first[i].table, &first[i].row);
        const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)first[i].table);
        printf("  %s %d %s %s %s: between %.4g and %.4g\n", what, year, def->name, key,
               def->cols[first[i].col].name, first[i].lo, first[i].hi);
    }
}

static const char help[] =
    "usage: kohort audit --store DIR [--ref-year R|all] [--format table|json]\n"
    "Attacks the stored exit, status and followup tables as an outsider would\n"
    "(spec/indicators.md 7.3): for every suppressed base and count cell, the\n"
    "smallest and largest value that the shown values, the lines' sums and the\n"
    "relations between columns and tables allow (linear programs, GLPK). Prints\n"
    "per year and table the suppressed cells, the cells exactly disclosed\n"
    "(interval narrower than 1), the narrow ones (interval narrower than the k\n"
    "of the run that stored the year, reaching below k), the first few of each,\n"
    "and the cells suppressed in one stored year and shown in another.\n"
    "Reads the store only. Exit status: 0 nothing disclosed and no cross-year\n"
    "exposure, 1 otherwise (or the store cannot be read), 2 usage error.\n";

int kh_audit_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"ref-year", required_argument, 0, 'y'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *store_path = NULL;
    kh_format_t fmt = KH_FMT_TABLE;
    audit_t *a = kh_xcalloc(1, sizeof *a);
    int opt, status = -1;
    optind = 1;
    while (status < 0 && (opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's': store_path = optarg; break;
        case 'y':
            if (strcmp(optarg, "all") != 0 && kh_cli_int(optarg, 1, 9999, &a->only_year))
                status = kh_cli_usage("--ref-year wants a year or all");
            break;
        case 'f':
            if (kh_cli_format(optarg, &fmt) || fmt == KH_FMT_CSV)
                status = kh_cli_usage("--format wants table or json");
            break;
        case 'h': fputs(help, stdout); status = 0; break;
        default: fputs(help, stderr); status = 2; break;
        }
    }
    if (status < 0 && optind < argc)
        status = kh_cli_usage("kohort audit takes no arguments besides its options");
    store_path = kh_cli_store(store_path);
    if (status < 0 && !store_path)
        status = kh_cli_usage("the command needs --store DIR (or KOHORT_STORE)");
    if (status >= 0) {
        free(a);
        return status;
    }
    kh_store_t *store;
    if (kh_cli_open_store(store_path, &store)) {
        free(a);
        return 1;
    }
    int rc = kh_stored_years_read(store, &a->stored);
    for (int i = 0; i < a->stored.nyears; i++)
        a->k[i] = -1;
    if (rc == 0)
        rc = kh_store_each_run(store, note_run, a);
    kh_store_close(&store);
    if (rc) {
        fprintf(stderr, "kohort: cannot read the store: %s\n", kh_strerror(rc));
        status = 1;
    }
    size_t disclosed = 0, nyears_shown = 0;
    tally_t (*tallies)[KH_IND_COUNT] = kh_xcalloc((size_t)a->stored.nyears + 1, sizeof *tallies);
    uint64_t t0 = kh_now_ns();
    for (int i = 0; status < 0 && i < a->stored.nyears; i++) {
        if (a->only_year && a->stored.years[i].ref_year != a->only_year)
            continue;
        rc = audit_year(&a->stored.years[i], a->k[i], tallies[i]);
        if (rc) {
            fprintf(stderr, "kohort: cannot audit reference year %d: %s\n", a->stored.years[i].ref_year,
                    kh_strerror(rc));
            status = 1;
        }
        for (int ti = 0; ti < 3; ti++)
            disclosed += tallies[i][audited[ti]].disclosed;
        nyears_shown++;
    }
    if (status < 0 && a->only_year && !nyears_shown) {
        fprintf(stderr, "kohort: the store holds no tables of reference year %d\n", a->only_year);
        status = 1;
    }
    exposure_t first[SHOW_FIRST];
    size_t exposed = status < 0 ? cross_years(a, first) : 0;
    double secs = (double)(kh_now_ns() - t0) / 1e9;
    if (status < 0 && fmt == KH_FMT_JSON) {
        printf("{\"years\": [");
        int shown = 0;
        for (int i = 0; i < a->stored.nyears; i++) {
            const kh_stored_year_t *y = &a->stored.years[i];
            if (a->only_year && y->ref_year != a->only_year)
                continue;
            printf("%s\n  {\"ref_year\": %d, \"k\": %d, \"tables\": {", shown++ ? "," : "",
                   y->ref_year, a->k[i]);
            for (int ti = 0; ti < 3; ti++) {
                tally_t *tl = &tallies[i][audited[ti]];
                printf("%s\"%s\": {\"suppressed\": %zu, \"disclosed\": %zu, \"narrow\": %zu, "
                       "\"first_disclosed\": ", ti ? ", " : "",
                       kh_schema_indtable((kh_indtable_t)audited[ti])->name, tl->suppressed,
                       tl->disclosed, tl->narrow);
                print_named_json(tl->first_disclosed, tl->disclosed);
                printf(", \"first_narrow\": ");
                print_named_json(tl->first_narrow, tl->narrow);
                printf("}");
            }
            printf("}}");
        }
        printf("\n], \"disclosed\": %zu, \"across_years\": %zu, \"first_across_years\": [",
               disclosed, exposed);
        for (size_t i = 0; i < exposed && i < SHOW_FIRST; i++) {
            char key[48];
            format_key(key, sizeof key, first[i].table, first[i].row);
            const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)first[i].table);
            printf("%s{\"table\": \"%s\", \"key\": \"%s\", \"column\": \"%s\", "
                   "\"suppressed_in\": %d, \"shown_in\": %d}", i ? ", " : "", def->name, key,
                   def->cols[first[i].col].name, first[i].hidden_in, first[i].shown_in);
        }
        printf("], \"seconds\": %.3f}\n", secs);
    } else if (status < 0) {
        printf("%-8s %-9s %-4s %-10s %-9s %s\n", "ref_year", "table", "k", "suppressed",
               "disclosed", "narrow");
        for (int i = 0; i < a->stored.nyears; i++) {
            const kh_stored_year_t *y = &a->stored.years[i];
            if (a->only_year && y->ref_year != a->only_year)
                continue;
            for (int ti = 0; ti < 3; ti++) {
                tally_t *tl = &tallies[i][audited[ti]];
                printf("%-8d %-9s %-4d %-10zu %-9zu %zu\n", y->ref_year,
                       kh_schema_indtable((kh_indtable_t)audited[ti])->name, a->k[i],
                       tl->suppressed, tl->disclosed, tl->narrow);
            }
        }
        for (int i = 0; i < a->stored.nyears; i++)
            for (int ti = 0; ti < 3; ti++) {
                tally_t *tl = &tallies[i][audited[ti]];
                print_named_table("disclosed", a->stored.years[i].ref_year, tl->first_disclosed,
                                  tl->disclosed);
                print_named_table("narrow", a->stored.years[i].ref_year, tl->first_narrow, tl->narrow);
            }
        printf("exactly disclosed: %zu; suppressed in one year and shown in another: %zu\n",
               disclosed, exposed);
        for (size_t i = 0; i < exposed && i < SHOW_FIRST; i++) {
            char key[48];
            format_key(key, sizeof key, first[i].table, first[i].row);
            const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)first[i].table);
            printf("  across years %s %s %s: suppressed in %d, shown in %d\n", def->name, key,
                   def->cols[first[i].col].name, first[i].hidden_in, first[i].shown_in);
        }
    }
    if (status < 0)
        status = disclosed || exposed ? 1 : 0;
    kh_stored_years_free(&a->stored);
    free(tallies);
    free(a);
    return status;
}
