/* scope.c - the scope superset; see scope.h. Ids are kept in an
 * open-addressing hash set (64-bit keys, a few hundred thousand at national
 * scale); id_historikk pairs are joined by union-find over their indexes.
 * Once finished, a bitmap of about 16 bits per id answers most lookups of
 * ids outside the set without touching the table: the table is a few MB
 * at national scale, the bitmap fits the cache, and nearly every row's id
 * is outside (measured: the probe was 9-14 % of a run's CPU at 2 M
 * persons). */
#include "ingest/scope.h"

#include <stdlib.h>
#include <string.h>

#include "proto/util.h"

#define EMPTY INT64_MIN

typedef struct {
    int64_t *keys;
    size_t cap, n;          /* cap a power of two */
} idset_t;

struct kh_scope {
    idset_t set;            /* after finish: the superset */
    uint64_t *filter;       /* after finish: bit (mix >> 32) & fmask per id */
    uint64_t fmask;
    int64_t *pairs;         /* id_historikk: old, new, old, new, ... */
    size_t npairs, paircap;
    int finished;
};

static void set_init(idset_t *s, size_t cap)
{
    s->cap = cap;
    s->n = 0;
    s->keys = kh_xmalloc(cap * sizeof *s->keys);
    for (size_t i = 0; i < cap; i++)
        s->keys[i] = EMPTY;
}

static int set_has_mixed(const idset_t *s, int64_t id, uint64_t h)
{
    if (!s->cap)
        return 0;
    for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->keys[i] == id)
            return 1;
        if (s->keys[i] == EMPTY)
            return 0;
    }
}

static int set_has(const idset_t *s, int64_t id)
{
    return set_has_mixed(s, id, kh_mix64((uint64_t)id));
}

static void set_add(idset_t *s, int64_t id);

static void set_grow(idset_t *s)
{
    idset_t bigger;
    set_init(&bigger, s->cap ? s->cap * 2 : 1024);
    for (size_t i = 0; i < s->cap; i++)
        if (s->keys[i] != EMPTY)
            set_add(&bigger, s->keys[i]);
    free(s->keys);
    *s = bigger;
}

static void set_add(idset_t *s, int64_t id)
{
    if ((s->n + 1) * 2 > s->cap)
        set_grow(s);
    for (size_t i = kh_mix64((uint64_t)id) & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
        if (s->keys[i] == id)
            return;
        if (s->keys[i] == EMPTY) {
            s->keys[i] = id;
            s->n++;
            return;
        }
    }
}

kh_scope_t *kh_scope_new(void)
{
    kh_scope_t *s = kh_xcalloc(1, sizeof *s);
    set_init(&s->set, 1024);
    return s;
}

void kh_scope_destroy(kh_scope_t **scope)
{
    if (!scope || !*scope)
        return;
    kh_scope_t *s = *scope;
    /* raw ids: wiped before the memory goes back */
    if (s->set.keys)
        memset(s->set.keys, 0, s->set.cap * sizeof *s->set.keys);
    if (s->pairs)
        memset(s->pairs, 0, s->paircap * sizeof *s->pairs);
    free(s->set.keys);
    free(s->filter);
    free(s->pairs);
    free(s);
    *scope = NULL;
}

int kh_scope_parse_id(const char *field, size_t len, int64_t *id)
{
    while (len && (*field == ' ' || *field == '\t'))
        field++, len--;
    while (len && (field[len - 1] == ' ' || field[len - 1] == '\t'))
        len--;
    if (len >= 2 && field[0] == '"' && field[len - 1] == '"') {
        field++;
        len -= 2;
        while (len && (*field == ' ' || *field == '\t'))
            field++, len--;
        while (len && (field[len - 1] == ' ' || field[len - 1] == '\t'))
            len--;
    }
    if (len != 11)
        return 0;
    int64_t v = 0;
    for (size_t i = 0; i < 11; i++) {
        if (field[i] < '0' || field[i] > '9')
            return 0;
        v = v * 10 + (field[i] - '0');
    }
    *id = v;
    return 1;
}

/* The end of the field starting at p (the ';' after it or end), following
 * the strict quoting of extracts.md: a quoted field opens with '"' right
 * at its start and closes with '"' right before the delimiter, "" inside
 * being a quote. NULL when the quoting is malformed (the validator rejects
 * such a record as bad_quoting). */
static const char *field_end(const char *p, const char *end)
{
    if (p < end && *p == '"') {
        for (const char *q = p + 1; q < end; q++) {
            if (*q != '"')
                continue;
            if (q + 1 < end && q[1] == '"') {
                q++;
                continue;
            }
            return q + 1 == end || q[1] == ';' ? q + 1 : NULL;
        }
        return NULL; /* never closed */
    }
    /* one pass: the fields before an id are a dozen bytes or so, and two
     * memchr calls per field cost more than they save */
    for (const char *q = p; q < end; q++) {
        if (*q == ';')
            return q;
        if (*q == '"')
            return NULL;
    }
    return end;
}

