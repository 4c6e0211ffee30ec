/* query.c - the store's readers: `kohort query` (indicators), `kohort runs`
 * (the ledger) and `kohort quarantine` (a run's rejected rows). Read-only
 * transactions: they never block a running import. */
#define _POSIX_C_SOURCE 200809L
#include "cli/query.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "aggregate/disclosure.h"
#include "cli/common.h"
#include "cli/jsonstat.h"
#include "cli/muninames.h"
#include "proto/err.h"
#include "proto/reason.h"
#include "proto/store.h"
#include "proto/util.h"

/* ---- printing values ---------------------------------------------------------- */


/* Which rows `kohort query` prints: every list empty = no filter. */
typedef struct {
    int nkommune;
    int kommune[64];      /* codes, 0 = the all-municipalities rows */
    int have_cohort;      /* cohort_from..cohort_to (0..0: the all-cohorts rows) */
    int cohort_from, cohort_to;
    unsigned horizons;    /* bit h for horizon h; 0 = every horizon */
    unsigned kjonn;       /* bit k for kjonn k (0, 1, 2, 9); 0 = every kjonn */
} qfilter_t;

typedef struct {
    const kh_indtabledef_t *def;
    kh_indtable_t table;
    kh_format_t fmt;
    int jsonstat;         /* --format jsonstat: rows go to js */
    kh_jsonstat_t *js;
    int with_names;       /* a kommunenavn column after kommnr */
    int excel_no;         /* --csv-dialect excel-no: ';' and decimal comma */
    qfilter_t filter;
    int count;
    /* table format: rows are buffered to size the columns */
    char **cells;
    size_t ncells, cap;
} qctx_t;

static void table_cell(qctx_t *q, const char *s)
{
    if (q->ncells == q->cap) {
        q->cap = q->cap ? q->cap * 2 : 256;
        q->cells = kh_xrealloc(q->cells, q->cap * sizeof *q->cells);
    }
    q->cells[q->ncells++] = kh_xstrdup(s);
}

/* The key columns of a row as printed: ref_year, kommnr, cohort/year and,
 * in followup, horizon and kjonn. Returns their number. */
static int key_texts(const kh_indtabledef_t *def, int ref_year, const kh_indrow_t *row,
                     char key[5][16], const char *name[5])
{
    snprintf(key[0], sizeof key[0], "%d", ref_year);
    snprintf(key[1], sizeof key[1], "%04d", row->kommnr);
    snprintf(key[2], sizeof key[2], "%04d", row->key2);
    name[0] = "ref_year";
    name[1] = "kommnr";
    name[2] = def->key2;
    if (!def->key3)
        return 3;
    snprintf(key[3], sizeof key[3], "%d", row->key3);
    snprintf(key[4], sizeof key[4], "%d", row->key4);
    name[3] = def->key3;
    name[4] = def->key4;
    return 5;
}

/* 1 when the row passes the filter. */
static int wanted(const qfilter_t *f, const kh_indtabledef_t *def, const kh_indrow_t *row)
{
    if (f->nkommune) {
        int hit = 0;
        for (int i = 0; i < f->nkommune && !hit; i++)
            hit = row->kommnr == f->kommune[i];
        if (!hit)
            return 0;
    }
    if (f->have_cohort && (row->key2 < f->cohort_from || row->key2 > f->cohort_to))
        return 0;
    if (def->key3 && f->horizons && !(f->horizons >> row->key3 & 1))
        return 0;
    if (def->key4 && f->kjonn && !(f->kjonn >> row->key4 & 1))
        return 0;
    return 1;
}

/* The municipality name column of --with-names: the name the run of
 * ref_year stored, else the built-in one. Borrowed: until the names are
 * unloaded. */
static const char *muni_name(int kommnr, int ref_year)
{
    if (kommnr == 0)
        return "All municipalities";
    const char *name = kh_muninames_name_in(kommnr, ref_year);
    return name ? name : "";
}

/* Norwegian Excel: the decimal point becomes a comma. */
static void decimal_comma(char *v)
{
    char *dot = strchr(v, '.');
    if (dot)
        *dot = ',';
}

