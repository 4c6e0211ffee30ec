/* kommune.h - municipality codes carried forward through SSB's change list.
 *
 * Used by kohort-link: fed the accepted ref_kommuneendringer rows, it maps
 * any 4-digit code to the code valid on a given day (1 January of R), or to
 * "no single successor" for codes that split or change in a cycle. Owns its
 * change list and a 10 000-entry map; no other state. */
#ifndef KH_KOMMUNE_H
#define KH_KOMMUNE_H

#include <stdint.h>

/* kh_kommune_carry() result for a code without a single successor. */
#define KH_KOMMUNE_NONE (-1)

typedef struct kh_kommune kh_kommune_t;

/* Caller owns result; free with kh_kommune_destroy(). Without changes (or
 * before kh_kommune_resolve()) every code maps to itself. */
kh_kommune_t *kh_kommune_new(void);

/* Frees `*k` and sets it to NULL; accepts NULL. */
void kh_kommune_destroy(kh_kommune_t **k);

/* Records one change `gammel` -> `ny` that took effect on `dato` (days since
 * 1970-01-01). A row with gammel == ny is ignored entirely. Returns 0, or
 * -EINVAL when a code is outside 1..9999. Takes effect at the next
 * kh_kommune_resolve(). */
int kh_kommune_add(kh_kommune_t *k, int32_t gammel, int32_t ny, int64_t dato);

/* Computes the map for the day `as_of` (days since 1970-01-01): every change
 * dated on or before it applies, chained whatever the order of dates; a code
 * with several different new codes (a split), a code on a cycle, and every
 * code leading into either map to KH_KOMMUNE_NONE. May be called again with
 * another day. Returns 0. */
int kh_kommune_resolve(kh_kommune_t *k, int64_t as_of);

/* The code valid on the resolved day for `code`, or KH_KOMMUNE_NONE. A code
 * outside 1..9999 is returned unchanged (the validator never lets one in). */
int32_t kh_kommune_carry(const kh_kommune_t *k, int32_t code);

/* Number of changes recorded (rows with gammel == ny not counted). */
uint32_t kh_kommune_count(const kh_kommune_t *k);

#endif
