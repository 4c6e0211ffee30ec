/* runopts.c - the options of `kohort run`. See runopts.h. */
#define _GNU_SOURCE
#include "cli/runopts.h"

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/common.h"
#include "cli/metrics.h"
#include "cli/runstate.h"
#include "proto/defaults.h"
#include "proto/msg.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: kohort run --extracts DIR --store DIR [options]\n"
        "Runs the whole pipeline once on an extract directory and commits the\n"
        "indicators of one reference year to the store.\n\n"
        "  --ref-year R            reference year (default: newest aar in bosatte)\n"
        "  --cohorts FROM-TO       cohort window (default R-7..R)\n"
        "  --min-cell K            disclosure threshold (default "
        KH_DEFAULT_STR(KH_DEFAULT_MIN_CELL) ", 0 = off)\n"
        "  --workers N             validate and anonymise processes (default: cores)\n"
        "  --key FILE              pseudonymisation key (default: fresh per run)\n"
        "  --allow-synthetic-ids   accept synthetic test ids (month + 80)\n"
        "  --id-rule-2032          accept the 2032 check-digit rule\n"
        "  --stall-timeout SEC     fail after SEC seconds without progress (60)\n"
        "  --line-limit BYTES      longest accepted line (1048576)\n"
        "  --max-file-bytes BYTES  largest decompressed file (0 = no limit)\n"
        "  --progress / --quiet    progress on stderr / only errors\n"
        "  --metrics ADDR:PORT     serve /metrics and /health while the run lasts\n"
        "  --metrics-file PATH     write the run's metrics there at the end\n"
        "  --store-max-bytes N     the largest the store may grow (16 GiB)\n"
        "  --log-format FMT        logfmt (default) or json, one line per event\n"
        "  --bin-dir DIR           where the stage programs are (default: beside\n"
        "                          kohort, or ../libexec/kohort)\n"
        "  --allow-shrink          replace a stored year even when this run places\n"
        "                          nobody or fewer than half the persons its stored\n"
        "                          run placed (refused otherwise: a broken extract)\n"
        "Exit status: 0 ok, 1 the run failed, 2 usage, 3 the store is busy.\n");
}

/* Everything that can be known wrong before anything is written: the
 * extract directory, the stage programs, the metrics address and the
 * metrics file's directory. Returns 0, or 2 after one sentence on stderr. */
static int check_setup(kh_runopts_t *o)
{
    struct stat sb;
    if (stat(o->extracts, &sb) != 0 || !S_ISDIR(sb.st_mode))
        return kh_cli_usage("the extract directory does not exist");
    char why[KH_REASON_MAX];
    if (kh_cli_stage_dir(o->bindir_opt, o->bindir, sizeof o->bindir, why, sizeof why) != 0)
        return kh_cli_usage(why);
    if (o->metrics_addr && kh_metrics_addr_check(o->metrics_addr, why, sizeof why) != 0)
        return kh_cli_usage(why);
    if (o->metrics_file) {
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", o->metrics_file);
        char *slash = strrchr(dir, '/');
        if (!slash)
            snprintf(dir, sizeof dir, ".");
        else if (slash == dir)
            dir[1] = '\0';
        else
            *slash = '\0';
        if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || access(dir, W_OK | X_OK) != 0) {
            snprintf(why, sizeof why, "--metrics-file: the directory %.300s does not exist or is "
                     "not writable", dir);
            return kh_cli_usage(why);
        }
    }
    return 0;
}

int kh_runopts_parse(kh_runopts_t *o, int argc, char **argv)
{
    memset(o, 0, sizeof *o);
    o->min_cell = KH_DEFAULT_MIN_CELL;
    o->stall_timeout = 60;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    o->workers = cores > 0 ? (int)cores : 1;
    static const struct option opts[] = {
        {"extracts", required_argument, 0, 'e'},
        {"store", required_argument, 0, 's'},
        {"ref-year", required_argument, 0, 'r'},
        {"cohorts", required_argument, 0, 'c'},
        {"min-cell", required_argument, 0, 'k'},
        {"workers", required_argument, 0, 'w'},
        {"key", required_argument, 0, 'K'},
        {"allow-synthetic-ids", no_argument, 0, 'S'},
        {"id-rule-2032", no_argument, 0, '2'},
        {"progress", no_argument, 0, 'p'},
        {"quiet", no_argument, 0, 'q'},
        {"stall-timeout", required_argument, 0, 'T'},
        {"line-limit", required_argument, 0, 'L'},
        {"max-file-bytes", required_argument, 0, 'M'},
        {"bin-dir", required_argument, 0, 'B'},
        {"metrics", required_argument, 0, 'm'},
        {"metrics-file", required_argument, 0, 'F'},
        {"store-max-bytes", required_argument, 0, 'X'},
        {"log-format", required_argument, 0, 'l'},
        {"allow-shrink", no_argument, 0, 'A'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 'e': o->extracts = optarg; break;
        case 's': o->store = optarg; break;
        case 'r':
            if (kh_cli_int(optarg, 1900, 2100, &o->ref_year))
                return kh_cli_usage("--ref-year wants a year between 1900 and 2100");
            break;
        case 'c': {
            int from, to;
            if (sscanf(optarg, "%d-%d", &from, &to) != 2 || from < 1900 || to > 2100 || from > to)
                return kh_cli_usage("--cohorts wants FROM-TO, e.g. 2017-2024");
            o->cohorts = optarg;
            break;
        }
        case 'k':
            if (kh_cli_int(optarg, 0, KH_MAX_MIN_CELL, &o->min_cell))
                return kh_cli_usage("--min-cell wants a number of persons, 0 or more");
            break;
        case 'w':
            if (kh_cli_int(optarg, 1, KH_RUNSTATE_MAX_STAGES / 2 - 4, &o->workers))
                return kh_cli_usage("--workers wants a number between 1 and 28");
            break;
        case 'K': o->key_file = optarg; break;
        case 'S': o->allow_synthetic = 1; break;
        case '2': o->rule_2032 = 1; break;
        case 'p': o->progress = 1; break;
        case 'q': o->quiet = 1; break;
        case 'T':
            if (kh_cli_int(optarg, 1, 86400, &o->stall_timeout))
                return kh_cli_usage("--stall-timeout wants seconds between 1 and 86400");
            break;
        case 'L': o->line_limit = optarg; break;
        case 'M': o->max_file_bytes = optarg; break;
        case 'B': o->bindir_opt = optarg; break;
        case 'A': o->allow_shrink = 1; break;
        case 'm': o->metrics_addr = optarg; break;
        case 'F': o->metrics_file = optarg; break;
        case 'X': {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*end || v < (1u << 20))
                return kh_cli_usage("--store-max-bytes wants a size in bytes, at least 1048576");
            o->store_max = optarg;
            break;
        }
        case 'l':
            /* the stages inherit it (proto/log.c reads KOHORT_LOG_FORMAT) */
            if (strcmp(optarg, "logfmt") != 0 && strcmp(optarg, "json") != 0)
                return kh_cli_usage("--log-format wants logfmt or json");
            setenv("KOHORT_LOG_FORMAT", optarg, 1);
            break;
        case 'h': usage(stdout); return 1;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc)
        return kh_cli_usage("unexpected argument; see kohort run --help");
    o->store = kh_cli_store(o->store);
    if (!o->extracts || !o->store)
        return kh_cli_usage("kohort run needs --extracts DIR and --store DIR (or KOHORT_STORE)");
    return check_setup(o);
}
