/* backup.c - `kohort backup --store DIR --out FILE`. See backup.h. */
#define _POSIX_C_SOURCE 200809L
#include "cli/backup.h"

#include <getopt.h>
#include <stdio.h>
#include <sys/stat.h>

#include "cli/common.h"
#include "proto/err.h"
#include "proto/store.h"

static void usage(FILE *f)
{
    fprintf(f,
        "usage: kohort backup --store DIR --out FILE\n"
        "Writes a compacted copy of the store to FILE (mode 0600), consistent as of\n"
        "one moment even while a run writes the store. FILE must not exist. To\n"
        "restore: mkdir -m 700 NEWDIR && cp FILE NEWDIR/data.mdb && chmod 600\n"
        "NEWDIR/data.mdb (see OPERATIONS.md).\n"
        "Exit status: 0 ok, 1 the copy failed (or the store is damaged), 2 usage.\n");
}

int kh_backup_main(int argc, char **argv)
{
    static const struct option opts[] = {
        {"store", required_argument, 0, 's'},
        {"out", required_argument, 0, 'o'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *store_path = NULL, *out = NULL;
    int opt;
    optind = 1;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (opt) {
        case 's': store_path = optarg; break;
        case 'o': out = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind < argc || !store_path || !out)
        return kh_cli_usage("kohort backup needs --store DIR and --out FILE");
    struct stat sb;
    if (lstat(out, &sb) == 0)
        return kh_cli_usage("the backup file already exists; name a new one");
    kh_store_t *s = NULL;
    int rc = kh_store_open(store_path, 0, 0, &s);
    if (rc) {
        fprintf(stderr, "kohort: cannot read the store %s: %s\n", store_path,
                rc == KH_E_NOTFOUND ? "no store there" : kh_strerror(rc));
        return rc == KH_E_MODE || rc == KH_E_NOTFOUND ? 2 : 1;
    }
    rc = kh_store_backup(s, out);
    kh_store_close(&s);
    if (rc) {
        fprintf(stderr, "kohort: cannot write the backup %s: %s\n", out, kh_strerror(rc));
        return 1;
    }
    return 0;
}