static int print_row(void *ctx, int ref_year, const kh_indrow_t *row)
{
    qctx_t *q = ctx;
    const kh_indtabledef_t *def = q->def;
    if (!wanted(&q->filter, def, row))
        return 0;
    if (q->jsonstat) {
        kh_jsonstat_add(q->js, ref_year, row);
        q->count++;
        return 0;
    }
    char key[5][16], val[KH_IND_MAX_COLS][32];
    const char *name[5];
    int nkeys = key_texts(def, ref_year, row, key, name);
    for (int c = 0; c < def->ncols; c++) {
        if (row->present[c])
            kh_cli_format_value(val[c], sizeof val[c], row->value[c], def->cols[c].scale);
        else
            strcpy(val[c], (q->fmt == KH_FMT_TABLE && (row->suppressed_mask >> c & 1)) ? ":" : "");
        if (q->excel_no)
            decimal_comma(val[c]);
    }
    const char *navn = muni_name(row->kommnr, ref_year);
    if (q->fmt == KH_FMT_CSV) {
        const char *sep = q->excel_no ? ";" : ",";
        for (int i = 0; i < nkeys; i++) {
            printf("%s%s", i ? sep : "", key[i]);
            if (i == 1 && q->with_names) {
                fputs(sep, stdout);
                kh_cli_csv_field(stdout, navn, sep[0]);
            }
        }
        for (int c = 0; c < def->ncols; c++)
            printf("%s%s", sep, val[c]);
        printf("%s%d\n", sep, row->suppressed ? 1 : 0);
    } else if (q->fmt == KH_FMT_JSON) {
        printf("%s\n  {\"ref_year\": %s", q->count ? "," : "", key[0]);
        for (int i = 1; i < nkeys; i++) {
            printf(", \"%s\": \"%s\"", name[i], key[i]);
            if (i == 1 && q->with_names) {
                printf(", \"kommunenavn\": ");
                kh_cli_json_str(stdout, navn);
            }
        }
        for (int c = 0; c < def->ncols; c++)
            printf(", \"%s\": %s", def->cols[c].name, val[c][0] ? val[c] : "null");
        printf(", \"suppressed\": %d}", row->suppressed ? 1 : 0);
    } else {
        for (int i = 0; i < nkeys; i++) {
            table_cell(q, key[i]);
            if (i == 1 && q->with_names)
                table_cell(q, navn);
        }
        for (int c = 0; c < def->ncols; c++)
            table_cell(q, val[c]);
        table_cell(q, row->suppressed ? "1" : "0");
    }
    q->count++;
    return 0;
}

/* The header: key columns (and kommunenavn with names), value columns,
 * `suppressed`. Returns the count. */
static int header_names(const kh_indtabledef_t *def, int with_names,
                        const char *head[KH_IND_MAX_COLS + 7])
{
    int n = 0;
    head[n++] = "ref_year";
    head[n++] = "kommnr";
    if (with_names)
        head[n++] = "kommunenavn";
    head[n++] = def->key2;
    if (def->key3) {
        head[n++] = def->key3;
        head[n++] = def->key4;
    }
    for (int c = 0; c < def->ncols; c++)
        head[n++] = def->cols[c].name;
    head[n++] = "suppressed";
    return n;
}

static void print_table(qctx_t *q)
{
    const char *head[KH_IND_MAX_COLS + 7];
    int ncols = header_names(q->def, q->with_names, head);
    size_t width[KH_IND_MAX_COLS + 7];
    for (int c = 0; c < ncols; c++)
        width[c] = strlen(head[c]);
    for (size_t i = 0; i < q->ncells; i++) {
        size_t w = strlen(q->cells[i]);
        if (w > width[i % (size_t)ncols])
            width[i % (size_t)ncols] = w;
    }
    for (int c = 0; c < ncols; c++)
        printf("%s%*s", c ? "  " : "", (int)width[c], head[c]);
    printf("\n");
    for (size_t i = 0; i < q->ncells; i++) {
        int c = (int)(i % (size_t)ncols);
        printf("%s%*s", c ? "  " : "", (int)width[c], q->cells[i]);
        if (c == ncols - 1)
            printf("\n");
        free(q->cells[i]);
    }
    free(q->cells);
}

