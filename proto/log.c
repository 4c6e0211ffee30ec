/* log.c - the line logger. See log.h. A line is assembled in one buffer and
 * written with one write() so that lines of concurrent processes sharing a
 * stderr do not interleave. */
#define _POSIX_C_SOURCE 200809L
#include "proto/log.h"
#include "proto/redact.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char log_stage[32] = "kohort";
static kh_log_level_t log_min = KH_LOG_INFO;
static int log_json;      /* KOHORT_LOG_FORMAT=json */
static int log_journal;   /* stderr is the journal: syslog priority prefixes */

/* 1 when JOURNAL_STREAM ("DEVICE:INODE", set by systemd) names our stderr:
 * only then do the journal's priority prefixes belong on the lines. */
static int stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat sb;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &sb) != 0)
        return 0;
    return (unsigned long long)sb.st_dev == dev && (unsigned long long)sb.st_ino == ino;
}

void kh_log_init(const char *stage, kh_log_level_t min_level)
{
    snprintf(log_stage, sizeof log_stage, "%s", stage);
    log_min = min_level;
    const char *fmt = getenv("KOHORT_LOG_FORMAT");
    log_json = fmt && strcmp(fmt, "json") == 0;
    log_journal = stderr_is_journal();
}

/* Appends s to buf (at *len, capacity cap) as the inside of a JSON string. */
static void json_text(char *buf, size_t *len, size_t cap, const char *s, size_t n)
{
    for (size_t i = 0; i < n && *len + 7 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            buf[(*len)++] = '\\';
            buf[(*len)++] = (char)c;
        } else if (c < 0x20) {
            *len += (size_t)snprintf(buf + *len, cap - *len, "\\u%04x", c);
        } else {
            buf[(*len)++] = (char)c;
        }
    }
}

/* Appends `"key":"value"` pairs made from a logfmt message: the first word
 * is the event, then key=value or key="quoted value" fields. */
static void json_fields(char *buf, size_t *len, size_t cap, const char *msg)
{
    const char *p = msg;
    int first = 1;
    while (*p && *len + 16 < cap) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        const char *key = p, *eq = NULL;
        while (*p && *p != ' ' && *p != '=')
            p++;
        if (*p == '=')
            eq = p;
        const char *val = eq ? eq + 1 : key, *end;
        size_t klen = eq ? (size_t)(eq - key) : 5;
        if (eq && *val == '"') {
            val++;
            end = val;
            while (*end && !(*end == '"' && end[-1] != '\\'))
                end++;
            p = *end ? end + 1 : end;
        } else {
            end = eq ? val : key;
            while (*end && *end != ' ')
                end++;
            p = end;
        }
        if (!eq && !first)
            klen = 0; /* a stray word: kept under "msg" */
        buf[(*len)++] = ',';
        buf[(*len)++] = '"';
        json_text(buf, len, cap, eq ? key : (first ? "event" : "msg"), eq ? klen : (first ? 5 : 3));
        *len += (size_t)snprintf(buf + *len, cap - *len, "\":\"");
        json_text(buf, len, cap, val, (size_t)(end - val));
        if (*len < cap)
            buf[(*len)++] = '"';
        first = 0;
    }
}

void kh_log(kh_log_level_t level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    static const int priorities[] = {7, 6, 4, 3}; /* syslog: debug, info, warning, err */
    if (level < log_min)
        return;
    char msg[1024], line[2048];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (m < 0)
        msg[0] = '\0';
    /* a line must never carry an id, whatever a caller formatted into it */
    kh_redact(msg);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    char stamp[64];
    snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv.tv_usec / 1000));
    size_t len = 0, cap = sizeof line - 2;
    if (log_journal)
        len += (size_t)snprintf(line, cap, "<%d>", priorities[level]);
    if (log_json) {
        len += (size_t)snprintf(line + len, cap - len, "{\"time\":\"%s\",\"level\":\"%s\",\"stage\":\"",
                                stamp, names[level]);
        json_text(line, &len, cap, log_stage, strlen(log_stage));
        line[len++] = '"';
        json_fields(line, &len, cap - 1, msg);
        line[len++] = '}';
    } else {
        int n = snprintf(line + len, cap - len, "%s level=%s stage=%s %s", stamp, names[level],
                         log_stage, msg);
        len += n < 0 ? 0 : (size_t)n;
        if (len > cap)
            len = cap;
    }
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
