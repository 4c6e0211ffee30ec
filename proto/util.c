/* util.c - checked allocation and the monotonic clock. See util.h. */
#define _POSIX_C_SOURCE 200809L
#include "proto/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Out of memory aborts, the one way out of the process that proto/ keeps
 * besides the store's fault handler (docs/DECISIONS.md, "proto/ never exits
 * the process"): no caller could do better, and STYLE.md asks for it. */
static void oom(size_t n)
{
    fprintf(stderr, "kohort: out of memory allocating %zu bytes\n", n);
    abort();
}

void *kh_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *kh_xcalloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (!p)
        oom(count * size);
    return p;
}

void *kh_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *kh_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = kh_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

size_t kh_text_append(char **data, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s) + 1;
    if (*len + n > *cap) {
        size_t grown = *cap ? *cap * 2 : 256;
        while (grown < *len + n)
            grown *= 2;
        *data = kh_xrealloc(*data, grown);
        *cap = grown;
    }
    memcpy(*data + *len, s, n);
    size_t off = *len;
    *len += n;
    return off;
}

uint64_t kh_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
