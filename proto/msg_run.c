/* msg_run.c - the codecs of the kinds past the linker: PERSONS and REFDATA
 * (link -> aggregate), LEDGER (link -> aggregate -> sink; also the counts
 * of a stored ledger entry), INDROWS (aggregate -> sink), STATS (every
 * stage -> run), RESULT, FAIL and RESEND (between the stages and the
 * supervisor). Each kh_msg_pack_<kind>() has its kh_msg_unpack_<kind>()
 * below it (msgkind.h). */
#include <stdlib.h>
#include <string.h>

#include "proto/msgkind.h"
#include "proto/util.h"

/* The elements of each body, and of the arrays inside them. */
enum {
    PERSONS_FIELDS = 3,     /* last, n, the persons' fields */
    REFDATA_FIELDS = 4,     /* [monitor], [national], [cost], [names] */
    MONITOR_FIELDS = 3,     /* landbakgrunn, kjonn, andel */
    NATIONAL_FIELDS = 2,    /* year, andel */
    COST_FIELDS = 5,        /* kommnr, year, total, admin, persons */
    NAME_FIELDS = 2,        /* kommnr, navn */
    LEDGER_FIELDS = 1,      /* the ledger */
    INDROWS_FIELDS = 3,     /* last, ref_year, [rows] */
    INDROW_KEY_FIELDS = 6,  /* kommnr, key2, key3, key4, suppressed, suppressed_mask; then the values */
    STATS_FIELDS = 8,       /* stage, worker, pid, state, rss, busy, uptime, [tables] */
    TABLESTATS_FIELDS = 6,  /* batches_in, rows_in, batches_out, rows_out, rows_rejected, bytes_read */
    RESULT_FIELDS = 3,      /* ok, reason, the ledger */
    FAIL_FIELDS = 1,        /* reason */
    RESEND_FIELDS = 0,
};

/* Persons in one message: more than the linker ever sends. */
#define MAX_PERSONS (1 << 24)

/* ---- PERSONS -------------------------------------------------------------------- */

/* One person is PERSON_FIELDS little-endian int64s in this order; every
 * field but sa_amount is an int32. */
enum {
    P_COHORT, P_HOME, P_STATUS, P_START_DATE, P_EXIT_DATE, P_RESIDENT, P_WORK, P_EDUCATION,
    P_SA_AMOUNT, P_LANDBAKGRUNN, P_KJONN,
    P_FOLLOWUP,             /* KH_FOLLOWUP_NHORIZONS of them */
    PERSON_FIELDS = P_FOLLOWUP + KH_FOLLOWUP_NHORIZONS
};

void kh_msg_pack_persons(kh_packed_t *out, const kh_env_t *env, const kh_person_t *ps,
                         uint32_t n, int last)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, PERSONS_FIELDS, 0);
    msgpack_pack_int(&p.pk, last ? 1 : 0);
    msgpack_pack_uint32(&p.pk, n);
    int64_t *buf = kh_xmalloc((size_t)n * PERSON_FIELDS * 8 + 8);
    for (uint32_t i = 0; i < n; i++) {
        int64_t *f = buf + (size_t)i * PERSON_FIELDS;
        f[P_COHORT] = ps[i].cohort;
        f[P_HOME] = ps[i].home;
        f[P_STATUS] = ps[i].status;
        f[P_START_DATE] = ps[i].start_date;
        f[P_EXIT_DATE] = ps[i].exit_date;
        f[P_RESIDENT] = ps[i].resident;
        f[P_WORK] = ps[i].work;
        f[P_EDUCATION] = ps[i].education;
        f[P_SA_AMOUNT] = ps[i].sa_amount;
        f[P_LANDBAKGRUNN] = ps[i].landbakgrunn;
        f[P_KJONN] = ps[i].kjonn;
        for (int h = 0; h < KH_FOLLOWUP_NHORIZONS; h++)
            f[P_FOLLOWUP + h] = ps[i].followup[h];
    }
    kh_pk_bin(&p, buf, (size_t)n * PERSON_FIELDS * 8);
    free(buf);
    kh_pk_release(&p, out);
}