static void query_usage(FILE *f)
{
    fprintf(f, "usage: kohort query --store DIR --table exit|status|cost|followup [options]\n"
               "Prints the stored indicators of the newest reference year (or of R, or all),\n"
               "sorted by reference year, municipality, then cohort (totals 0000 first);\n"
               "followup then by horizon and kjonn.\n\n"
               "  --ref-year R|all        the reference year (default: the newest)\n"
               "  --kommune K[,K...]      only these municipalities (0000: the totals)\n"
               "  --cohort FROM[-TO]      only these cohorts (cost: years); 0000: the totals\n"
               "  --horizon H[,H...]      followup: only horizons 1, 2, 5\n"
               "  --kjonn K[,K...]        followup: only kjonn 0, 1, 2, 9\n"
               "  --with-names            add kommunenavn after kommnr\n"
               "  --format F              table (default), csv, json or jsonstat (JSON-stat 2.0)\n"
               "  --csv-dialect D         rfc4180 (default: ',' and '.') or excel-no (';' and\n"
               "                          decimal comma, for Norwegian Excel)\n");
}

/* Parses a comma list of integers in [lo, hi] whose texts are `width`
 * characters (0: any). Calls add() for each. Returns 0 or -1. */
static int parse_list(const char *arg, int lo, int hi, size_t width,
                      int (*add)(void *ctx, int v), void *ctx)
{
    char buf[512];
    if (strlen(arg) >= sizeof buf)
        return -1;
    snprintf(buf, sizeof buf, "%s", arg);
    char *save = NULL;
    int n = 0;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int v;
        if ((width && strlen(tok) != width) || kh_cli_int(tok, lo, hi, &v) || add(ctx, v))
            return -1;
        n++;
    }
    return n ? 0 : -1;
}

static int add_kommune(void *ctx, int v)
{
    qfilter_t *f = ctx;
    if (f->nkommune == (int)(sizeof f->kommune / sizeof f->kommune[0]))
        return -1;
    f->kommune[f->nkommune++] = v;
    return 0;
}

static int add_bit(void *ctx, int v)
{
    *(unsigned *)ctx |= 1u << v;
    return 0;
}

static int add_horizon(void *ctx, int v)
{
    for (int i = 0; i < KH_FOLLOWUP_NHORIZONS; i++)
        if (kh_followup_horizons[i] == v)
            return add_bit(ctx, v);
    return -1;
}

static int add_kjonn(void *ctx, int v)
{
    return v == 0 || v == 1 || v == 2 || v == 9 ? add_bit(ctx, v) : -1;
}

/* FROM or FROM-TO, years 1900..2100; or 0000, the all-cohorts rows. */
static int parse_cohorts(const char *arg, qfilter_t *f)
{
    f->have_cohort = 1;
    if (strcmp(arg, "0000") == 0) {
        f->cohort_from = f->cohort_to = 0;
        return 0;
    }
    char from[8], to[8];
    const char *dash = strchr(arg, '-');
    size_t n = dash ? (size_t)(dash - arg) : strlen(arg);
    if (n >= sizeof from || (dash && strlen(dash + 1) >= sizeof to))
        return -1;
    memcpy(from, arg, n);
    from[n] = '\0';
    snprintf(to, sizeof to, "%s", dash ? dash + 1 : from);
    if (kh_cli_int(from, 1900, 2100, &f->cohort_from) || kh_cli_int(to, 1900, 2100, &f->cohort_to) ||
        f->cohort_from > f->cohort_to)
        return -1;
    return 0;
}

static int found_row(void *ctx, int ref_year, const kh_indrow_t *row)
{
    (void)ctx;
    (void)ref_year;
    (void)row;
    return KH_STOP;
}

/* 1 when any indicator table holds rows of reference year `year`. */
static int year_stored(kh_store_t *store, int year)
{
    for (int t = 0; t < KH_IND_COUNT; t++)
        if (kh_store_each_row(store, (kh_indtable_t)t, year, found_row, NULL) == KH_STOP)
            return 1;
    return 0;
}

