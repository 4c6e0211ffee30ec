/* log.c - the line logger. See log.h. A line is assembled in one buffer and
 * written with one write() so that lines of concurrent processes sharing a
 * stderr do not interleave. */
#define _POSIX_C_SOURCE 200809L
#include "log.h"
#include "redact.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char log_stage[32] = "kohort";
static kh_log_level_t log_min = KH_LOG_INFO;

void kh_log_init(const char *stage, kh_log_level_t min_level)
{
    snprintf(log_stage, sizeof log_stage, "%s", stage);
    log_min = min_level;
}

void kh_log(kh_log_level_t level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (level < log_min)
        return;
    char line[1024];
    struct timeval tv;
    gettimeofday(&tv, NULL);
    struct tm tm;
    gmtime_r(&tv.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ level=%s stage=%s ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, (int)(tv.tv_usec / 1000), names[level], log_stage);
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    va_end(ap);
    size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    /* a line must never carry an id, whatever a caller formatted into it */
    line[len] = '\0';
    kh_redact(line);
    line[len++] = '\n';
    ssize_t w = write(STDERR_FILENO, line, len);
    (void)w;
}