void kh_msg_unpack_persons(kh_cur_t *c, kh_msg_t *m)
{
    m->last = (int32_t)kh_cur_int(c, 0, 1);
    uint32_t n = (uint32_t)kh_cur_int(c, 0, MAX_PERSONS);
    const char *p = kh_cur_bin(c, (size_t)n * PERSON_FIELDS * 8, NULL);
    if (c->bad)
        return;
    m->persons = kh_xcalloc(n ? n : 1, sizeof *m->persons);
    m->npersons = n;
    for (uint32_t i = 0; i < n; i++) {
        int64_t f[PERSON_FIELDS];
        memcpy(f, p + (size_t)i * PERSON_FIELDS * 8, sizeof f);
        for (int k = 0; k < PERSON_FIELDS; k++)
            if (k != P_SA_AMOUNT && (f[k] < INT32_MIN || f[k] > INT32_MAX))
                c->bad = 1;
        kh_person_t *ps = &m->persons[i];
        ps->cohort = (int32_t)f[P_COHORT];
        ps->home = (int32_t)f[P_HOME];
        ps->status = (int32_t)f[P_STATUS];
        ps->start_date = (int32_t)f[P_START_DATE];
        ps->exit_date = (int32_t)f[P_EXIT_DATE];
        ps->resident = (int32_t)f[P_RESIDENT];
        ps->work = (int32_t)f[P_WORK];
        ps->education = (int32_t)f[P_EDUCATION];
        ps->sa_amount = f[P_SA_AMOUNT];
        ps->landbakgrunn = (int32_t)f[P_LANDBAKGRUNN];
        ps->kjonn = (int32_t)f[P_KJONN];
        for (int h = 0; h < KH_FOLLOWUP_NHORIZONS; h++) {
            if (f[P_FOLLOWUP + h] < 0 || f[P_FOLLOWUP + h] > (int64_t)KH_FU_ALL)
                c->bad = 1;
            ps->followup[h] = (uint8_t)(f[P_FOLLOWUP + h] & KH_FU_ALL);
        }
    }
}

/* ---- REFDATA -------------------------------------------------------------------- */

void kh_msg_pack_refdata(kh_packed_t *out, const kh_env_t *env, const kh_refdata_t *ref)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, REFDATA_FIELDS, 0);
    msgpack_pack_array(&p.pk, (size_t)ref->nmonitor * MONITOR_FIELDS);
    for (uint32_t i = 0; i < ref->nmonitor; i++) {
        msgpack_pack_int32(&p.pk, ref->monitor[i].landbakgrunn);
        msgpack_pack_int32(&p.pk, ref->monitor[i].kjonn);
        kh_pk_str(&p, ref->monitor[i].andel);
    }
    msgpack_pack_array(&p.pk, (size_t)ref->nnational * NATIONAL_FIELDS);
    for (uint32_t i = 0; i < ref->nnational; i++) {
        msgpack_pack_int32(&p.pk, ref->national[i].year);
        kh_pk_str(&p, ref->national[i].andel);
    }
    msgpack_pack_array(&p.pk, (size_t)ref->ncost * COST_FIELDS);
    for (uint32_t i = 0; i < ref->ncost; i++) {
        msgpack_pack_int32(&p.pk, ref->cost[i].kommnr);
        msgpack_pack_int32(&p.pk, ref->cost[i].year);
        kh_pk_str(&p, ref->cost[i].total);
        kh_pk_str(&p, ref->cost[i].admin);
        kh_pk_str(&p, ref->cost[i].persons);
    }
    msgpack_pack_array(&p.pk, (size_t)ref->nnames * NAME_FIELDS);
    for (uint32_t i = 0; i < ref->nnames; i++) {
        msgpack_pack_int32(&p.pk, ref->names[i].kommnr);
        kh_pk_str(&p, ref->names[i].navn);
    }
    kh_pk_release(&p, out);
}

/* Opens in *a the array of one kind of reference row (`fields` elements
 * each), sets *n to its rows and returns room for them (n + 1, zeroed;
 * freed by kh_refdata_free()). */
static void *unpack_ref_rows(kh_cur_t *c, kh_cur_t *a, uint32_t fields, uint32_t *n, size_t size)
{
    *a = kh_cur_array(c, UINT32_MAX);
    if (a->n % fields)
        a->bad = 1;
    *n = a->n / fields;
    return kh_xcalloc(*n + 1, size);
}