int kh_query_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"table", required_argument, 0, 't'},
        {"ref-year", required_argument, 0, 'r'},
        {"kommune", required_argument, 0, 'k'},
        {"cohort", required_argument, 0, 'c'},
        {"horizon", required_argument, 0, 'H'},
        {"kjonn", required_argument, 0, 'g'},
        {"with-names", no_argument, 0, 'n'},
        {"format", required_argument, 0, 'f'},
        {"csv-dialect", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *store_path = NULL, *table = NULL, *ref = NULL;
    qctx_t q;
    memset(&q, 0, sizeof q);
    q.fmt = KH_FMT_TABLE;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's': store_path = optarg; break;
        case 't': table = optarg; break;
        case 'r': ref = optarg; break;
        case 'k':
            if (parse_list(optarg, 0, 9999, 4, add_kommune, &q.filter))
                return kh_cli_usage("--kommune wants 4-digit municipality codes separated by "
                                    "commas (0000: the totals)");
            break;
        case 'c':
            if (parse_cohorts(optarg, &q.filter))
                return kh_cli_usage("--cohort wants a year or FROM-TO, e.g. 2017-2020");
            break;
        case 'H':
            if (parse_list(optarg, 1, 5, 0, add_horizon, &q.filter.horizons))
                return kh_cli_usage("--horizon wants 1, 2 or 5, separated by commas");
            break;
        case 'g':
            if (parse_list(optarg, 0, 9, 0, add_kjonn, &q.filter.kjonn))
                return kh_cli_usage("--kjonn wants 0, 1, 2 or 9, separated by commas");
            break;
        case 'n': q.with_names = 1; break;
        case 'f':
            if (strcmp(optarg, "jsonstat") == 0)
                q.jsonstat = 1;
            else if (kh_cli_format(optarg, &q.fmt))
                return kh_cli_usage("--format wants table, csv, json or jsonstat");
            break;
        case 'd':
            if (strcmp(optarg, "excel-no") == 0)
                q.excel_no = 1;
            else if (strcmp(optarg, "rfc4180") != 0)
                return kh_cli_usage("--csv-dialect wants rfc4180 or excel-no");
            break;
        case 'h': query_usage(stdout); return 0;
        default: query_usage(stderr); return 2;
        }
    }
    store_path = kh_cli_store(store_path);
    if (!store_path || !table)
        return kh_cli_usage("kohort query needs --store DIR (or KOHORT_STORE) and "
                            "--table exit|status|cost|followup");
    int t = -1;
    for (int i = 0; i < KH_IND_COUNT; i++)
        if (strcmp(table, kh_schema_indtable((kh_indtable_t)i)->name) == 0)
            t = i;
    if (t < 0)
        return kh_cli_usage("--table wants exit, status, cost or followup");
    q.table = (kh_indtable_t)t;
    q.def = kh_schema_indtable(q.table);
    if ((q.filter.horizons || q.filter.kjonn) && !q.def->key3)
        return kh_cli_usage("--horizon and --kjonn are for --table followup");
    if (q.excel_no && (q.fmt != KH_FMT_CSV || q.jsonstat))
        return kh_cli_usage("--csv-dialect is for --format csv");
    int year = -1;
    if (ref && strcmp(ref, "all") == 0)
        year = 0;
    else if (ref && kh_cli_int(ref, 1900, 2100, &year))
        return kh_cli_usage("--ref-year wants a year or 'all'");
    kh_store_t *store;
    int open_rc = kh_cli_open_store(store_path, &store);
    if (open_rc)
        return open_rc;
    int rc;
    if (year < 0)
        kh_store_newest_year(store, &year);
    else if (year > 0 && !year_stored(store, year)) {
        fprintf(stderr, "kohort: the store %s holds no indicators for reference year %d\n",
                store_path, year);
        kh_store_close(&store);
        return 1;
    }
    if ((q.with_names || q.jsonstat) && (rc = kh_muninames_load(store, year)) != 0) {
        fprintf(stderr, "kohort: cannot read the store %s: %s\n", store_path, kh_strerror(rc));
        kh_store_close(&store);
        return 1;
    }
    if (q.jsonstat) {
        q.js = kh_jsonstat_new(q.table);
    } else if (q.fmt == KH_FMT_CSV) {
        const char *head[KH_IND_MAX_COLS + 7];
        int nhead = header_names(q.def, q.with_names, head);
        for (int c = 0; c < nhead; c++)
            printf("%s%s", c ? (q.excel_no ? ";" : ",") : "", head[c]);
        printf("\n");
    } else if (q.fmt == KH_FMT_JSON) {
        printf("[");
    }
    rc = year || (ref && strcmp(ref, "all") == 0)
             ? kh_store_each_row(store, (kh_indtable_t)t, year, print_row, &q)
             : 0;
    if (q.jsonstat) {
        char source[64];
        snprintf(source, sizeof source, "kohort %s", kh_cli_version());
        kh_jsonstat_print(q.js, stdout, source);
        kh_jsonstat_destroy(&q.js);
    } else if (q.fmt == KH_FMT_JSON) {
        printf("%s]\n", q.count ? "\n" : "");
    } else if (q.fmt == KH_FMT_TABLE) {
        print_table(&q);
    }
    kh_muninames_unload();
    kh_store_close(&store);
    if (rc) {
        fprintf(stderr, "kohort: cannot read the store %s: %s\n", store_path, kh_strerror(rc));
        return 1;
    }
    return 0;
}

