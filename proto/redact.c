/* redact.c - masking digit runs that may be national ids. See redact.h. */
#include "proto/redact.h"

#include <string.h>

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Masks src[0..len) into out (same length; may be src itself). */
static int mask_runs(const char *src, size_t len, char *out)
{
    int runs = 0;
    size_t i = 0;
    while (i < len) {
        if (!is_digit(src[i])) {
            out[i] = src[i];
            i++;
            continue;
        }
        size_t start = i;
        while (i < len && is_digit(src[i]))
            i++;
        size_t n = i - start;
        for (size_t k = 0; k < n; k++) {
            int keep = n < KH_REDACT_MIN_RUN || k < 4 || k == n - 1;
            out[start + k] = keep ? src[start + k] : '*';
        }
        if (n >= KH_REDACT_MIN_RUN)
            runs++;
    }
    return runs;
}

int kh_redact(char *s)
{
    return mask_runs(s, strlen(s), s);
}

size_t kh_redact_copy(const char *src, size_t len, char *out, size_t outcap)
{
    if (outcap == 0)
        return 0;
    size_t n = len;
    if (n > outcap - 1) {
        n = outcap - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    /* judge runs on the whole source: a run cut at n is still masked */
    size_t i = 0;
    while (i < n) {
        if (!is_digit(src[i])) {
            out[i] = src[i];
            i++;
            continue;
        }
        size_t start = i, end = i;
        while (end < len && is_digit(src[end]))
            end++;
        size_t run = end - start;
        for (size_t k = 0; start + k < n && k < run; k++) {
            int keep = run < KH_REDACT_MIN_RUN || k < 4 || k == run - 1;
            out[start + k] = keep ? src[start + k] : '*';
        }
        i = end < n ? end : n;
    }
    out[n] = '\0';
    return n;
}
