/* runopts.h - the options of `kohort run`, parsed with their defaults and
 * checked before anything starts: the extract directory, the stage
 * programs, the metrics address and the metrics file's directory. Plain
 * data owned by the caller; the strings are borrowed from argv. */
#ifndef KH_CLI_RUNOPTS_H
#define KH_CLI_RUNOPTS_H

#include <limits.h>

typedef struct {
    const char *extracts, *store, *key_file, *cohorts, *bindir_opt;
    int ref_year, min_cell, workers, allow_synthetic, rule_2032, progress, quiet;
    int stall_timeout, allow_shrink;
    const char *line_limit, *max_file_bytes;
    const char *metrics_addr, *metrics_file, *store_max;
    char bindir[PATH_MAX];   /* the stage programs' directory, as found */
} kh_runopts_t;

/* Fills *o with the defaults, then with argv (argv[0] is "run"); sets
 * KOHORT_LOG_FORMAT for --log-format, which the stages inherit. Returns 0
 * to run, 1 after printing the help on stdout, or 2 after one sentence (or
 * the usage) on stderr. */
int kh_runopts_parse(kh_runopts_t *o, int argc, char **argv);

#endif
