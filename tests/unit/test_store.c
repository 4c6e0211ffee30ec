/* test_store.c - unit tests of proto/store.c and its records
 * (store_rows.c, store_ledger.c): table followup's rows keep their four
 * keys and come back in print order (kommnr, cohort, horizon, kjonn); a
 * store written before followup existed (no `followup` database) is still
 * read, as having no followup rows, and gains the database at its next
 * write; every stored record (indicator row, ledger entry, quarantined
 * row) reads back as written, records in the bytes older versions wrote
 * still read, and a quarantined row's reason code is range-checked. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/err.h"
#include "proto/reason.h"
#include "proto/store.h"
#include "tests/unit/msg_samples.h"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/kh-test-store-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Opens the LMDB environment at path, kohort aside, with a write
 * transaction. */
static void raw_begin(const char *path, MDB_env **env, MDB_txn **txn)
{
    assert_int_equal(mdb_env_create(env), 0);
    assert_int_equal(mdb_env_set_maxdbs(*env, 16), 0);
    assert_int_equal(mdb_env_open(*env, path, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(*env, NULL, 0, txn), 0);
}

/* The layout of the version before followup: the same named databases
 * without `followup`, schema version 1. */
static void make_old_store(const char *path)
{
    static const char *const names[] = {"meta", "exit", "status", "cost", "reference", "runs",
                                        "quarantine"};
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    raw_begin(path, &env, &txn);
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        assert_int_equal(mdb_dbi_open(txn, names[i], MDB_CREATE, &dbi), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &dbi), 0);
    MDB_val k = {14, (void *)"schema_version"}, v = {1, (void *)"1"};
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

typedef struct {
    kh_indrow_t rows[16];
    int years[16];
    size_t n;
} got_t;

static int collect(void *ctx, int ref_year, const kh_indrow_t *row)
{
    got_t *g = ctx;
    assert_true(g->n < 16);
    g->years[g->n] = ref_year;
    g->rows[g->n++] = *row;
    return 0;
}

static kh_indrow_t followup_row(int kommnr, int cohort, int horizon, int kjonn, int persons)
{
    kh_indrow_t row;
    memset(&row, 0, sizeof row);
    row.kommnr = kommnr;
    row.key2 = cohort;
    row.key3 = horizon;
    row.key4 = kjonn;
    for (int c = 0; c < KH_FOLLOWUP_NCOLS; c++) {
        row.value[c] = persons;
        row.present[c] = 1;
    }
    row.present[KH_FOLLOWUP_MOVED_SHARE] = 0;
    row.suppressed_mask = UINT32_C(1) << KH_FOLLOWUP_MOVED_SHARE;
    row.suppressed = 1;
    return row;
}

static void commit_followup(kh_store_t *s, kh_indrow_t *rows, size_t n)
{
    kh_runrec_t rec;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.run, sizeof rec.run, "20261202T000000Z-test");
    rec.ok = 1;
    rec.ledger.ref_year = 2024;
    kh_indrow_t *tables[KH_IND_COUNT] = {0};
    size_t counts[KH_IND_COUNT] = {0};
    tables[KH_IND_FOLLOWUP] = rows;
    counts[KH_IND_FOLLOWUP] = n;
    assert_int_equal(kh_store_commit(s, &rec, tables, counts, NULL, NULL, 0), 0);
}

static void old_store_reads_and_gains_followup(void **state)
{
    (void)state;
    make_old_store(dir);
    kh_store_t *s = NULL;
    assert_int_equal(kh_store_open(dir, 0, 0, &s), 0);
    got_t got = {.n = 0};
    assert_int_equal(kh_store_each_row(s, KH_IND_FOLLOWUP, 0, collect, &got), 0);
    assert_int_equal(kh_store_each_row(s, KH_IND_EXIT, 0, collect, &got), 0);
    assert_int_equal(got.n, 0);
    int year = -1;
    assert_int_equal(kh_store_newest_year(s, &year), 0);
    assert_int_equal(year, 0);
    kh_store_close(&s);

    /* the next write creates the database */
    assert_int_equal(kh_store_open(dir, 1, 0, &s), 0);
    kh_indrow_t rows[1] = {followup_row(301, 2019, 5, 9, 7)};
    commit_followup(s, rows, 1);
    kh_store_close(&s);
    assert_int_equal(kh_store_open(dir, 0, 0, &s), 0);
    assert_int_equal(kh_store_each_row(s, KH_IND_FOLLOWUP, 2024, collect, &got), 0);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.rows[0].key4, 9);
    assert_int_equal(kh_store_newest_year(s, &year), 0);
    assert_int_equal(year, 2024);
    kh_store_close(&s);
}

