/* link_ref.c - the reference tables' part of kohort-link's linker (see
 * link.h): ref_monitor, ref_nasjonal, ref_kostnader, ref_kommuneendringer
 * and ref_kommunenavn rows taken in, their duplicates judged, the
 * municipality changes read, and the rows for the aggregator filled in
 * proto's types (kh_refdata_t, msg.h), ready to be sent as they are. Owns
 * the rows and their texts (link_impl.h's kh_link). */
#include "transform/link.h"
#include "transform/link_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/reason.h"
#include "proto/util.h"

void kh_link_ref_init(kh_link_t *l)
{
    for (int t = 0; t < KH_TAB_COUNT; t++)
        kh_link_vec_init(&l->ref[t], sizeof(refrow_t));
}

void kh_link_ref_free(kh_link_t *l)
{
    for (int t = 0; t < KH_TAB_COUNT; t++)
        free(l->ref[t].data);
    free(l->text);
    kh_refdata_free(&l->refdata);
}

/* ---- taking rows in ------------------------------------------------------------ */

void kh_link_ref_add(kh_link_t *l, const kh_rows_t *rows)
{
    const kh_tabledef_t *def = kh_schema_table(rows->table);
    for (uint32_t r = 0; r < rows->nrows; r++) {
        refrow_t *ref = kh_link_vec_push(&l->ref[rows->table]);
        int ntext = 0;
        for (int k = 0; k < def->nkeys; k++)
            ref->key[k] = (int32_t)rows->col[def->keys[k]].i64[r];
        for (int c = 0; c < def->ncols; c++) {
            if (KH_COL_IS_TEXT(def->cols[c].type))
                ref->text[ntext++] = kh_text_append(&l->text, &l->text_len, &l->text_cap,
                                                  kh_rows_text(rows, c, r));
            else if (def->cols[c].type == KH_COL_DATE)
                ref->dato = rows->col[c].i64[r];
        }
        ref->line = rows->lines[r];
    }
}

/* ---- duplicates ----------------------------------------------------------------- */