/* ---- runs ------------------------------------------------------------------------ */

/* The ledger's suppression figures (indicators.md 7), on a successful run
 * of a version that records them: per table the cells suppressed by each
 * step, then the cells of other years it suppressed and which years. */
static void print_suppression_json(const kh_ledger_t *l)
{
    printf(", \"suppression\": {");
    int first = 1;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        const kh_suppression_t *s = &l->suppression[t];
        if (!s->present)
            continue;
        printf("%s\"%s\": {\"primary\": %llu, \"lines\": %llu, \"protection\": %llu, "
               "\"across_years\": %llu, \"narrow\": %llu}",
               first ? "" : ", ", kh_schema_indtable((kh_indtable_t)t)->name,
               (unsigned long long)s->primary, (unsigned long long)s->lines,
               (unsigned long long)s->protection, (unsigned long long)s->across_years,
               (unsigned long long)s->narrow);
        first = 0;
    }
    printf("}, \"suppressed_elsewhere\": %llu, \"years_changed\": [",
           (unsigned long long)l->suppressed_elsewhere);
    for (uint32_t i = 0; i < l->nchanged_years; i++)
        printf("%s%d", i ? ", " : "", l->changed_years[i]);
    printf("]");
}

/* Every base and count cell of the run's year that is suppressed. */
static unsigned long long suppressed_total(const kh_ledger_t *l)
{
    unsigned long long n = 0;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        const kh_suppression_t *s = &l->suppression[t];
        n += s->primary + s->lines + s->protection + s->across_years;
    }
    return n;
}

static const char *const step_names[] = {"primary", "lines", "protection", "across_years", "narrow"};

static void print_suppression_csv_header(void)
{
    for (int t = 0; t < KH_IND_COUNT; t++)
        if (kh_disclosure_spec((kh_indtable_t)t))
            for (size_t i = 0; i < sizeof step_names / sizeof step_names[0]; i++)
                printf(",%s_%s", kh_schema_indtable((kh_indtable_t)t)->name, step_names[i]);
    printf(",suppressed_elsewhere");
}

/* Empty fields where the record has no figures (a failed run, an older
 * version) or the table did not exist yet. */
static void print_suppression_csv(const kh_ledger_t *l)
{
    for (int t = 0; t < KH_IND_COUNT; t++) {
        if (!kh_disclosure_spec((kh_indtable_t)t))
            continue;
        const kh_suppression_t *s = &l->suppression[t];
        const uint64_t v[] = {s->primary, s->lines, s->protection, s->across_years, s->narrow};
        for (size_t i = 0; i < sizeof v / sizeof v[0]; i++)
            if (l->has_suppression && s->present)
                printf(",%llu", (unsigned long long)v[i]);
            else
                printf(",");
    }
    if (l->has_suppression)
        printf(",%llu", (unsigned long long)l->suppressed_elsewhere);
    else
        printf(",");
}

typedef struct {
    kh_format_t fmt;
    const char *only;
    int count;
} rctx_t;

