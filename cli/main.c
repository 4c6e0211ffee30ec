/* main.c - `kohort`, the operator's command: dispatches to a subcommand.
 * Each subcommand parses its own options and returns its exit status
 * (0 ok, 1 the work failed, 2 usage, 3 the store is busy). */
#include <stdio.h>
#include <string.h>

#include "cli/audit.h"
#include "cli/backup.h"
#include "cli/check.h"
#include "cli/common.h"
#include "cli/keygen.h"
#include "cli/metrics.h"
#include "cli/query.h"
#include "cli/report.h"
#include "cli/run.h"
#include "cli/status.h"
#include "cli/top.h"
#include "gen/gen.h"

static const struct {
    const char *name;
    int (*main)(int argc, char **argv);
    const char *what;
} commands[] = {
    {"run", kh_run_main, "run the pipeline once on an extract directory"},
    {"query", kh_query_main, "print stored indicators (exit, status, cost)"},
    {"runs", kh_runs_main, "print the run ledger"},
    {"quarantine", kh_quarantine_main, "print the rejected rows of a run"},
    {"top", kh_top_main, "watch the running import, one line per stage"},
    {"status", kh_status_main, "print the running import's state once (--json for scripts)"},
    {"metrics", kh_metrics_main, "print the store's ledger as Prometheus text"},
    {"check", kh_check_main, "apply the row rules to an extract directory, no store"},
    {"report", kh_report_main, "write an HTML report with charts of one reference year"},
    {"gen", kh_gen_main, "write a synthetic extract directory"},
    {"keygen", kh_keygen_main, "write a pseudonymisation key file"},
    {"audit", kh_audit_main, "find stored cells an outsider can recover by arithmetic"},
    {"backup", kh_backup_main, "write a consistent compacted copy of a store to a file"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: kohort COMMAND [options]   (kohort COMMAND --help for more)\n\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(f, "  %-11s %s\n", commands[i].name, commands[i].what);
    fprintf(f, "\n  --version   print the version and exit\n"
               "\nKOHORT_STORE, when set, is the default --store of every command.\n"
               "Exit status: 0 ok, 1 the work failed, 2 usage error, 3 the store is busy.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("kohort %s\n", kh_cli_version());
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].main(argc - 1, argv + 1);
    fprintf(stderr, "kohort: unknown command '%s'; see kohort --help\n", argv[1]);
    return 2;
}