void kh_msg_unpack_refdata(kh_cur_t *c, kh_msg_t *m)
{
    kh_refdata_t *r = &m->ref;
    kh_cur_t a;
    r->monitor = unpack_ref_rows(c, &a, MONITOR_FIELDS, &r->nmonitor, sizeof *r->monitor);
    for (uint32_t i = 0; i < r->nmonitor && !a.bad; i++) {
        r->monitor[i].landbakgrunn = (int32_t)kh_cur_int(&a, -1, 999);
        r->monitor[i].kjonn = (int32_t)kh_cur_int(&a, -1, 2);
        kh_cur_str(&a, r->monitor[i].andel, sizeof r->monitor[i].andel);
    }
    kh_cur_done(c, &a);
    r->national = unpack_ref_rows(c, &a, NATIONAL_FIELDS, &r->nnational, sizeof *r->national);
    for (uint32_t i = 0; i < r->nnational && !a.bad; i++) {
        r->national[i].year = (int32_t)kh_cur_int(&a, 0, 9999);
        kh_cur_str(&a, r->national[i].andel, sizeof r->national[i].andel);
    }
    kh_cur_done(c, &a);
    r->cost = unpack_ref_rows(c, &a, COST_FIELDS, &r->ncost, sizeof *r->cost);
    for (uint32_t i = 0; i < r->ncost && !a.bad; i++) {
        r->cost[i].kommnr = (int32_t)kh_cur_int(&a, 0, 9999);
        r->cost[i].year = (int32_t)kh_cur_int(&a, 0, 9999);
        kh_cur_str(&a, r->cost[i].total, sizeof r->cost[i].total);
        kh_cur_str(&a, r->cost[i].admin, sizeof r->cost[i].admin);
        kh_cur_str(&a, r->cost[i].persons, sizeof r->cost[i].persons);
    }
    kh_cur_done(c, &a);
    r->names = unpack_ref_rows(c, &a, NAME_FIELDS, &r->nnames, sizeof *r->names);
    for (uint32_t i = 0; i < r->nnames && !a.bad; i++) {
        r->names[i].kommnr = (int32_t)kh_cur_int(&a, 1, 9999);
        kh_cur_str(&a, r->names[i].navn, sizeof r->names[i].navn);
    }
    kh_cur_done(c, &a);
}

/* ---- the ledger (LEDGER, RESULT) ------------------------------------------------- */

/* The ledger is the older array of LEDGER_ITEMS, followed, once the
 * aggregator has filled it, by LEDGER_SUPPRESSION_ITEMS more: the
 * per-table suppression entries (by table name, so that adding a table
 * keeps older records readable), suppressed_elsewhere and the changed
 * years. A ledger without them packs exactly as before, so ledger records
 * of older versions decode unchanged. */
enum {
    LEDGER_HEAD_FIELDS = 7,         /* ref_year, cohort_from, cohort_to, participants, placed,
                                       no_home, ambiguous_kommune */
    TABLECOUNT_FIELDS = 9,          /* present, batches, read, accepted, rejected, out_of_scope,
                                       bytes, crc32, file; per register table */
    LEDGER_ITEMS = LEDGER_HEAD_FIELDS + KH_TAB_COUNT * TABLECOUNT_FIELDS,
    /* a record written before ref_kommunenavn: one table less */
    LEDGER_ITEMS_V1 = LEDGER_HEAD_FIELDS + KH_TAB_COUNT_V1 * TABLECOUNT_FIELDS,
    LEDGER_SUPPRESSION_ITEMS = 3,   /* [suppression entries], suppressed_elsewhere, [years] */
    SUPPRESSION_FIELDS = 6,         /* table name, primary, lines, protection, across_years, narrow */
};

static void pack_suppression(kh_pk_t *p, const kh_ledger_t *l)
{
    size_t n = 0;
    for (int t = 0; t < KH_IND_COUNT; t++)
        n += l->suppression[t].present != 0;
    msgpack_pack_array(&p->pk, n * SUPPRESSION_FIELDS);
    for (int t = 0; t < KH_IND_COUNT; t++) {
        const kh_suppression_t *s = &l->suppression[t];
        if (!s->present)
            continue;
        kh_pk_str(p, kh_schema_indtable((kh_indtable_t)t)->name);
        msgpack_pack_uint64(&p->pk, s->primary);
        msgpack_pack_uint64(&p->pk, s->lines);
        msgpack_pack_uint64(&p->pk, s->protection);
        msgpack_pack_uint64(&p->pk, s->across_years);
        msgpack_pack_uint64(&p->pk, s->narrow);
    }
    msgpack_pack_uint64(&p->pk, l->suppressed_elsewhere);
    uint32_t ny = l->nchanged_years < KH_LEDGER_MAX_YEARS ? l->nchanged_years : KH_LEDGER_MAX_YEARS;
    msgpack_pack_array(&p->pk, ny);
    for (uint32_t i = 0; i < ny; i++)
        msgpack_pack_int32(&p->pk, l->changed_years[i]);
}