/* Keys are big-endian: byte order is print order, whatever the order of
 * the rows given to the commit. */
static void followup_rows_keep_keys_in_print_order(void **state)
{
    (void)state;
    kh_store_t *s = NULL;
    assert_int_equal(kh_store_open(dir, 1, 0, &s), 0);
    kh_indrow_t rows[6] = {
        followup_row(301, 2019, 5, 2, 11), followup_row(301, 0, 1, 0, 12),
        followup_row(0, 0, 2, 9, 13),      followup_row(301, 2019, 1, 1, 14),
        followup_row(0, 0, 1, 0, 15),      followup_row(4601, 2017, 1, 2, 16),
    };
    commit_followup(s, rows, 6);
    kh_store_close(&s);
    assert_int_equal(kh_store_open(dir, 0, 0, &s), 0);
    got_t got = {.n = 0};
    assert_int_equal(kh_store_each_row(s, KH_IND_FOLLOWUP, 0, collect, &got), 0);
    kh_store_close(&s);
    static const int order[6][5] = {{0, 0, 1, 0, 15},      {0, 0, 2, 9, 13},
                                    {301, 0, 1, 0, 12},    {301, 2019, 1, 1, 14},
                                    {301, 2019, 5, 2, 11}, {4601, 2017, 1, 2, 16}};
    assert_int_equal(got.n, 6);
    for (int i = 0; i < 6; i++) {
        assert_int_equal(got.years[i], 2024);
        assert_int_equal(got.rows[i].kommnr, order[i][0]);
        assert_int_equal(got.rows[i].key2, order[i][1]);
        assert_int_equal(got.rows[i].key3, order[i][2]);
        assert_int_equal(got.rows[i].key4, order[i][3]);
        assert_int_equal(got.rows[i].value[KH_FOLLOWUP_PERSONS], order[i][4]);
        assert_false(got.rows[i].present[KH_FOLLOWUP_MOVED_SHARE]);
        assert_int_equal(got.rows[i].suppressed, 1);
    }
}