static int print_run(void *ctx, const kh_runrec_t *rec)
{
    rctx_t *rc = ctx;
    if (rc->only && strcmp(rc->only, rec->run) != 0)
        return 0;
    char started[32], finished[32];
    kh_cli_time(started, sizeof started, rec->started_ms);
    kh_cli_time(finished, sizeof finished, rec->finished_ms);
    const kh_ledger_t *l = &rec->ledger;
    if (rc->fmt == KH_FMT_JSON) {
        printf("%s\n  {\"run\": \"%s\", \"started\": \"%s\", \"finished\": \"%s\", \"status\": \"%s\", "
               "\"reason\": ",
               rc->count ? "," : "", rec->run, started, finished, rec->ok ? "ok" : "failed");
        if (rec->ok)
            printf("null");
        else
            kh_cli_json_str(stdout, rec->reason);
        printf(", \"ref_year\": ");
        if (l->ref_year)
            printf("%d", l->ref_year);
        else
            printf("null");
        printf(", \"cohorts\": ");
        if (l->cohort_from)
            printf("[%d, %d]", l->cohort_from, l->cohort_to);
        else
            printf("null");
        printf(", \"version\": ");
        if (rec->version[0])
            kh_cli_json_str(stdout, rec->version);
        else
            printf("null");
        printf(", \"min_cell\": %d, \"tables\": {", rec->min_cell);
        int first = 1;
        for (int t = 0; t < KH_TAB_COUNT; t++) {
            const kh_tablecount_t *tc = &l->tables[t];
            if (!tc->present)
                continue;
            printf("%s\"%s\": {\"file\": ", first ? "" : ", ", kh_schema_table((kh_table_t)t)->name);
            kh_cli_json_str(stdout, tc->file);
            printf(", \"bytes\": %llu, \"crc32\": \"%08x\", \"read\": %llu, \"accepted\": %llu, "
                   "\"rejected\": %llu, \"out_of_scope\": %llu}",
                   (unsigned long long)tc->bytes, (unsigned)tc->crc32, (unsigned long long)tc->read,
                   (unsigned long long)tc->accepted, (unsigned long long)tc->rejected,
                   (unsigned long long)tc->out_of_scope);
            first = 0;
        }
        printf("}, \"persons\": {\"participants\": %llu, \"placed\": %llu, \"no_home\": %llu, "
               "\"ambiguous_kommune\": %llu}",
               (unsigned long long)l->participants, (unsigned long long)l->placed,
               (unsigned long long)l->no_home, (unsigned long long)l->ambiguous_kommune);
        if (rec->ok && l->has_suppression)
            print_suppression_json(l);
        printf("}");
    } else if (rc->fmt == KH_FMT_CSV) {
        if (!rc->count) {
            printf("run,started,finished,status,reason,ref_year,participants,placed,no_home,"
                   "ambiguous_kommune");
            print_suppression_csv_header();
            printf("\n");
        }
        printf("%s,%s,%s,%s,", rec->run, started, finished, rec->ok ? "ok" : "failed");
        kh_cli_csv_str(stdout, rec->reason);
        char year[8] = "";
        if (l->ref_year)
            snprintf(year, sizeof year, "%d", l->ref_year);
        printf(",%s,%llu,%llu,%llu,%llu", year, (unsigned long long)l->participants,
               (unsigned long long)l->placed, (unsigned long long)l->no_home,
               (unsigned long long)l->ambiguous_kommune);
        print_suppression_csv(l);
        printf("\n");
    } else {
        /* suppressed: base and count cells of the run's year hidden by any
         * step; elsewhere: cells of other years this run hid (7.4) */
        if (!rc->count)
            printf("%-29s %-20s %-7s %-8s %-9s %-10s %-9s %s\n", "run", "started", "status",
                   "ref_year", "placed", "suppressed", "elsewhere", "reason");
        char sup[24] = "-", elsewhere[24] = "-";
        if (rec->ok && l->has_suppression) {
            snprintf(sup, sizeof sup, "%llu", suppressed_total(l));
            snprintf(elsewhere, sizeof elsewhere, "%llu",
                     (unsigned long long)l->suppressed_elsewhere);
        }
        char year[8] = "";
        if (l->ref_year)
            snprintf(year, sizeof year, "%d", l->ref_year);
        printf("%-29s %-20s %-7s %-8s %-9llu %-10s %-9s %s\n", rec->run, started,
               rec->ok ? "ok" : "failed", year, (unsigned long long)l->placed, sup,
               elsewhere, rec->reason);
    }
    rc->count++;
    return 0;
}

/* The options `kohort runs` and `kohort quarantine` share: --store DIR,
 * --run ID, --format F. Returns -1 to go on, else the exit status. */
static int parse_ledger_args(int argc, char **argv, const char *help, const char **store,
                             const char **run, kh_format_t *fmt, int allow_table)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"run", required_argument, 0, 'r'},
        {"format", required_argument, 0, 'f'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's': *store = optarg; break;
        case 'r': *run = optarg; break;
        case 'f':
            if (kh_cli_format(optarg, fmt) || (!allow_table && *fmt == KH_FMT_TABLE))
                return kh_cli_usage(allow_table ? "--format wants table, csv or json"
                                                : "--format wants csv or json");
            break;
        case 'h': fputs(help, stdout); return 0;
        default: fputs(help, stderr); return 2;
        }
    }
    *store = kh_cli_store(*store);
    if (!*store)
        return kh_cli_usage("the command needs --store DIR (or KOHORT_STORE)");
    return -1;
}

