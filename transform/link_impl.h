/* link_impl.h - internal to the linker's files: the state behind kh_link_t
 * and what link.c (identities, participants, persons) and link_ref.c (the
 * reference tables) share. Nothing outside transform/link*.c includes it;
 * the public interface is link.h. */
#ifndef KH_LINK_IMPL_H
#define KH_LINK_IMPL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/msg.h"
#include "proto/util.h"
#include "transform/idmap.h"
#include "transform/kommune.h"
#include "transform/link.h"
#include "transform/pseudomap.h"

/* A growable array of fixed-size records: no allocation per row. */
typedef struct {
    void *data;
    size_t n, cap, elem;
} vec_t;

static inline void kh_link_vec_init(vec_t *v, size_t elem)
{
    v->data = NULL;
    v->n = v->cap = 0;
    v->elem = elem;
}

/* A zeroed new last record. Borrowed: valid until the next push. */
static inline void *kh_link_vec_push(vec_t *v)
{
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 256;
        v->data = kh_xrealloc(v->data, v->cap * v->elem);
    }
    void *slot = (char *)v->data + v->n++ * v->elem;
    memset(slot, 0, v->elem);
    return slot;
}

/* Everything known about one participant (link.c). */
typedef struct person person_t;

/* Reference rows, with texts as offsets into the arena until finish. */
typedef struct {
    int32_t key[KH_MAX_KEYS]; /* the schema's key columns */
    int64_t dato;
    size_t text[3];
    uint32_t line;
    int32_t duplicate;
} refrow_t;

struct kh_link {
    kh_link_params_t params;
    kh_link_counts_t counts;
    int done[KH_TAB_COUNT];
    int scope_fixed, finished;
    int32_t newest_bosatte_aar;      /* 0: none seen */

    kh_idmap_t *ids;                 /* until scope is fixed */
    vec_t intro;                     /* intro_t */
    kh_pseudomap_t *scope;           /* any id of a participant -> person */
    person_t *persons;
    size_t npersons;

    vec_t bosatte, edu, shj, jobs;   /* bosatt_t, edu_t, shj_t, job_t */
    vec_t ref[KH_TAB_COUNT];         /* refrow_t per reference table (empty for the others) */
    char *text;
    size_t text_len, text_cap;

    vec_t rejects;                   /* kh_link_reject_t */
    kh_person_t *out;
    size_t nout;
    kh_refdata_t refdata;            /* the reference rows for the aggregator, after finish */
};

/* Records a row the linker rejects and counts it (link.c). */
void kh_link_reject(kh_link_t *l, kh_table_t t, uint32_t line, int column, int reason);

/* link_ref.c: the reference tables' part of the linker's life: set up,
 * rows taken in (copied), duplicates judged (rejects recorded), the
 * municipality changes read into `k` as of `as_of`, the rows for the
 * aggregator built (ref_kostnader's codes carried forward by `k`), freed. */
void kh_link_ref_init(kh_link_t *l);
void kh_link_ref_add(kh_link_t *l, const kh_rows_t *rows);
void kh_link_ref_judge(kh_link_t *l);
void kh_link_ref_kommune(kh_link_t *l, kh_kommune_t *k, int64_t as_of);
void kh_link_ref_build(kh_link_t *l, const kh_kommune_t *k);
void kh_link_ref_free(kh_link_t *l);

#endif