/* Puts one value under `key` of database `db` of the store at dir. */
static void put_raw(const char *db, const void *key, size_t klen, const void *val, size_t vlen)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    raw_begin(dir, &env, &txn);
    assert_int_equal(mdb_dbi_open(txn, db, 0, &dbi), 0);
    MDB_val k = {klen, (void *)key}, v = {vlen, (void *)val};
    assert_int_equal(mdb_put(txn, dbi, &k, &v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

static int take_run(void *ctx, const kh_runrec_t *rec)
{
    kh_runrec_t *out = ctx;
    if (strcmp(rec->run, out->run) == 0)
        *out = *rec;
    return 0;
}

typedef struct {
    kh_qrec_t q[8];
    size_t n;
} qgot_t;

static int take_q(void *ctx, const kh_qrec_t *q)
{
    qgot_t *g = ctx;
    assert_true(g->n < 8);
    g->q[g->n++] = *q;
    return 0;
}

#define RUN_ID "20261202T000000Z-recs"

/* Each stored record reads back as it was written. */
static void stored_records_round_trip(void **state)
{
    (void)state;
    kh_store_t *s = NULL;
    assert_int_equal(kh_store_open(dir, 1, 0, &s), 0);
    kh_indrow_t exit_rows[2];
    memset(exit_rows, 0, sizeof exit_rows);
    int ncols = kh_schema_indtable(KH_IND_EXIT)->ncols;
    for (int i = 0; i < 2; i++) {
        exit_rows[i].kommnr = 301 + i;
        exit_rows[i].key2 = 2020;
        exit_rows[i].suppressed = i;
        exit_rows[i].suppressed_mask = i ? 0x6u : 0;
        for (int c = 0; c < ncols; c++) {
            exit_rows[i].present[c] = (c + i) % 2;
            exit_rows[i].value[c] = exit_rows[i].present[c] ? (int64_t)(c - 3) * 1000003 : 0;
        }
    }
    kh_runrec_t *rec = calloc(1, sizeof *rec);
    snprintf(rec->run, sizeof rec->run, RUN_ID);
    rec->started_ms = 1764633600123;
    rec->finished_ms = 1764633660456;
    rec->ok = 1;
    rec->min_cell = 5;
    rec->ledger = sample_ledger_full();
    kh_indrow_t *tables[KH_IND_COUNT] = {0};
    size_t counts[KH_IND_COUNT] = {0};
    tables[KH_IND_EXIT] = exit_rows;
    counts[KH_IND_EXIT] = 2;
    assert_int_equal(kh_store_commit(s, rec, tables, counts, NULL, NULL, 0), 0);
    kh_rejects_t rej;
    kh_rejects_init(&rej, "shj.csv");
    for (int i = 0; i < 3; i++) {
        kh_rejected_t *r = kh_rejects_add(&rej);
        r->line = 9 + (uint32_t)i;
        r->reason = i == 2 ? KH_REASON_CODE_MAX : KH_R_BAD_AMOUNT;
        snprintf(r->column, sizeof r->column, "%s", i ? "belop" : "");
        snprintf(r->value, sizeof r->value, "%s", i ? "1x" : "");
    }
    kh_rejects_t tabs[KH_TAB_COUNT];
    memset(tabs, 0, sizeof tabs);
    tabs[KH_TAB_SHJ] = rej;
    uint32_t added[KH_TAB_COUNT] = {0};
    assert_int_equal(kh_store_put_rejects(s, RUN_ID, tabs, added), 0);
    assert_int_equal(added[KH_TAB_SHJ], 3);
    kh_store_close(&s);

    assert_int_equal(kh_store_open(dir, 0, 0, &s), 0);
    got_t got = {.n = 0};
    assert_int_equal(kh_store_each_row(s, KH_IND_EXIT, 2024, collect, &got), 0);
    assert_int_equal(got.n, 2);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(got.rows[i].kommnr, exit_rows[i].kommnr);
        assert_int_equal(got.rows[i].suppressed, exit_rows[i].suppressed);
        assert_int_equal(got.rows[i].suppressed_mask, exit_rows[i].suppressed_mask);
        assert_memory_equal(got.rows[i].present, exit_rows[i].present, sizeof exit_rows[i].present);
        assert_memory_equal(got.rows[i].value, exit_rows[i].value, sizeof exit_rows[i].value);
    }
    kh_runrec_t *back = calloc(1, sizeof *back);
    snprintf(back->run, sizeof back->run, RUN_ID);
    assert_int_equal(kh_store_each_run(s, take_run, back), 0);
    assert_true(back->started_ms == rec->started_ms);
    assert_true(back->finished_ms == rec->finished_ms);
    assert_int_equal(back->ok, 1);
    assert_int_equal(back->min_cell, 5);
    assert_string_equal(back->reason, "");
    assert_string_equal(back->version, KH_VERSION);
    assert_memory_equal(&back->ledger, &rec->ledger, sizeof rec->ledger);
    qgot_t q = {.n = 0};
    assert_int_equal(kh_store_each_reject(s, RUN_ID, take_q, &q), 0);
    assert_int_equal(q.n, 3);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(q.q[i].table, KH_TAB_SHJ);
        assert_int_equal(q.q[i].rej.line, rej.items[i].line);
        assert_int_equal(q.q[i].rej.reason, rej.items[i].reason);
        assert_string_equal(q.q[i].file, "shj.csv");
        assert_string_equal(q.q[i].rej.column, rej.items[i].column);
        assert_string_equal(q.q[i].rej.value, rej.items[i].value);
    }
    kh_store_close(&s);
    kh_rejects_free(&rej);
    free(rec);
    free(back);
}

/* The bytes older versions wrote: a ledger entry without the writer's
 * version (5 elements), an indicator row, a quarantined row. */