static void unpack_suppression(kh_cur_t *a, kh_ledger_t *l)
{
    kh_cur_t s = kh_cur_array(a, UINT32_MAX);
    if (s.n % SUPPRESSION_FIELDS || s.n / SUPPRESSION_FIELDS > KH_IND_COUNT)
        s.bad = 1;
    for (uint32_t i = 0; i < s.n / SUPPRESSION_FIELDS && !s.bad; i++) {
        char name[KH_NAME_MAX];
        kh_cur_str(&s, name, sizeof name);
        int t = -1;
        for (int j = 0; j < KH_IND_COUNT; j++)
            if (strcmp(name, kh_schema_indtable((kh_indtable_t)j)->name) == 0)
                t = j;
        if (t < 0 || l->suppression[t].present) {
            s.bad = 1;
            break;
        }
        kh_suppression_t *x = &l->suppression[t];
        x->present = 1;
        x->primary = kh_cur_u64(&s);
        x->lines = kh_cur_u64(&s);
        x->protection = kh_cur_u64(&s);
        x->across_years = kh_cur_u64(&s);
        x->narrow = kh_cur_u64(&s);
    }
    kh_cur_done(a, &s);
    l->suppressed_elsewhere = kh_cur_u64(a);
    kh_cur_t y = kh_cur_array(a, UINT32_MAX);
    if (y.n > KH_LEDGER_MAX_YEARS)
        y.bad = 1;
    for (uint32_t i = 0; i < y.n && !y.bad; i++)
        l->changed_years[i] = (int32_t)kh_cur_int(&y, 1, 9999);
    l->nchanged_years = y.bad ? 0 : y.n;
    kh_cur_done(a, &y);
    l->has_suppression = 1;
}

static void pack_ledger(kh_pk_t *p, const kh_ledger_t *l)
{
    msgpack_pack_array(&p->pk, LEDGER_ITEMS + (l->has_suppression ? LEDGER_SUPPRESSION_ITEMS : 0));
    msgpack_pack_int32(&p->pk, l->ref_year);
    msgpack_pack_int32(&p->pk, l->cohort_from);
    msgpack_pack_int32(&p->pk, l->cohort_to);
    msgpack_pack_uint64(&p->pk, l->participants);
    msgpack_pack_uint64(&p->pk, l->placed);
    msgpack_pack_uint64(&p->pk, l->no_home);
    msgpack_pack_uint64(&p->pk, l->ambiguous_kommune);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const kh_tablecount_t *tc = &l->tables[t];
        msgpack_pack_int32(&p->pk, tc->present);
        msgpack_pack_uint64(&p->pk, tc->batches);
        msgpack_pack_uint64(&p->pk, tc->read);
        msgpack_pack_uint64(&p->pk, tc->accepted);
        msgpack_pack_uint64(&p->pk, tc->rejected);
        msgpack_pack_uint64(&p->pk, tc->out_of_scope);
        msgpack_pack_uint64(&p->pk, tc->bytes);
        msgpack_pack_uint32(&p->pk, tc->crc32);
        kh_pk_str(p, tc->file);
    }
    if (l->has_suppression)
        pack_suppression(p, l);
}

