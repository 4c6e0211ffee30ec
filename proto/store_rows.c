/* store_rows.c - the indicator rows and reference figures of the store,
 * and the commit of a successful run that replaces them. See store.h.
 *
 * Indicator key: ref_year, then the table's key columns in print order,
 * each big-endian 16 bits. Indicator value: [suppressed, suppressed_mask,
 * one value or nil per column]. Reference key: ref_year, a kind, a number,
 * big-endian 16 bits each but the kind's byte: 'N' and a year, the value
 * the national attainment share of that year as text; 'K' and a kommnr,
 * the value that municipality's name (ref_kommunenavn) as text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/storedb.h"

/* ind_db() maps exit, status and cost by their order in kh_indtable_t. */
_Static_assert(KH_IND_EXIT == 0 && DB_EXIT + KH_IND_STATUS == DB_STATUS &&
                   DB_EXIT + KH_IND_COST == DB_COST,
               "exit, status and cost databases follow kh_indtable_t");
/* A stored row's suppressed mask is 32 bits, one per column. */
_Static_assert(KH_IND_MAX_COLS <= 32, "a row's suppressed mask has a bit per column");

/* The elements of a stored indicator row before its values. */
enum { ROW_HEAD_FIELDS = 2 /* suppressed, suppressed_mask */ };

static int fault_code;

void kh_store_fault_next_commit(int code)
{
    fault_code = code;
}

/* ---- keys ------------------------------------------------------------------------ */

/* The database of indicator table t. */
static int ind_db(int t)
{
    return t == KH_IND_FOLLOWUP ? DB_FOLLOWUP : DB_EXIT + t;
}

/* Indicator key: ref_year, then the table's key columns in print order
 * (kh_schema_indkeys()), each big-endian 16 bits, so byte order is print
 * order. Returns the key length (6 or 10). */
static size_t ind_key(uint8_t key[10], int t, int ref_year, const kh_indrow_t *row)
{
    kh_sdb_put_be16(key, (unsigned)ref_year);
    kh_sdb_put_be16(key + 2, (unsigned)row->kommnr);
    kh_sdb_put_be16(key + 4, (unsigned)row->key2);
    if (kh_schema_indkeys((kh_indtable_t)t) == 2)
        return 6;
    kh_sdb_put_be16(key + 6, (unsigned)row->key3);
    kh_sdb_put_be16(key + 8, (unsigned)row->key4);
    return 10;
}

static size_t ind_key_len(int t)
{
    return kh_schema_indkeys((kh_indtable_t)t) == 2 ? 6 : 10;
}

/* ---- the row record ----------------------------------------------------------- */

static void pack_indrow(kh_pk_t *p, const kh_indrow_t *row, int ncols)
{
    msgpack_pack_array(&p->pk, ROW_HEAD_FIELDS + (size_t)ncols);
    msgpack_pack_int(&p->pk, row->suppressed);
    msgpack_pack_uint32(&p->pk, row->suppressed_mask);
    for (int c = 0; c < ncols; c++)
        kh_pk_opt_int(p, row->present[c], row->value[c]);
}

static int unpack_indrow(const MDB_val *v, kh_indrow_t *row, int ncols)
{
    kh_cur_doc_t doc;
    kh_cur_t c;
    if (kh_cur_doc_open(&doc, v->mv_data, v->mv_size, &c) == 0 &&
        c.n != ROW_HEAD_FIELDS + (uint32_t)ncols)
        c.bad = 1;
    row->suppressed = (int32_t)kh_cur_int(&c, 0, 1);
    row->suppressed_mask = (uint32_t)kh_cur_int(&c, 0, (1ll << KH_IND_MAX_COLS) - 1);
    for (int col = 0; col < ncols && !c.bad; col++) {
        int present;
        row->value[col] = kh_cur_opt_int(&c, INT64_MIN, INT64_MAX, &present);
        row->present[col] = present;
    }
    int rc = kh_cur_end(&c);
    kh_cur_doc_free(&doc);
    return rc;
}

/* The kinds of reference figure, the byte after the year in their key. */
enum { REF_NATIONAL = 'N', REF_NAME = 'K' };

