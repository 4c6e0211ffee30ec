/* idmap.c - id_historikk judged and resolved, for kohort-link. See idmap.h.
 * After duplicates are gone every old id has one out-edge, so the rows form
 * a functional graph: cycles are found with one coloured walk per row, and
 * once the cycle rows are dropped every chain ends in a root. */
#include "transform/idmap.h"

#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/reason.h"
#include "proto/rows.h"
#include "proto/util.h"
#include "transform/pseudomap.h"

enum { WALK_NEW = 0, WALK_ON_PATH, WALK_DONE };

typedef struct {
    uint8_t old_id[KH_PSEUDO_LEN];
    uint8_t new_id[KH_PSEUDO_LEN];
    uint32_t line;
    uint32_t root;       /* index of the row whose new_id is the newest id */
    uint8_t rejected;
    uint8_t walk;
} idrow_t;

struct kh_idmap {
    idrow_t *rows;
    size_t nrows, cap;
    kh_pseudomap_t *by_old;  /* old id -> the kept row of that old id */
    uint32_t *path;
    kh_idmap_reject_t *rejects;
    size_t nrejects;
    int judged;
};

kh_idmap_t *kh_idmap_new(void)
{
    return kh_xcalloc(1, sizeof(kh_idmap_t));
}

void kh_idmap_destroy(kh_idmap_t **mp)
{
    if (!mp || !*mp)
        return;
    kh_idmap_t *m = *mp;
    free(m->rows);
    kh_pseudomap_destroy(&m->by_old);
    free(m->path);
    free(m->rejects);
    free(m);
    *mp = NULL;
}

int kh_idmap_add(kh_idmap_t *m, const uint8_t *old_id, const uint8_t *new_id, uint32_t line)
{
    if (m->judged)
        return KH_E_PROTOCOL;
    if (m->nrows == m->cap) {
        m->cap = m->cap ? m->cap * 2 : 256;
        m->rows = kh_xrealloc(m->rows, m->cap * sizeof *m->rows);
    }
    idrow_t *row = &m->rows[m->nrows++];
    memcpy(row->old_id, old_id, KH_PSEUDO_LEN);
    memcpy(row->new_id, new_id, KH_PSEUDO_LEN);
    row->line = line;
    row->root = 0;
    row->rejected = 0;
    row->walk = WALK_NEW;
    return 0;
}

static void reject(kh_idmap_t *m, idrow_t *row, int column, int reason)
{
    row->rejected = 1;
    m->rejects[m->nrejects++] = (kh_idmap_reject_t){row->line, column, reason};
}

/* Keeps the lowest line of each old id in by_old; the others are duplicates. */
static void judge_duplicates(kh_idmap_t *m)
{
    for (size_t i = 0; i < m->nrows; i++) {
        int inserted;
        uint32_t *slot = kh_pseudomap_upsert(m->by_old, m->rows[i].old_id, &inserted);
        if (inserted) {
            *slot = (uint32_t)i;
            continue;
        }
        idrow_t *kept = &m->rows[*slot];
        if (m->rows[i].line < kept->line) {
            reject(m, kept, KH_ID_HISTORIKK_GAMMELT_ID, KH_R_DUPLICATE);
            *slot = (uint32_t)i;
        } else {
            reject(m, &m->rows[i], KH_ID_HISTORIKK_GAMMELT_ID, KH_R_DUPLICATE);
        }
    }
}

/* The kept row whose old id is `id`, or -1. */
static long next_row(const kh_idmap_t *m, const uint8_t *id)
{
    uint32_t i;
    if (!kh_pseudomap_get(m->by_old, id, &i) || m->rows[i].rejected)
        return -1;
    return (long)i;
}

/* Walks from row `start` along new ids; meeting a row of the current path
 * closes a cycle, whose rows (from that row on) are rejected. Rows leading
 * into the cycle stay. */
static void walk_for_cycles(kh_idmap_t *m, size_t start)
{
    size_t n = 0;
    long cur = (long)start;
    while (cur >= 0 && m->rows[cur].walk == WALK_NEW) {
        m->rows[cur].walk = WALK_ON_PATH;
        m->path[n++] = (uint32_t)cur;
        cur = next_row(m, m->rows[cur].new_id);
    }
    if (cur >= 0 && m->rows[cur].walk == WALK_ON_PATH) {
        size_t k = n;
        while (m->path[k - 1] != (uint32_t)cur)
            k--;
        for (size_t j = k - 1; j < n; j++)
            reject(m, &m->rows[m->path[j]], KH_ID_HISTORIKK_NYTT_ID, KH_R_ID_CYCLE);
    }
    for (size_t j = 0; j < n; j++)
        m->rows[m->path[j]].walk = WALK_DONE;
}

/* Sets every kept row's root, sharing the answer along each path. Needs the
 * graph free of cycles. */
static void resolve_roots(kh_idmap_t *m)
{
    for (size_t i = 0; i < m->nrows; i++)
        m->rows[i].walk = WALK_NEW;
    for (size_t i = 0; i < m->nrows; i++) {
        if (m->rows[i].rejected || m->rows[i].walk == WALK_DONE)
            continue;
        size_t n = 0;
        long cur = (long)i;
        uint32_t root;
        for (;;) {
            if (m->rows[cur].walk == WALK_DONE) {
                root = m->rows[cur].root;
                break;
            }
            m->path[n++] = (uint32_t)cur;
            long next = next_row(m, m->rows[cur].new_id);
            if (next < 0) {
                root = (uint32_t)cur;
                break;
            }
            cur = next;
        }
        for (size_t j = 0; j < n; j++) {
            m->rows[m->path[j]].root = root;
            m->rows[m->path[j]].walk = WALK_DONE;
        }
    }
}

static int by_line(const void *a, const void *b)
{
    const kh_idmap_reject_t *x = a, *y = b;
    return (x->line > y->line) - (x->line < y->line);
}

int kh_idmap_judge(kh_idmap_t *m)
{
    if (m->judged)
        return KH_E_PROTOCOL;
    m->judged = 1;
    m->by_old = kh_pseudomap_new(m->nrows);
    m->path = kh_xmalloc((m->nrows + 1) * sizeof *m->path);
    /* Each row is rejected at most once: cycle walks skip duplicates. */
    m->rejects = kh_xmalloc((m->nrows + 1) * sizeof *m->rejects);
    judge_duplicates(m);
    for (size_t i = 0; i < m->nrows; i++)
        if (!m->rows[i].rejected && m->rows[i].walk == WALK_NEW)
            walk_for_cycles(m, i);
    resolve_roots(m);
    qsort(m->rejects, m->nrejects, sizeof *m->rejects, by_line);
    return 0;
}

const kh_idmap_reject_t *kh_idmap_rejects(const kh_idmap_t *m, size_t *n)
{
    *n = m->nrejects;
    return m->rejects;
}

const uint8_t *kh_idmap_resolve(const kh_idmap_t *m, const uint8_t *id)
{
    if (!m->judged)
        return id;
    long i = next_row(m, id);
    if (i < 0)
        return id;
    return m->rows[m->rows[i].root].new_id;
}

size_t kh_idmap_rows(const kh_idmap_t *m)
{
    return m->nrows;
}

int kh_idmap_alias(const kh_idmap_t *m, size_t i, const uint8_t **old_id,
                   const uint8_t **newest)
{
    if (!m->judged || i >= m->nrows || m->rows[i].rejected)
        return 0;
    *old_id = m->rows[i].old_id;
    *newest = m->rows[m->rows[i].root].new_id;
    return 1;
}
