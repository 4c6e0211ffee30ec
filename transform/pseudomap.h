/* pseudomap.h - a hash table from 16-byte pseudonyms to 32-bit values.
 *
 * Used by kohort-link to resolve identities and to decide, with one probe
 * per row, whether a row's person is in scope. Open addressing with linear
 * probing; owns its slots; no per-entry allocation. */
#ifndef KH_PSEUDOMAP_H
#define KH_PSEUDOMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct kh_pseudomap kh_pseudomap_t;

/* Caller owns result; free with kh_pseudomap_destroy(). Sized so that
 * `expected` entries fit without growing (it grows when needed). */
kh_pseudomap_t *kh_pseudomap_new(size_t expected);

/* Frees `*m` and sets it to NULL; accepts NULL. */
void kh_pseudomap_destroy(kh_pseudomap_t **m);

/* The value slot of `key` (KH_PSEUDO_LEN bytes), inserting the key when it
 * is absent: then *inserted = 1 and the slot holds 0 for the caller to set.
 * Borrowed: the slot is valid until the next insertion. */
uint32_t *kh_pseudomap_upsert(kh_pseudomap_t *m, const uint8_t *key, int *inserted);

/* 1 and *value set when `key` is present, else 0. */
int kh_pseudomap_get(const kh_pseudomap_t *m, const uint8_t *key, uint32_t *value);

/* Number of keys held. */
size_t kh_pseudomap_count(const kh_pseudomap_t *m);

#endif