/* ---- the commit ------------------------------------------------------------------ */

/* Puts one reference figure of `year`: key (year, kind, number), value text. */
static int put_reference(kh_store_t *s, MDB_txn *txn, int year, char kind, int number,
                         const char *text)
{
    uint8_t key[5];
    kh_sdb_put_be16(key, (unsigned)year);
    key[2] = (uint8_t)kind;
    kh_sdb_put_be16(key + 3, (unsigned)number);
    MDB_val k = {sizeof key, key}, v = {strlen(text), (void *)text};
    return mdb_put(txn, s->dbi[DB_REFERENCE], &k, &v, 0);
}

/* Replaces the rows of `table` of `year` by rows[0..n). */
static int replace_rows(kh_store_t *s, MDB_txn *txn, kh_pk_t *p, int table, int year,
                        const kh_indrow_t *rows, size_t n)
{
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)table);
    uint8_t prefix[2];
    kh_sdb_put_be16(prefix, (unsigned)year);
    int rc = kh_sdb_delete_prefix(txn, s->dbi[ind_db(table)], prefix, 2);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint8_t key[10];
        size_t klen = ind_key(key, table, year, &rows[i]);
        msgpack_sbuffer_clear(&p->sb);
        pack_indrow(p, &rows[i], def->ncols);
        rc = kh_sdb_put(txn, s->dbi[ind_db(table)], key, klen, p);
    }
    return rc;
}

static int commit_once(kh_store_t *s, const kh_runrec_t *rec, kh_indrow_t *const rows[KH_IND_COUNT],
                       const size_t nrows[KH_IND_COUNT], const kh_refdata_t *ref,
                       const kh_store_year_t *others, size_t nothers)
{
    MDB_txn *txn;
    int rc = kh_sdb_begin_write(s, &txn);
    if (rc)
        return kh_err_from_mdb(rc);
    int year = rec->ledger.ref_year;
    uint8_t prefix[2];
    kh_sdb_put_be16(prefix, (unsigned)year);
    kh_pk_t p;
    kh_pk_init(&p, 0);
    for (int t = 0; rc == 0 && t < KH_IND_COUNT; t++)
        rc = replace_rows(s, txn, &p, t, year, rows[t], nrows[t]);
    for (size_t y = 0; rc == 0 && y < nothers; y++)
        for (int t = 0; rc == 0 && t < KH_IND_COUNT; t++)
            if (others[y].replace[t])
                rc = replace_rows(s, txn, &p, t, others[y].ref_year, others[y].rows[t],
                                  others[y].nrows[t]);
    if (rc == 0)
        rc = kh_sdb_delete_prefix(txn, s->dbi[DB_REFERENCE], prefix, 2);
    for (uint32_t i = 0; rc == 0 && ref && i < ref->nnational; i++)
        rc = put_reference(s, txn, year, REF_NATIONAL, ref->national[i].year, ref->national[i].andel);
    for (uint32_t i = 0; rc == 0 && ref && i < ref->nnames; i++)
        rc = put_reference(s, txn, year, REF_NAME, ref->names[i].kommnr, ref->names[i].navn);
    kh_pk_destroy(&p);
    if (rc == 0)
        rc = kh_sdb_put_run(s, txn, rec);
    if (rc == 0)
        rc = kh_sdb_prune_quarantine(s, txn);
    if (rc == 0 && fault_code) {
        rc = fault_code;
        fault_code = 0;
        mdb_txn_abort(txn);
        return rc;
    }
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    return kh_err_from_mdb(kh_sdb_commit(s, txn));
}

int kh_store_commit(kh_store_t *s, const kh_runrec_t *rec, kh_indrow_t *const rows[KH_IND_COUNT],
                    const size_t nrows[KH_IND_COUNT], const kh_refdata_t *ref,
                    const kh_store_year_t *others, size_t nothers)
{
    for (size_t i = 0; i < nothers; i++) {
        if (others[i].ref_year == rec->ledger.ref_year || others[i].ref_year < 1 ||
            others[i].ref_year > 9999)
            return -EINVAL;
        for (size_t j = 0; j < i; j++)
            if (others[j].ref_year == others[i].ref_year)
                return -EINVAL;
    }
    int rc;
    while ((rc = commit_once(s, rec, rows, nrows, ref, others, nothers)) == KH_E_MAP_FULL &&
           kh_sdb_grow_map(s))
        ;
    return kh_sdb_disk_error(s, rc);
}