static void records_of_older_versions_read(void **state)
{
    (void)state;
    kh_store_t *s = NULL;
    assert_int_equal(kh_store_open(dir, 1, 0, &s), 0);
    kh_store_close(&s);
    /* exit row of 2024, kommnr 301, cohort 2019: [0, 0, 7, nil, -2, ...] */
    int ncols = kh_schema_indtable(KH_IND_EXIT)->ncols;
    uint8_t key[6] = {0x07, 0xe8, 0x01, 0x2d, 0x07, 0xe3};
    uint8_t row[64];
    size_t n = 0;
    row[n++] = (uint8_t)(0x90 | (2 + ncols));
    row[n++] = 0x00;
    row[n++] = 0x00;
    for (int c = 0; c < ncols; c++)
        row[n++] = c == 0 ? 0x07 : c == 1 ? 0xc0 : 0xfe; /* 7, nil, -2 */
    put_raw("exit", key, sizeof key, row, n);
    /* quarantine: run, NUL, table 9, line 7: ["shj.csv", 17, "belop", "x"] */
    static const char qkey[] = "old\0\x09\0\0\0\x07";
    static const char qval[] = "\x94\xa7" "shj.csv\x11\xa5" "belop\xa1" "x";
    put_raw("quarantine", qkey, sizeof qkey - 1, qval, sizeof qval - 1);
    /* a ledger entry of version 0.3: [1, started, finished, min_cell, RESULT] */
    kh_env_t env;
    kh_packed_t res;
    kh_ledger_t l;
    memset(&l, 0, sizeof l);
    l.ref_year = 2023;
    l.placed = 12;
    kh_env_set(&env, KH_MSG_RESULT, "old", -1, 0);
    kh_msg_pack_result(&res, &env, 1, "", &l);
    uint8_t *entry = malloc(res.len + 16);
    size_t e = 0;
    entry[e++] = 0x95;
    entry[e++] = 0x01;
    entry[e++] = 0xcd; /* 1000 */
    entry[e++] = 0x03;
    entry[e++] = 0xe8;
    entry[e++] = 0xcd; /* 2000 */
    entry[e++] = 0x07;
    entry[e++] = 0xd0;
    entry[e++] = 0x05;
    entry[e++] = 0xc5; /* bin 16 */
    entry[e++] = (uint8_t)(res.len >> 8);
    entry[e++] = (uint8_t)res.len;
    memcpy(entry + e, res.data, res.len);
    e += res.len;
    put_raw("runs", "old", 3, entry, e);
    free(entry);
    free(res.data);

    assert_int_equal(kh_store_open(dir, 0, 0, &s), 0);
    got_t got = {.n = 0};
    assert_int_equal(kh_store_each_row(s, KH_IND_EXIT, 0, collect, &got), 0);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.rows[0].kommnr, 301);
    assert_int_equal(got.rows[0].key2, 2019);
    assert_int_equal(got.rows[0].value[0], 7);
    assert_false(got.rows[0].present[1]);
    assert_true(got.rows[0].value[ncols - 1] == -2);
    qgot_t q = {.n = 0};
    assert_int_equal(kh_store_each_reject(s, "old", take_q, &q), 0);
    assert_int_equal(q.n, 1);
    assert_int_equal(q.q[0].rej.reason, 17);
    assert_int_equal(q.q[0].rej.line, 7);
    assert_string_equal(q.q[0].rej.column, "belop");
    kh_runrec_t *back = calloc(1, sizeof *back);
    snprintf(back->run, sizeof back->run, "old");
    assert_int_equal(kh_store_each_run(s, take_run, back), 0);
    assert_int_equal(back->started_ms, 1000);
    assert_int_equal(back->finished_ms, 2000);
    assert_int_equal(back->min_cell, 5);
    assert_string_equal(back->version, "");
    assert_int_equal(back->ledger.placed, 12);
    free(back);
    kh_store_close(&s);
}

/* A quarantined row whose reason code is out of range (0, or above
 * KH_REASON_CODE_MAX) is a damaged record, refused with KH_E_DECODE. */
static void quarantine_reason_is_range_checked(void **state)
{
    (void)state;
    static const char *const vals[] = {
        "\x94\xa1" "f\x00\xa0\xa0",             /* reason 0 */
        "\x94\xa1" "f\xcd\x03\xe9\xa0\xa0",     /* reason 1001 */
        "\x94\xa1" "f\xff\xa0\xa0",             /* reason -1 */
    };
    static const size_t lens[] = {6, 8, 6};
    for (int i = 0; i < 3; i++) {
        kh_store_t *s = NULL;
        assert_int_equal(kh_store_open(dir, 1, 0, &s), 0);
        kh_store_close(&s);
        static const char qkey[] = "r\0\x01\0\0\0\x02";
        put_raw("quarantine", qkey, sizeof qkey - 1, vals[i], lens[i]);
        assert_int_equal(kh_store_open(dir, 0, 0, &s), 0);
        qgot_t q = {.n = 0};
        assert_int_equal(kh_store_each_reject(s, "r", take_q, &q), KH_E_DECODE);
        assert_int_equal(q.n, 0);
        kh_store_close(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(old_store_reads_and_gains_followup, setup, teardown),
        cmocka_unit_test_setup_teardown(followup_rows_keep_keys_in_print_order, setup, teardown),
        cmocka_unit_test_setup_teardown(stored_records_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(records_of_older_versions_read, setup, teardown),
        cmocka_unit_test_setup_teardown(quarantine_reason_is_range_checked, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