int kh_scope_field(const char *rec, size_t len, int index, const char **field, size_t *flen)
{
    const char *p = rec, *end = rec + len;
    for (int i = 0;; i++) {
        const char *stop = field_end(p, end);
        if (!stop)
            return 0;
        if (i == index) {
            *field = p;
            *flen = (size_t)(stop - p);
            return 1;
        }
        if (stop == end)
            return 0;
        p = stop + 1;
    }
}

void kh_scope_add_history(kh_scope_t *s, int64_t old_id, int64_t new_id)
{
    if (s->npairs * 2 + 2 > s->paircap) {
        s->paircap = s->paircap ? s->paircap * 2 : 1024;
        s->pairs = kh_xrealloc(s->pairs, s->paircap * sizeof *s->pairs);
    }
    s->pairs[s->npairs * 2] = old_id;
    s->pairs[s->npairs * 2 + 1] = new_id;
    s->npairs++;
}

void kh_scope_add_participant(kh_scope_t *s, int64_t id)
{
    set_add(&s->set, id);
}

/* Union-find over the ids of the history pairs, by index into `ids`. */
static size_t find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

static int cmp_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static size_t index_of(const int64_t *ids, size_t n, int64_t id)
{
    const int64_t *p = bsearch(&id, ids, n, sizeof *ids, cmp_id);
    return (size_t)(p - ids);
}

/* The filter bit of an id whose kh_mix64() is h. */
static uint64_t filter_bit(const kh_scope_t *s, uint64_t h)
{
    return (h >> 32) & s->fmask;
}

static int filter_has(const kh_scope_t *s, uint64_t h)
{
    uint64_t b = filter_bit(s, h);
    return s->filter[b / 64] >> (b % 64) & 1;
}

static void build_filter(kh_scope_t *s)
{
    uint64_t bits = 1u << 15;
    while (bits < 16 * (uint64_t)s->set.n && bits < (1ull << 32))
        bits *= 2;
    s->fmask = bits - 1;
    s->filter = kh_xcalloc(bits / 64, sizeof *s->filter);
    for (size_t i = 0; i < s->set.cap; i++)
        if (s->set.keys[i] != EMPTY) {
            uint64_t b = filter_bit(s, kh_mix64((uint64_t)s->set.keys[i]));
            s->filter[b / 64] |= 1ull << (b % 64);
        }
}

static void join_history(kh_scope_t *s);

void kh_scope_finish(kh_scope_t *s)
{
    if (s->finished)
        return;
    s->finished = 1;
    join_history(s);
    build_filter(s);
}

static void join_history(kh_scope_t *s)
{
    size_t n = s->npairs * 2;
    if (!n)
        return;
    int64_t *ids = kh_xmalloc(n * sizeof *ids);
    memcpy(ids, s->pairs, n * sizeof *ids);
    qsort(ids, n, sizeof *ids, cmp_id);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || ids[m - 1] != ids[i])
            ids[m++] = ids[i];
    size_t *parent = kh_xmalloc(m * sizeof *parent);
    unsigned char *in = kh_xcalloc(m, 1);
    for (size_t i = 0; i < m; i++)
        parent[i] = i;
    for (size_t i = 0; i < s->npairs; i++) {
        size_t a = find(parent, index_of(ids, m, s->pairs[2 * i]));
        size_t b = find(parent, index_of(ids, m, s->pairs[2 * i + 1]));
        if (a != b)
            parent[a] = b;
    }
    /* a component holding a participant's id: all of it joins */
    for (size_t i = 0; i < m; i++)
        if (set_has(&s->set, ids[i]))
            in[find(parent, i)] = 1;
    for (size_t i = 0; i < m; i++)
        if (in[find(parent, i)])
            set_add(&s->set, ids[i]);
    memset(ids, 0, m * sizeof *ids);
    free(ids);
    free(parent);
    free(in);
}

int kh_scope_excludes(const kh_scope_t *s, int64_t id)
{
    if (!s->finished)
        return 0;
    uint64_t h = kh_mix64((uint64_t)id);
    if (!filter_has(s, h))
        return 1;
    return !set_has_mixed(&s->set, id, h);
}

/* How many ids ahead kh_scope_excludes_many() fetches filter words and
 * table slots: enough to cover a miss to memory with the work of the ids
 * in between. The slot is fetched whatever the filter will say: waiting
 * for the filter's word to decide was slower than the odd needless fetch
 * (an id the filter lets through, one in about ten, missed the cache in
 * the table otherwise). */
#define AHEAD 16

void kh_scope_excludes_many(const kh_scope_t *s, const int64_t *ids, size_t n,
                            unsigned char *out)
{
    for (size_t i = 0; i < n; i++) {
#if defined(__GNUC__)
        if (s->finished && i + AHEAD < n) {
            uint64_t h = kh_mix64((uint64_t)ids[i + AHEAD]);
            __builtin_prefetch(&s->filter[filter_bit(s, h) / 64]);
            __builtin_prefetch(&s->set.keys[h & (s->set.cap - 1)]);
        }
#endif
        out[i] = (unsigned char)kh_scope_excludes(s, ids[i]);
    }
}

size_t kh_scope_size(const kh_scope_t *s)
{
    return s->set.n;
}