/* ---- reading --------------------------------------------------------------------- */

int kh_store_each_row(kh_store_t *s, kh_indtable_t table, int ref_year, kh_store_row_cb cb, void *ctx)
{
    const kh_indtabledef_t *def = kh_schema_indtable(table);
    if (!def)
        return -EINVAL;
    if (s->absent[ind_db(table)])
        return 0;
    size_t klen = ind_key_len(table);
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = kh_sdb_read_open(s, ind_db(table), &txn, &cur);
    if (rc)
        return rc;
    uint8_t prefix[2];
    kh_sdb_put_be16(prefix, (unsigned)ref_year);
    MDB_val k = {2, prefix}, v;
    int mrc = ref_year ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)
                       : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    rc = 0;
    for (; mrc == 0 && rc == 0; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != klen)
            continue;
        const uint8_t *kp = k.mv_data;
        int year = (int)kh_sdb_get_be16(kp);
        if (ref_year && year != ref_year)
            break;
        kh_indrow_t row;
        memset(&row, 0, sizeof row);
        row.kommnr = (int32_t)kh_sdb_get_be16(kp + 2);
        row.key2 = (int32_t)kh_sdb_get_be16(kp + 4);
        if (klen == 10) {
            row.key3 = (int32_t)kh_sdb_get_be16(kp + 6);
            row.key4 = (int32_t)kh_sdb_get_be16(kp + 8);
        }
        rc = unpack_indrow(&v, &row, def->ncols);
        if (rc == 0)
            rc = cb(ctx, year, &row);
    }
    kh_sdb_read_close(txn, cur);
    return rc;
}

int kh_store_newest_year(kh_store_t *s, int *year)
{
    *year = 0;
    MDB_txn *txn;
    int rc = kh_sdb_read_txn(s, &txn);
    if (rc)
        return rc;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        MDB_cursor *cur;
        if (s->absent[ind_db(t)] || mdb_cursor_open(txn, s->dbi[ind_db(t)], &cur))
            continue;
        MDB_val k, v;
        if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0 && k.mv_size == ind_key_len(t)) {
            int y = (int)kh_sdb_get_be16(k.mv_data);
            if (y > *year)
                *year = y;
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return 0;
}

/* The reference figures of ref_year of one kind, by number: cb(ctx, number,
 * text). */
static int each_reference(kh_store_t *s, int ref_year, char kind,
                          int (*cb)(void *ctx, int number, const char *text), void *ctx)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = kh_sdb_read_open(s, DB_REFERENCE, &txn, &cur);
    if (rc)
        return rc;
    uint8_t prefix[3];
    kh_sdb_put_be16(prefix, (unsigned)ref_year);
    prefix[2] = (uint8_t)kind;
    MDB_val k = {3, prefix}, v;
    int mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = 0;
    for (; mrc == 0 && rc == 0; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 5 || memcmp(k.mv_data, prefix, 3) != 0)
            break;
        char text[KH_NAVN_BYTES];
        snprintf(text, sizeof text, "%.*s", (int)v.mv_size, (const char *)v.mv_data);
        rc = cb(ctx, (int)kh_sdb_get_be16((const uint8_t *)k.mv_data + 3), text);
    }
    kh_sdb_read_close(txn, cur);
    return rc;
}

int kh_store_each_national(kh_store_t *s, int ref_year,
                           int (*cb)(void *ctx, int year, const char *andel), void *ctx)
{
    return each_reference(s, ref_year, REF_NATIONAL, cb, ctx);
}

int kh_store_each_name(kh_store_t *s, int ref_year,
                       int (*cb)(void *ctx, int kommnr, const char *navn), void *ctx)
{
    return each_reference(s, ref_year, REF_NAME, cb, ctx);
}

