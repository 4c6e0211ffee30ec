/* kommune.c - municipality code carry-forward for kohort-link. See
 * kommune.h. Codes are 4 digits, so the whole map is one small array and
 * resolving it costs a linear walk over 10 000 codes. */
#include "transform/kommune.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/util.h"

#define NCODES 10000
/* next_code[] markers: no applicable change, or several different ones. */
#define NEXT_NONE 0
#define NEXT_SPLIT (-1)

typedef struct {
    int32_t gammel, ny;
    int64_t dato;
} change_t;

struct kh_kommune {
    change_t *changes;
    uint32_t nchanges, cap;
    int16_t next_code[NCODES];
    int16_t carried[NCODES];     /* result per code, KH_KOMMUNE_NONE included */
    uint8_t walk_state[NCODES];  /* 0 unseen, 1 on the current path, 2 resolved */
    int16_t path[NCODES];
};

static void map_identity(kh_kommune_t *k)
{
    for (int c = 0; c < NCODES; c++)
        k->carried[c] = (int16_t)c;
}

kh_kommune_t *kh_kommune_new(void)
{
    kh_kommune_t *k = kh_xcalloc(1, sizeof *k);
    map_identity(k);
    return k;
}

void kh_kommune_destroy(kh_kommune_t **kp)
{
    if (!kp || !*kp)
        return;
    free((*kp)->changes);
    free(*kp);
    *kp = NULL;
}

static int valid_code(int32_t code)
{
    return code >= 1 && code < NCODES;
}

int kh_kommune_add(kh_kommune_t *k, int32_t gammel, int32_t ny, int64_t dato)
{
    if (!valid_code(gammel) || !valid_code(ny))
        return -EINVAL;
    if (gammel == ny)
        return 0;
    if (k->nchanges == k->cap) {
        k->cap = k->cap ? k->cap * 2 : 64;
        k->changes = kh_xrealloc(k->changes, k->cap * sizeof *k->changes);
    }
    k->changes[k->nchanges++] = (change_t){gammel, ny, dato};
    return 0;
}

/* One successor per code, or NEXT_SPLIT when the applicable changes name
 * more than one (the same pair twice is not a split). */
static void build_successors(kh_kommune_t *k, int64_t as_of)
{
    memset(k->next_code, 0, sizeof k->next_code);
    for (uint32_t i = 0; i < k->nchanges; i++) {
        const change_t *ch = &k->changes[i];
        if (ch->dato > as_of)
            continue;
        int16_t *next = &k->next_code[ch->gammel];
        if (*next == NEXT_NONE)
            *next = (int16_t)ch->ny;
        else if (*next != ch->ny)
            *next = NEXT_SPLIT;
    }
}

/* Follows `code` until a code without a change, a split, a cycle or an
 * already resolved code, then gives every code on the path that answer. */
static void resolve_from(kh_kommune_t *k, int code)
{
    int n = 0, cur = code;
    int16_t result;
    for (;;) {
        if (k->walk_state[cur] == 2) {
            result = k->carried[cur];
            break;
        }
        if (k->walk_state[cur] == 1) {
            result = KH_KOMMUNE_NONE;    /* back on the path: a cycle */
            break;
        }
        k->walk_state[cur] = 1;
        k->path[n++] = (int16_t)cur;
        if (k->next_code[cur] == NEXT_SPLIT) {
            result = KH_KOMMUNE_NONE;
            break;
        }
        if (k->next_code[cur] == NEXT_NONE) {
            result = (int16_t)cur;
            break;
        }
        cur = k->next_code[cur];
    }
    for (int i = 0; i < n; i++) {
        k->carried[k->path[i]] = result;
        k->walk_state[k->path[i]] = 2;
    }
}

int kh_kommune_resolve(kh_kommune_t *k, int64_t as_of)
{
    build_successors(k, as_of);
    memset(k->walk_state, 0, sizeof k->walk_state);
    map_identity(k);
    for (int c = 1; c < NCODES; c++)
        if (k->walk_state[c] == 0)
            resolve_from(k, c);
    return 0;
}

int32_t kh_kommune_carry(const kh_kommune_t *k, int32_t code)
{
    if (!valid_code(code))
        return code;
    return k->carried[code];
}

uint32_t kh_kommune_count(const kh_kommune_t *k)
{
    return k->nchanges;
}
