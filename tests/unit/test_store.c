/* test_store.c - unit tests of proto/store.c for table followup: its rows
 * keep their four keys and come back in print order (kommnr, cohort,
 * horizon, kjonn), and a store written before followup existed (no
 * `followup` database) is still read, as having no followup rows, and
 * gains the database at its next write. */
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

#include "../../proto/err.h"
#include "../../proto/store.h"

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

/* The layout of the version before followup: the same named databases
 * without `followup`, schema version 1. */
static void make_old_store(const char *path)
{
    static const char *const names[] = {"meta", "exit", "status", "cost", "reference", "runs",
                                        "quarantine"};
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi dbi;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_open(env, path, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(old_store_reads_and_gains_followup, setup, teardown),
        cmocka_unit_test_setup_teardown(followup_rows_keep_keys_in_print_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
