/* check.c - `kohort check --extracts DIR`: the row rules of extracts.md over
 * an extract directory, in this one process and without a store. Prints per
 * file the rows, accepted, and rejected by reason. Duplicates of people and
 * id cycles need the linker and are not judged here. */
#define _POSIX_C_SOURCE 200809L
#include "cli/check.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/common.h"
#include "ingest/csvsplit.h"
#include "ingest/tabread.h"
#include "proto/err.h"
#include "proto/reason.h"
#include "proto/util.h"
#include "transform/validate.h"

#define CHECK_BATCH 8192

typedef struct {
    kh_table_t table;
    const char *file;
    kh_raw_t *raw;
    kh_validate_t *v;
    uint64_t rows, accepted, by_reason[KH_R_COUNT];
} check_t;

static void flush(check_t *c)
{
    if (!c->raw->nrows)
        return;
    kh_rows_t *rows = kh_rows_new(c->table, c->raw->nrows + 1);
    kh_rejects_t rej;
    kh_rejects_init(&rej, c->file);
    kh_validate_batch(c->v, c->table, c->raw, rows, &rej);
    c->accepted += rows->nrows;
    for (uint32_t i = 0; i < rej.n; i++)
        c->by_reason[rej.items[i].reason]++;
    kh_rows_destroy(&rows);
    kh_rejects_free(&rej);
    kh_raw_clear(c->raw);
}

static int on_record(void *ctx, const kh_csvrec_t *rec)
{
    check_t *c = ctx;
    kh_raw_append(c->raw, rec->line, rec->too_long ? KH_RAW_TOO_LONG : 0, rec->data, rec->len);
    c->rows++;
    if (!kh_schema_table(c->table)->reference && c->raw->nrows >= CHECK_BATCH)
        flush(c);
    return 0;
}

/* Checks one file; returns 0, or 1 when it is unusable (message printed). */
static int check_file(check_t *c, const char *path, size_t line_limit, uint64_t max_bytes, char *buf)
{
    kh_tabread_t *rd = NULL;
    int rc = kh_tabread_open(c->table, path, line_limit, max_bytes, &c->raw->meta, &rd);
    while (rc == 0) {
        size_t got = 0;
        rc = kh_tabread_read(rd, buf, 1 << 20, &got);
        if (rc == 0)
            rc = kh_tabread_feed(rd, buf, got, on_record, c);
        if (got == 0)
            break;
    }
    if (rc == 0)
        flush(c);
    else
        fprintf(stderr, "kohort: %s\n", kh_tabread_error(rd));
    kh_tabread_destroy(&rd);
    return rc ? 1 : 0;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: kohort check --extracts DIR [--allow-synthetic-ids] [--id-rule-2032]\n"
               "                    [--line-limit BYTES] [--max-file-bytes BYTES]\n"
               "Applies the row rules to every file of an extract directory and prints per\n"
               "file the rows, accepted, and rejected by reason. Writes nothing.\n"
               "Exit status: 0 every file usable, 1 a file is unusable or a required one\n"
               "accepts no rows, 2 usage.\n");
}

int kh_check_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"extracts", required_argument, 0, 'e'},
        {"allow-synthetic-ids", no_argument, 0, 'S'},
        {"id-rule-2032", no_argument, 0, '2'},
        {"line-limit", required_argument, 0, 'L'},
        {"max-file-bytes", required_argument, 0, 'M'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *dir = NULL;
    kh_rules_opts_t ropts = {0, 0};
    size_t line_limit = 0;
    uint64_t max_bytes = 0;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'e': dir = optarg; break;
        case 'S': ropts.allow_synthetic = 1; break;
        case '2': ropts.rule_2032 = 1; break;
        case 'L': line_limit = strtoull(optarg, NULL, 10); break;
        case 'M': max_bytes = strtoull(optarg, NULL, 10); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!dir)
        return kh_cli_usage("kohort check needs --extracts DIR");
    char *buf = kh_xmalloc(1 << 20);
    int status = 0;
    printf("%-26s %10s %10s %10s  %s\n", "file", "rows", "accepted", "rejected", "rejected by reason");
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        char path[4096], why[512];
        const char *base = NULL;
        int found = kh_tabread_find(dir, (kh_table_t)t, path, sizeof path, &base, why, sizeof why);
        if (found < 0) {
            fprintf(stderr, "kohort: %s\n", why);
            status = 1;
        }
        if (found <= 0)
            continue;
        check_t c;
        memset(&c, 0, sizeof c);
        c.table = (kh_table_t)t;
        c.file = base;
        c.raw = kh_raw_new();
        c.v = kh_validate_new(&ropts);
        if (check_file(&c, path, line_limit, max_bytes, buf) != 0) {
            status = 1;
        } else {
            printf("%-26s %10llu %10llu %10llu ", base, (unsigned long long)c.rows,
                   (unsigned long long)c.accepted, (unsigned long long)(c.rows - c.accepted));
            for (int r = 1; r < KH_R_COUNT; r++)
                if (c.by_reason[r])
                    printf(" %s=%llu", kh_reason_name(r), (unsigned long long)c.by_reason[r]);
            printf("\n");
            if (c.accepted == 0 && kh_schema_table((kh_table_t)t)->required) {
                /* a run on it could place nobody: as good as missing */
                fprintf(stderr, "kohort: %s: the required table accepts no rows%s\n", base,
                        c.by_reason[KH_R_ID_SYNTHETIC] * 2 > c.rows
                            ? " (most of its ids are synthetic: test data needs --allow-synthetic-ids)"
                            : "");
                status = 1;
            }
        }
        kh_validate_destroy(&c.v);
        kh_raw_destroy(&c.raw);
    }
    free(buf);
    return status;
}
