/* pseudomap.c - open-addressing table keyed by pseudonyms. See pseudomap.h.
 * Pseudonyms are keyed hashes and so already uniform, but the slot still
 * comes from a full 64-bit mix of the key: linear probing degrades badly on
 * structured keys (test keys, a weak future pseudonym scheme), and the mix
 * costs a few nanoseconds against a cache miss of ~100. */
#include "transform/pseudomap.h"

#include <stdlib.h>
#include <string.h>

#include "proto/rows.h"
#include "proto/util.h"

struct kh_pseudomap {
    uint8_t *keys;       /* cap * KH_PSEUDO_LEN */
    uint32_t *values;
    uint8_t *tags;       /* 0: empty slot, else 8 bits of the key's hash (never 0) */
    size_t cap;          /* a power of two */
    unsigned bits;       /* log2(cap) */
    size_t count;
};

/* The key's 64-bit hash: the slot is its top bits, the tag its low byte. */
static uint64_t hash_of(const uint8_t *key)
{
    uint64_t lo, hi;
    memcpy(&lo, key, sizeof lo);
    memcpy(&hi, key + 8, sizeof hi);
    /* Halves combined so that no simple relation between them cancels,
     * then MurmurHash3's 64-bit finaliser. */
    uint64_t hi_mixed = hi * UINT64_C(0xC2B2AE3D27D4EB4F);
    uint64_t h = lo + (hi_mixed << 31 | hi_mixed >> 33);
    h ^= h >> 33;
    h *= UINT64_C(0xFF51AFD7ED558CCD);
    h ^= h >> 33;
    h *= UINT64_C(0xC4CEB9FE1A85EC53);
    h ^= h >> 33;
    return h;
}

static uint8_t tag_of(uint64_t h)
{
    return (uint8_t)(h | 1);
}

static void alloc_slots(kh_pseudomap_t *m, unsigned bits)
{
    m->bits = bits;
    m->cap = (size_t)1 << bits;
    m->keys = kh_xmalloc(m->cap * KH_PSEUDO_LEN);
    m->values = kh_xmalloc(m->cap * sizeof *m->values);
    m->tags = kh_xcalloc(m->cap, 1);
    m->count = 0;
}

kh_pseudomap_t *kh_pseudomap_new(size_t expected)
{
    kh_pseudomap_t *m = kh_xcalloc(1, sizeof *m);
    unsigned bits = 4;
    /* Load at most one half keeps linear probes short. */
    while (((size_t)1 << bits) < expected * 2)
        bits++;
    alloc_slots(m, bits);
    return m;
}

void kh_pseudomap_destroy(kh_pseudomap_t **mp)
{
    if (!mp || !*mp)
        return;
    free((*mp)->keys);
    free((*mp)->values);
    free((*mp)->tags);
    free(*mp);
    *mp = NULL;
}

/* The slot holding `key`, or the empty slot where it would go. A slot is
 * compared by its tag first: most rows the linker looks up belong to no
 * participant, and the tag array (one byte a slot) answers them without
 * touching the keys. */
static size_t find_slot(const kh_pseudomap_t *m, const uint8_t *key, uint8_t *tag)
{
    size_t mask = m->cap - 1;
    uint64_t h = hash_of(key);
    size_t s = (size_t)(h >> (64 - m->bits));
    uint8_t t = tag_of(h);
    *tag = t;
    while (m->tags[s] &&
           (m->tags[s] != t || memcmp(m->keys + s * KH_PSEUDO_LEN, key, KH_PSEUDO_LEN) != 0))
        s = (s + 1) & mask;
    return s;
}

static void grow(kh_pseudomap_t *m)
{
    kh_pseudomap_t old = *m;
    alloc_slots(m, old.bits + 1);
    for (size_t s = 0; s < old.cap; s++) {
        if (!old.tags[s])
            continue;
        const uint8_t *key = old.keys + s * KH_PSEUDO_LEN;
        uint8_t tag;
        size_t d = find_slot(m, key, &tag);
        memcpy(m->keys + d * KH_PSEUDO_LEN, key, KH_PSEUDO_LEN);
        m->values[d] = old.values[s];
        m->tags[d] = tag;
        m->count++;
    }
    free(old.keys);
    free(old.values);
    free(old.tags);
}

uint32_t *kh_pseudomap_upsert(kh_pseudomap_t *m, const uint8_t *key, int *inserted)
{
    uint8_t tag;
    size_t s = find_slot(m, key, &tag);
    if (m->tags[s]) {
        *inserted = 0;
        return &m->values[s];
    }
    if ((m->count + 1) * 2 > m->cap) {
        grow(m);
        s = find_slot(m, key, &tag);
    }
    memcpy(m->keys + s * KH_PSEUDO_LEN, key, KH_PSEUDO_LEN);
    m->values[s] = 0;
    m->tags[s] = tag;
    m->count++;
    *inserted = 1;
    return &m->values[s];
}

int kh_pseudomap_get(const kh_pseudomap_t *m, const uint8_t *key, uint32_t *value)
{
    uint8_t tag;
    size_t s = find_slot(m, key, &tag);
    if (!m->tags[s])
        return 0;
    *value = m->values[s];
    return 1;
}

size_t kh_pseudomap_count(const kh_pseudomap_t *m)
{
    return m->count;
}