int kh_runs_main(int argc, char **argv)
{
    const char *store_path = NULL;
    rctx_t rc = {KH_FMT_TABLE, NULL, 0};
    int status = parse_ledger_args(argc, argv,
                                   "usage: kohort runs --store DIR [--run ID|PREFIX|latest] [--format table|csv|json]\n"
                                   "Prints the run ledger, newest first.\n",
                                   &store_path, &rc.only, &rc.fmt, 1);
    if (status >= 0)
        return status;
    kh_store_t *store;
    int open_rc = kh_cli_open_store(store_path, &store);
    if (open_rc)
        return open_rc;
    char only[KH_RUN_ID_MAX];
    if (rc.only) {
        if (kh_cli_resolve_run(store, rc.only, only)) {
            kh_store_close(&store);
            return 1;
        }
        rc.only = only;
    }
    int err;
    if (rc.fmt == KH_FMT_JSON)
        printf("[");
    err = kh_store_each_run(store, print_run, &rc);
    if (rc.fmt == KH_FMT_JSON)
        printf("%s]\n", rc.count ? "\n" : "");
    kh_store_close(&store);
    if (err) {
        fprintf(stderr, "kohort: cannot read the ledger: %s\n", kh_strerror(err));
        return 1;
    }
    return 0;
}

/* ---- quarantine ------------------------------------------------------------------- */

typedef struct {
    kh_format_t fmt;
    const char *run;
    int count;
} qqctx_t;

static int print_reject(void *ctx, const kh_qrec_t *q)
{
    qqctx_t *c = ctx;
    if (c->fmt == KH_FMT_JSON) {
        printf("%s\n  {\"run\": \"%s\", \"file\": ", c->count ? "," : "", c->run);
        kh_cli_json_str(stdout, q->file);
        printf(", \"line\": %u, \"column\": ", q->rej.line);
        kh_cli_json_str(stdout, q->rej.column);
        printf(", \"reason\": \"%s\", \"value\": ", kh_reason_name(q->rej.reason));
        kh_cli_json_str(stdout, q->rej.value);
        printf("}");
    } else {
        printf("%s,", c->run);
        kh_cli_csv_str(stdout, q->file);
        printf(",%u,", q->rej.line);
        kh_cli_csv_str(stdout, q->rej.column);
        printf(",%s,", kh_reason_name(q->rej.reason));
        kh_cli_csv_str(stdout, q->rej.value);
        printf("\n");
    }
    c->count++;
    return 0;
}

static int newest_run(void *ctx, const kh_runrec_t *rec)
{
    snprintf(ctx, KH_RUN_ID_MAX, "%s", rec->run);
    return KH_STOP; /* at the first (newest) */
}

int kh_quarantine_main(int argc, char **argv)
{
    const char *store_path = NULL;
    qqctx_t c = {KH_FMT_CSV, NULL, 0};
    int status = parse_ledger_args(argc, argv,
                                   "usage: kohort quarantine --store DIR [--run ID|PREFIX|latest] [--format csv|json]\n"
                                   "Prints the rejected rows of a run (default: the newest), by file and line.\n",
                                   &store_path, &c.run, &c.fmt, 0);
    if (status >= 0)
        return status;
    kh_store_t *store;
    int open_rc = kh_cli_open_store(store_path, &store);
    if (open_rc)
        return open_rc;
    int err;
    char run[KH_RUN_ID_MAX] = "";
    if (c.run && kh_cli_resolve_run(store, c.run, run)) {
        kh_store_close(&store);
        return 1;
    }
    if (!c.run) /* the newest run; none yet gives an empty list */
        kh_store_each_run(store, newest_run, run);
    c.run = run;
    if (c.fmt == KH_FMT_CSV)
        printf("run,file,line,column,reason,value\n");
    else
        printf("[");
    err = c.run[0] ? kh_store_each_reject(store, c.run, print_reject, &c) : 0;
    if (c.fmt == KH_FMT_JSON)
        printf("%s]\n", c.count ? "\n" : "");
    kh_store_close(&store);
    if (err) {
        fprintf(stderr, "kohort: cannot read the quarantine: %s\n", kh_strerror(err));
        return 1;
    }
    return 0;
}