static void unpack_ledger(kh_cur_t *c, kh_ledger_t *l)
{
    kh_cur_t a = kh_cur_array(c, UINT32_MAX);
    int v1 = a.n == LEDGER_ITEMS_V1 || a.n == LEDGER_ITEMS_V1 + LEDGER_SUPPRESSION_ITEMS;
    int ntables = v1 ? KH_TAB_COUNT_V1 : KH_TAB_COUNT;
    uint32_t items = v1 ? LEDGER_ITEMS_V1 : LEDGER_ITEMS;
    if (a.n != items && a.n != items + LEDGER_SUPPRESSION_ITEMS)
        a.bad = 1;
    l->ref_year = (int32_t)kh_cur_int(&a, 0, 9999);
    l->cohort_from = (int32_t)kh_cur_int(&a, 0, 9999);
    l->cohort_to = (int32_t)kh_cur_int(&a, 0, 9999);
    l->participants = kh_cur_u64(&a);
    l->placed = kh_cur_u64(&a);
    l->no_home = kh_cur_u64(&a);
    l->ambiguous_kommune = kh_cur_u64(&a);
    for (int t = 0; t < ntables; t++) {
        kh_tablecount_t *tc = &l->tables[t];
        tc->present = (int32_t)kh_cur_int(&a, 0, 1);
        tc->batches = kh_cur_u64(&a);
        tc->read = kh_cur_u64(&a);
        tc->accepted = kh_cur_u64(&a);
        tc->rejected = kh_cur_u64(&a);
        tc->out_of_scope = kh_cur_u64(&a);
        tc->bytes = kh_cur_u64(&a);
        tc->crc32 = (uint32_t)kh_cur_int(&a, 0, UINT32_MAX);
        kh_cur_str(&a, tc->file, sizeof tc->file);
    }
    if (!a.bad && a.n == items + LEDGER_SUPPRESSION_ITEMS)
        unpack_suppression(&a, l);
    kh_cur_done(c, &a);
}

void kh_msg_pack_ledger(kh_packed_t *out, const kh_env_t *env, const kh_ledger_t *ledger)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, LEDGER_FIELDS, 0);
    pack_ledger(&p, ledger);
    kh_pk_release(&p, out);
}

void kh_msg_unpack_ledger(kh_cur_t *c, kh_msg_t *m)
{
    unpack_ledger(c, &m->ledger);
}

/* ---- INDROWS -------------------------------------------------------------------- */

void kh_msg_pack_indrows(kh_packed_t *out, const kh_env_t *env, int ref_year,
                         const kh_indrow_t *rows, uint32_t n, int last)
{
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)env->table);
    int ncols = def ? def->ncols : 0;
    kh_pk_t p;
    kh_msg_begin(&p, env, INDROWS_FIELDS, 0);
    msgpack_pack_int(&p.pk, last ? 1 : 0);
    msgpack_pack_int32(&p.pk, ref_year);
    msgpack_pack_array(&p.pk, n);
    for (uint32_t i = 0; i < n; i++) {
        msgpack_pack_array(&p.pk, INDROW_KEY_FIELDS + (size_t)ncols);
        msgpack_pack_int32(&p.pk, rows[i].kommnr);
        msgpack_pack_int32(&p.pk, rows[i].key2);
        msgpack_pack_int32(&p.pk, rows[i].key3);
        msgpack_pack_int32(&p.pk, rows[i].key4);
        msgpack_pack_int32(&p.pk, rows[i].suppressed);
        msgpack_pack_uint32(&p.pk, rows[i].suppressed_mask);
        for (int c = 0; c < ncols; c++)
            kh_pk_opt_int(&p, rows[i].present[c], rows[i].value[c]);
    }
    kh_pk_release(&p, out);
}

void kh_msg_unpack_indrows(kh_cur_t *c, kh_msg_t *m)
{
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)m->env.table);
    m->last = (int32_t)kh_cur_int(c, 0, 1);
    m->ref_year = (int32_t)kh_cur_int(c, 1, 9999);
    kh_cur_t a = kh_cur_array(c, UINT32_MAX);
    if (c->bad || !def)
        return;
    m->nindrows = a.n;
    m->indrows = kh_xcalloc(a.n ? a.n : 1, sizeof *m->indrows);
    /* horizon 1..5 and kjonn 0..9 in followup, 0 elsewhere */
    int four = m->env.table == KH_IND_FOLLOWUP;
    for (uint32_t i = 0; i < a.n && !a.bad; i++) {
        kh_indrow_t *row = &m->indrows[i];
        kh_cur_t r = kh_cur_array(&a, INDROW_KEY_FIELDS + (uint32_t)def->ncols);
        row->kommnr = (int32_t)kh_cur_int(&r, 0, 9999);
        row->key2 = (int32_t)kh_cur_int(&r, 0, 9999);
        row->key3 = (int32_t)kh_cur_int(&r, four, four ? 5 : 0);
        row->key4 = (int32_t)kh_cur_int(&r, 0, four ? 9 : 0);
        row->suppressed = (int32_t)kh_cur_int(&r, 0, 1);
        row->suppressed_mask = (uint32_t)kh_cur_int(&r, 0, (1 << KH_IND_MAX_COLS) - 1);
        for (int col = 0; col < def->ncols && !r.bad; col++) {
            int present;
            row->value[col] = kh_cur_opt_int(&r, INT64_MIN + 1, INT64_MAX, &present);
            row->present[col] = present;
        }
        kh_cur_done(&a, &r);
    }
    kh_cur_done(c, &a);
}

