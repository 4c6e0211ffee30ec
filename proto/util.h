/* util.h - allocation that never fails quietly, and small helpers every
 * stage uses. Out of memory aborts with a message (STYLE.md). */
#ifndef KH_UTIL_H
#define KH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Caller owns result; free with free(). Abort on out of memory. */
void *kh_xmalloc(size_t n);
void *kh_xcalloc(size_t count, size_t size);
void *kh_xrealloc(void *p, size_t n);
char *kh_xstrdup(const char *s);

/* Monotonic clock in nanoseconds. */
uint64_t kh_now_ns(void);

#define KH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
