/* gen.c - `kohort gen`: a seeded synthetic population written as an extract
 * directory, in the `kohort` process. Owns a generation's state (model.h):
 * the output files, the PRNG and the per-birthday id counters that keep
 * synthetic ids unique; the reference tables (reference.c), then one person
 * at a time (population.c), then the bad rows every recipe still owes
 * (badrows.c). See gen.h. */
#define _GNU_SOURCE /* getopt_long */
#include "gen/gen.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen/badrows.h"
#include "gen/ids.h"
#include "gen/model.h"
#include "gen/population.h"
#include "gen/reference.h"
#include "gen/rng.h"
#include "gen/write.h"
#include "proto/date.h"
#include "proto/err.h"
#include "proto/util.h"

/* ---- Running a generation ------------------------------------------------------ */

static void write_header(kh_gen_t *g, kh_table_t t)
{
    const kh_tabledef_t *def = kh_schema_table(t);
    char line[256];
    size_t n = 0;
    for (int c = 0; c < def->ncols; c++) {
        size_t len = strlen(def->cols[c].name);
        if (c > 0)
            line[n++] = ';';
        memcpy(line + n, def->cols[c].name, len);
        n += len;
    }
    if (t == KH_TAB_SHJ) { /* the optional column the pipeline ignores */
        memcpy(line + n, ";kommnr", 7);
        n += 7;
    }
    line[n++] = '\n';
    kh_gen_out_bytes(g->out[t], line, n);
}

static int open_outputs(kh_gen_t *g)
{
    if (mkdir(g->opt.out_dir, 0755) != 0 && errno != EEXIST)
        return -errno;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        int rc = kh_gen_out_open(g->opt.out_dir, kh_schema_table((kh_table_t)t)->name, g->opt.gzip,
                                 g->opt.gzip_level, &g->out[t]);
        if (rc)
            return rc;
        write_header(g, (kh_table_t)t);
    }
    return 0;
}

static int first_error(const kh_gen_t *g)
{
    for (int t = 0; t < KH_TAB_COUNT; t++)
        if (g->out[t] && kh_gen_out_error(g->out[t]))
            return kh_gen_out_error(g->out[t]);
    return 0;
}

static void free_gen(kh_gen_t *g)
{
    for (int t = 0; t < KH_TAB_COUNT; t++)
        kh_gen_out_destroy(&g->out[t]);
    free(g->id_used[0]);
    free(g->id_used[1]);
    free(g);
}

static int check_opts(const kh_gen_opts_t *o)
{
    if (!o->out_dir || !*o->out_dir || o->persons < 1 || o->persons > KH_GEN_MAX_PERSONS ||
        o->ref_year < 2000 || o->ref_year > 2039 || o->gzip_level < 1 || o->gzip_level > 9)
        return KH_E_USAGE;
    return 0;
}

void kh_gen_opts_default(kh_gen_opts_t *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->persons = 100000;
    opts->seed = 1;
    opts->ref_year = 2024;
    opts->gzip_level = 1;
    opts->bad_rows = 1;
}

int kh_gen_run(const kh_gen_opts_t *opts, kh_gen_stats_t *stats)
{
    int rc = check_opts(opts);
    if (rc)
        return rc;
    kh_gen_stats_t local;
    memset(&local, 0, sizeof local);
    kh_gen_t *g = kh_xcalloc(1, sizeof *g);
    g->opt = *opts;
    g->stats = stats ? stats : &local;
    memset(g->stats, 0, sizeof *g->stats);
    kh_rng_seed(&g->rng, opts->seed);
    g->end_of_r = kh_date_from_ymd(opts->ref_year, 12, 31);
    int first_year = opts->ref_year - 100 < 1900 ? 1900 : opts->ref_year - 100;
    g->id_first_day = kh_gen_jan1(first_year);
    g->id_ndays = (int32_t)(kh_gen_jan1(opts->ref_year + 2) - g->id_first_day);
    g->id_used[0] = kh_xcalloc((size_t)g->id_ndays, sizeof(uint16_t));
    g->id_used[1] = kh_xcalloc((size_t)g->id_ndays, sizeof(uint16_t));
    kh_gen_make_employers(g);

    rc = open_outputs(g);
    if (rc == 0) {
        kh_gen_reference_write(g);
        for (uint64_t i = 0; i < opts->persons; i++) {
            if (kh_rng_chance(&g->rng, KH_GEN_PARTICIPANT_SHARE))
                kh_gen_participant(g);
            else
                kh_gen_resident(g);
            if ((i & 0xffff) == 0 && (rc = first_error(g)) != 0)
                break;
        }
    }
    if (rc == 0 && opts->bad_rows) {
        kh_gen_write_missing_kinds(g);
        for (int k = 0; k < 3; k++)
            if (!g->history_trouble_done[k])
                kh_gen_history_trouble(g, NULL, k);
    }
    for (int t = 0; t < KH_TAB_COUNT && rc == 0; t++) {
        g->stats->rows[t] = kh_gen_out_rows(g->out[t]);
        g->stats->bytes[t] = kh_gen_out_size(g->out[t]);
        rc = kh_gen_out_close(&g->out[t]);
    }
    g->stats->participants = g->participant_no;
    free_gen(g);
    return rc;
}

