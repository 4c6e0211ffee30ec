/* common.c - helpers of the `kohort` subcommands. See common.h. */
#define _POSIX_C_SOURCE 200809L
#include "cli/common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int kh_cli_int(const char *s, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

int kh_cli_usage(const char *msg)
{
    fprintf(stderr, "kohort: %s\n", msg);
    return 2;
}

int kh_cli_format(const char *s, kh_format_t *out)
{
    if (strcmp(s, "table") == 0)
        *out = KH_FMT_TABLE;
    else if (strcmp(s, "csv") == 0)
        *out = KH_FMT_CSV;
    else if (strcmp(s, "json") == 0)
        *out = KH_FMT_JSON;
    else
        return -1;
    return 0;
}

void kh_cli_json_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

void kh_cli_csv_str(FILE *f, const char *s)
{
    /* a spreadsheet runs a cell starting with one of these as a formula */
    int formula = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
    if (!formula && !strpbrk(s, ",\"\r\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    if (formula)
        fputc('\'', f);
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            fputc('"', f);
        fputc(*p, f);
    }
    fputc('"', f);
}

void kh_cli_time(char *buf, size_t cap, long long ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void kh_cli_format_value(char *buf, size_t cap, int64_t v, int scale)
{
    if (scale == 0) {
        snprintf(buf, cap, "%lld", (long long)v);
        return;
    }
    uint64_t div = 1;
    for (int i = 0; i < scale; i++)
        div *= 10;
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    snprintf(buf, cap, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)(a / div), scale,
             (unsigned long long)(a % div));
}
