/* util.h - allocation that never fails quietly, and small helpers every
 * stage uses. Out of memory aborts with a message (README.md, "Development"). */
#ifndef KH_UTIL_H
#define KH_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Caller owns result; free with free(). Abort on out of memory. */
void *kh_xmalloc(size_t n);
void *kh_xcalloc(size_t count, size_t size);
void *kh_xrealloc(void *p, size_t n);
char *kh_xstrdup(const char *s);

/* Appends NUL-terminated s to the texts held end to end in *data (*len
 * bytes used of *cap), growing it by doubling; returns s's offset, since
 * the buffer may move. */
size_t kh_text_append(char **data, size_t *len, size_t *cap, const char *s);

/* A full 64-bit mix (splitmix64's finaliser) of a key, for the hash
 * tables of structured keys (ids, codes): every input bit moves every
 * output bit, so linear probing stays short. */
static inline uint64_t kh_mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

/* Monotonic clock in nanoseconds. */
uint64_t kh_now_ns(void);

#define KH_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