/* By the schema's reference key (kh_tabledef_t.keys), then line. */
static int cmp_ref(const void *a, const void *b)
{
    const refrow_t *x = a, *y = b;
    for (int k = 0; k < 2; k++)
        if (x->key[k] != y->key[k])
            return x->key[k] < y->key[k] ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

static void judge_reference(kh_link_t *l, kh_table_t t)
{
    refrow_t *ref = l->ref[t].data;
    if (l->ref[t].n > 1)
        qsort(ref, l->ref[t].n, sizeof *ref, cmp_ref);
    for (size_t i = 1; i < l->ref[t].n; i++) {
        if (ref[i].key[0] == ref[i - 1].key[0] && ref[i].key[1] == ref[i - 1].key[1]) {
            ref[i].duplicate = 1;
            kh_link_reject(l, t, ref[i].line, 0, KH_R_DUPLICATE);
        }
    }
}

void kh_link_ref_judge(kh_link_t *l)
{
    for (int t = 0; t < KH_TAB_COUNT; t++)
        if (kh_schema_table((kh_table_t)t)->reference)
            judge_reference(l, (kh_table_t)t);
}

/* ---- reference data for the aggregator ------------------------------------- */

void kh_link_ref_kommune(kh_link_t *l, kh_kommune_t *k, int64_t as_of)
{
    const refrow_t *ref = l->ref[KH_TAB_REF_KOMMUNEENDRINGER].data;
    for (size_t i = 0; i < l->ref[KH_TAB_REF_KOMMUNEENDRINGER].n; i++)
        if (!ref[i].duplicate)
            kh_kommune_add(k, ref[i].key[0], ref[i].key[1], ref[i].dato);
    kh_kommune_resolve(k, as_of);
}

static void build_monitor_national(kh_link_t *l)
{
    kh_refdata_t *out = &l->refdata;
    const refrow_t *mon = l->ref[KH_TAB_REF_MONITOR].data;
    out->monitor = kh_xcalloc(l->ref[KH_TAB_REF_MONITOR].n + 1, sizeof *out->monitor);
    for (size_t i = 0; i < l->ref[KH_TAB_REF_MONITOR].n; i++) {
        if (mon[i].duplicate)
            continue;
        kh_ref_monitor_t *m = &out->monitor[out->nmonitor++];
        m->landbakgrunn = mon[i].key[0];
        m->kjonn = mon[i].key[1];
        snprintf(m->andel, sizeof m->andel, "%s", l->text + mon[i].text[0]);
    }

    const refrow_t *nas = l->ref[KH_TAB_REF_NASJONAL].data;
    out->national = kh_xcalloc(l->ref[KH_TAB_REF_NASJONAL].n + 1, sizeof *out->national);
    for (size_t i = 0; i < l->ref[KH_TAB_REF_NASJONAL].n; i++) {
        if (nas[i].duplicate)
            continue;
        kh_ref_national_t *n = &out->national[out->nnational++];
        n->year = nas[i].key[0];
        snprintf(n->andel, sizeof n->andel, "%s", l->text + nas[i].text[0]);
    }
}

/* A ref_kostnader row and the code it is carried forward to. */
typedef struct {
    int32_t kommnr;
    const refrow_t *row;
} carried_t;

/* By (carried kommnr, aar, line). */
static int cmp_carried(const void *a, const void *b)
{
    const carried_t *x = a, *y = b;
    if (x->kommnr != y->kommnr)
        return x->kommnr < y->kommnr ? -1 : 1;
    if (x->row->key[1] != y->row->key[1])
        return x->row->key[1] < y->row->key[1] ? -1 : 1;
    return (x->row->line > y->row->line) - (x->row->line < y->row->line);
}

/* Not summed: rows that land on one code stay separate rows (the
 * aggregator sums them). Rows of a split code are left out and counted. */
static void build_costs(kh_link_t *l, const kh_kommune_t *k)
{
    kh_refdata_t *out = &l->refdata;
    const refrow_t *ref = l->ref[KH_TAB_REF_KOSTNADER].data;
    size_t nref = l->ref[KH_TAB_REF_KOSTNADER].n, n = 0;
    carried_t *carried = kh_xcalloc(nref + 1, sizeof *carried);
    for (size_t i = 0; i < nref; i++) {
        if (ref[i].duplicate)
            continue;
        int32_t code = kh_kommune_carry(k, ref[i].key[0]);
        if (code == KH_KOMMUNE_NONE) {
            l->counts.kostnader_split++;
            continue;
        }
        carried[n++] = (carried_t){code, &ref[i]};
    }
    if (n > 1)
        qsort(carried, n, sizeof *carried, cmp_carried);
    out->cost = kh_xcalloc(n + 1, sizeof *out->cost);
    for (size_t i = 0; i < n; i++) {
        const refrow_t *row = carried[i].row;
        kh_ref_cost_t *c = &out->cost[out->ncost++];
        c->kommnr = carried[i].kommnr;
        c->year = row->key[1];
        snprintf(c->total, sizeof c->total, "%s", l->text + row->text[0]);
        snprintf(c->admin, sizeof c->admin, "%s", l->text + row->text[1]);
        snprintf(c->persons, sizeof c->persons, "%s", l->text + row->text[2]);
    }
    free(carried);
}

/* ref_kommunenavn: judge_reference() sorted the rows by kommnr, then line. */
static void build_names(kh_link_t *l)
{
    kh_refdata_t *out = &l->refdata;
    const refrow_t *ref = l->ref[KH_TAB_REF_KOMMUNENAVN].data;
    out->names = kh_xcalloc(l->ref[KH_TAB_REF_KOMMUNENAVN].n + 1, sizeof *out->names);
    for (size_t i = 0; i < l->ref[KH_TAB_REF_KOMMUNENAVN].n; i++) {
        if (ref[i].duplicate)
            continue;
        kh_ref_name_t *n = &out->names[out->nnames++];
        n->kommnr = ref[i].key[0];
        snprintf(n->navn, sizeof n->navn, "%s", l->text + ref[i].text[0]);
    }
}

void kh_link_ref_build(kh_link_t *l, const kh_kommune_t *k)
{
    build_monitor_national(l);
    build_costs(l, k);
    build_names(l);
}

const kh_refdata_t *kh_link_refdata(const kh_link_t *l)
{
    return &l->refdata;
}