/* ---- STATS ---------------------------------------------------------------------- */

void kh_msg_pack_stats(kh_packed_t *out, const kh_env_t *env, const kh_stats_t *st)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, STATS_FIELDS, 0);
    kh_pk_str(&p, st->stage);
    msgpack_pack_int32(&p.pk, st->worker);
    msgpack_pack_int32(&p.pk, st->pid);
    msgpack_pack_int32(&p.pk, st->state);
    msgpack_pack_uint64(&p.pk, st->rss_bytes);
    msgpack_pack_uint64(&p.pk, st->busy_ns);
    msgpack_pack_uint64(&p.pk, st->uptime_ns);
    msgpack_pack_array(&p.pk, KH_TAB_COUNT * TABLESTATS_FIELDS);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const kh_tablestats_t *ts = &st->tables[t];
        msgpack_pack_uint64(&p.pk, ts->batches_in);
        msgpack_pack_uint64(&p.pk, ts->rows_in);
        msgpack_pack_uint64(&p.pk, ts->batches_out);
        msgpack_pack_uint64(&p.pk, ts->rows_out);
        msgpack_pack_uint64(&p.pk, ts->rows_rejected);
        msgpack_pack_uint64(&p.pk, ts->bytes_read);
    }
    kh_pk_release(&p, out);
}

void kh_msg_unpack_stats(kh_cur_t *c, kh_msg_t *m)
{
    kh_stats_t *s = &m->stats;
    kh_cur_str(c, s->stage, sizeof s->stage);
    s->worker = (int32_t)kh_cur_int(c, 0, 1 << 20);
    s->pid = (int32_t)kh_cur_int(c, 0, INT32_MAX);
    s->state = (int32_t)kh_cur_int(c, 0, KH_ST_COUNT - 1);
    s->rss_bytes = kh_cur_u64(c);
    s->busy_ns = kh_cur_u64(c);
    s->uptime_ns = kh_cur_u64(c);
    kh_cur_t a = kh_cur_array(c, KH_TAB_COUNT * TABLESTATS_FIELDS);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        kh_tablestats_t *ts = &s->tables[t];
        ts->batches_in = kh_cur_u64(&a);
        ts->rows_in = kh_cur_u64(&a);
        ts->batches_out = kh_cur_u64(&a);
        ts->rows_out = kh_cur_u64(&a);
        ts->rows_rejected = kh_cur_u64(&a);
        ts->bytes_read = kh_cur_u64(&a);
    }
    kh_cur_done(c, &a);
}

/* ---- RESULT, FAIL, RESEND ------------------------------------------------------- */

void kh_msg_pack_result(kh_packed_t *out, const kh_env_t *env, int ok, const char *reason,
                        const kh_ledger_t *ledger)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, RESULT_FIELDS, 0);
    msgpack_pack_int(&p.pk, ok ? 1 : 0);
    kh_pk_str(&p, reason ? reason : "");
    pack_ledger(&p, ledger);
    kh_pk_release(&p, out);
}

void kh_msg_unpack_result(kh_cur_t *c, kh_msg_t *m)
{
    m->ok = (int32_t)kh_cur_int(c, 0, 1);
    kh_cur_str(c, m->reason, sizeof m->reason);
    unpack_ledger(c, &m->ledger);
}

void kh_msg_pack_fail(kh_packed_t *out, const kh_env_t *env, const char *reason)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, FAIL_FIELDS, 0);
    kh_pk_str(&p, reason);
    kh_pk_release(&p, out);
}

void kh_msg_unpack_fail(kh_cur_t *c, kh_msg_t *m)
{
    kh_cur_str(c, m->reason, sizeof m->reason);
}

void kh_msg_pack_resend(kh_packed_t *out, const kh_env_t *env)
{
    kh_pk_t p;
    kh_msg_begin(&p, env, RESEND_FIELDS, 0);
    kh_pk_release(&p, out);
}

void kh_msg_unpack_resend(kh_cur_t *c, kh_msg_t *m)
{
    (void)c;
    (void)m;
}
