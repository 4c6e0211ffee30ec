/* extract.c - finding a table's file in an extract directory. See extract.h. */
#define _POSIX_C_SOURCE 200809L
#include "ingest/extract.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "proto/err.h"

int kh_extract_find(const char *dir, kh_table_t table, char *path, size_t cap,
                    const char **base, char *why, size_t whycap)
{
    const char *name = kh_schema_table(table)->name;
    char plain[4096], gz[4096];
    struct stat sb;
    snprintf(plain, sizeof plain, "%s/%s.csv", dir, name);
    snprintf(gz, sizeof gz, "%s/%s.csv.gz", dir, name);
    int has_plain = stat(plain, &sb) == 0, has_gz = stat(gz, &sb) == 0;
    if (has_plain && has_gz) {
        snprintf(why, whycap, "%s.csv and %s.csv.gz are both in the extract directory; keep one",
                 name, name);
        return KH_E_UNUSABLE;
    }
    if (!has_plain && !has_gz)
        return 0;
    snprintf(path, cap, "%s", has_plain ? plain : gz);
    /* a FIFO would hang the reader, a directory or device is no extract */
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
        snprintf(why, whycap, "%s.csv%s is not a regular file (%s)", name, has_plain ? "" : ".gz",
                 S_ISDIR(sb.st_mode) ? "a directory" : S_ISFIFO(sb.st_mode) ? "a FIFO"
                 : "a device or socket");
        return KH_E_UNUSABLE;
    }
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    return 1;
}