/* ---- The command ------------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs("usage: kohort gen --out DIR [--persons N] [--seed S] [--ref-year R] [--gzip]\n"
          "\n"
          "Writes a synthetic extract directory (spec/extracts.md) to DIR: a population\n"
          "of N persons (default 100000), about 3 % of them programme participants,\n"
          "the reference tables, and a small share of bad rows of every kind.\n"
          "Every national id is a synthetic number (month + 80): run kohort with\n"
          "--allow-synthetic-ids. The same options give the same bytes.\n"
          "\n"
          "  --out DIR         directory to write (created if missing)\n"
          "  --persons N       people in the population tables (1..10000000)\n"
          "  --seed S          seed of the generator (default 1)\n"
          "  --ref-year R      last year the extracts describe (2000..2039, default 2024)\n"
          "  --gzip            write NAME.csv.gz instead of NAME.csv\n"
          "  --gzip-level L    zlib level 1..9 (default 1)\n"
          "  --no-bad-rows     write only good rows\n"
          "  --help            show this help\n",
          f);
}

static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int usage_error(const char *msg, const char *arg)
{
    fprintf(stderr, "kohort gen: %s%s%s.\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

static void print_summary(const kh_gen_opts_t *o, const kh_gen_stats_t *s, double seconds)
{
    uint64_t rows = 0, bytes = 0, bad = 0;
    printf("%-22s %12s %12s %14s\n", "file", "rows", "bad rows", "bytes");
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        uint64_t tb = 0;
        for (int r = 0; r < KH_R_COUNT; r++)
            tb += s->bad[t][r];
        printf("%-22s %12llu %12llu %14llu\n", kh_schema_table((kh_table_t)t)->name,
               (unsigned long long)s->rows[t], (unsigned long long)tb,
               (unsigned long long)s->bytes[t]);
        rows += s->rows[t];
        bytes += s->bytes[t];
        bad += tb;
    }
    printf("bad rows by reason:");
    for (int r = 1; r < KH_R_COUNT; r++) {
        uint64_t n = 0;
        for (int t = 0; t < KH_TAB_COUNT; t++)
            n += s->bad[t][r];
        if (n)
            printf(" %s %llu", kh_reason_name(r), (unsigned long long)n);
    }
    printf("\n");
    printf("kohort gen: wrote %llu rows (%llu bad, %.2f %%), %llu bytes%s, %llu participants, "
           "to %s in %.1f s\n",
           (unsigned long long)rows, (unsigned long long)bad, rows ? 100.0 * (double)bad / (double)rows : 0.0,
           (unsigned long long)bytes, o->gzip ? " before compression" : "",
           (unsigned long long)s->participants, o->out_dir, seconds);
}

int kh_gen_main(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, NULL, 'o'},      {"persons", required_argument, NULL, 'n'},
        {"seed", required_argument, NULL, 's'},     {"ref-year", required_argument, NULL, 'r'},
        {"gzip", no_argument, NULL, 'z'},           {"gzip-level", required_argument, NULL, 'l'},
        {"no-bad-rows", no_argument, NULL, 'b'},    {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    kh_gen_opts_t opts;
    kh_gen_opts_default(&opts);
    uint64_t v;
    int c;
    optind = 0; /* glibc: rescan from argv[1], also when called again */
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
        switch (c) {
        case 'o': opts.out_dir = optarg; break;
        case 'n':
            if (parse_u64(optarg, &v) || v < 1 || v > KH_GEN_MAX_PERSONS)
                return usage_error("--persons must be a whole number from 1 to 10000000", optarg);
            opts.persons = v;
            break;
        case 's':
            if (parse_u64(optarg, &v))
                return usage_error("--seed must be a non-negative whole number", optarg);
            opts.seed = v;
            break;
        case 'r':
            if (parse_u64(optarg, &v) || v < 2000 || v > 2039)
                return usage_error("--ref-year must be a year from 2000 to 2039", optarg);
            opts.ref_year = (int)v;
            break;
        case 'z': opts.gzip = 1; break;
        case 'l':
            if (parse_u64(optarg, &v) || v < 1 || v > 9)
                return usage_error("--gzip-level must be from 1 to 9", optarg);
            opts.gzip_level = (int)v;
            break;
        case 'b': opts.bad_rows = 0; break;
        case 'h': usage(stdout); return 0;
        case ':': return usage_error("option needs a value", argv[optind - 1]);
        default: return usage_error("unknown option (see kohort gen --help)", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument", argv[optind]);
    if (!opts.out_dir || !*opts.out_dir)
        return usage_error("--out DIR is required", NULL);
    kh_gen_stats_t stats;
    uint64_t t0 = kh_now_ns();
    int rc = kh_gen_run(&opts, &stats);
    if (rc) {
        fprintf(stderr, "kohort gen: cannot write the extract to %s: %s.\n", opts.out_dir,
                kh_strerror(rc));
        return 1;
    }
    print_summary(&opts, &stats, (double)(kh_now_ns() - t0) / 1e9);
    return 0;
}
