/* common.c - helpers of the `kohort` subcommands. See common.h. */
#define _POSIX_C_SOURCE 200809L
#include "cli/common.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto/err.h"

#ifndef KH_VERSION
#define KH_VERSION "unknown"
#endif

/* The stage programs `kohort run` starts; all must be found together. */
static const char *const stage_programs[] = {
    "kohort-ingest", "kohort-validate", "kohort-anonymise", "kohort-link",
    "kohort-aggregate", "kohort-sink",
};

const char *kh_cli_version(void)
{
    return KH_VERSION;
}

const char *kh_cli_store(const char *opt)
{
    if (opt)
        return opt;
    const char *env = getenv("KOHORT_STORE");
    return env && *env ? env : NULL;
}

/* The first stage program missing (or not executable) in dir, or NULL. */
static const char *missing_stage(const char *dir)
{
    char path[PATH_MAX + 32];
    for (size_t i = 0; i < sizeof stage_programs / sizeof stage_programs[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, stage_programs[i]);
        if (access(path, X_OK) != 0)
            return stage_programs[i];
    }
    return NULL;
}

int kh_cli_stage_dir(const char *opt, char *dir, size_t cap, char *why, size_t whycap)
{
    const char *missing;
    if (opt) {
        snprintf(dir, cap, "%s", opt);
        if ((missing = missing_stage(dir)) != NULL) {
            snprintf(why, whycap, "the stage program %s is not in %s (--bindir)", missing, dir);
            return -1;
        }
        return 0;
    }
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        snprintf(why, whycap, "cannot find this program's own path to look for its stage programs");
        return -1;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(dir, cap, "%s", self);
    if (!missing_stage(dir))
        return 0;
    snprintf(dir, cap, "%s/../libexec/kohort", self);
    if (!missing_stage(dir))
        return 0;
    snprintf(why, whycap, "the stage programs (%s, ...) are neither beside %s/kohort nor in "
             "%s/../libexec/kohort", stage_programs[0], self, self);
    return -1;
}

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
    kh_cli_csv_field(f, s, ',');
}

void kh_cli_csv_field(FILE *f, const char *s, char sep)
{
    char special[] = {sep, '"', '\r', '\n', '\0'};
    /* a spreadsheet runs a cell starting with one of these as a formula */
    int formula = s[0] && strchr("=+-@\t\r", s[0]) != NULL;
    if (!formula && !strpbrk(s, special)) {
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

int kh_cli_open_store(const char *path, kh_store_t **out)
{
    *out = NULL;
    int rc = kh_store_open(path, 0, 0, out);
    if (rc == KH_E_NOTFOUND) {
        fprintf(stderr, "kohort: no store at %s\n", path);
        return 1;
    }
    if (rc) {
        fprintf(stderr, "kohort: cannot read the store %s: %s\n", path, kh_strerror(rc));
        return rc == KH_E_MODE ? 2 : 1;
    }
    return 0;
}

typedef struct {
    const char *arg;
    size_t len;
    int latest;
    int matches;
    int exact;
    char id[KH_RUN_ID_MAX];
} run_match_t;

static int match_run(void *ctx, const kh_runrec_t *rec)
{
    run_match_t *m = ctx;
    if (m->latest) {
        snprintf(m->id, sizeof m->id, "%s", rec->run);
        m->matches = 1;
        return KH_STOP; /* the ledger is newest first */
    }
    if (strcmp(rec->run, m->arg) == 0) {
        snprintf(m->id, sizeof m->id, "%s", rec->run);
        m->exact = 1;
        return KH_STOP;
    }
    if (strncmp(rec->run, m->arg, m->len) == 0 && m->matches++ == 0)
        snprintf(m->id, sizeof m->id, "%s", rec->run);
    return 0;
}

int kh_cli_resolve_run(kh_store_t *store, const char *arg, char out[KH_RUN_ID_MAX])
{
    run_match_t m;
    memset(&m, 0, sizeof m);
    m.arg = arg;
    m.len = strlen(arg);
    m.latest = strcmp(arg, "latest") == 0;
    int rc = m.len ? kh_store_each_run(store, match_run, &m) : 0;
    if (rc < 0) { /* KH_STOP, a match, is not an error */
        fprintf(stderr, "kohort: cannot read the ledger: %s\n", kh_strerror(rc));
        return 1;
    }
    if (!m.exact && m.matches == 0) {
        fprintf(stderr, "kohort: no run %.80s in the ledger\n", m.latest ? "at all" : arg);
        return 1;
    }
    if (!m.exact && m.matches > 1) {
        fprintf(stderr, "kohort: %d runs start with %.80s; give more of the id\n", m.matches, arg);
        return 1;
    }
    memcpy(out, m.id, KH_RUN_ID_MAX);
    return 0;
}
