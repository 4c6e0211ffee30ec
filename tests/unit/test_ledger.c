/* test_ledger.c - unit tests of what step 7.4 added to the codec and the
 * store: the ledger's suppression figures (and ledgers without them, as
 * older versions wrote them), indicator rows that name their reference
 * year, a commit that replaces other years' tables with the run's, and a
 * store of schema version 1 that still opens. Also ref_kommunenavn's part:
 * ledger records written before the table existed (one table less) still
 * decode, the names travel in REFDATA and are stored per reference year. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <lmdb.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proto/err.h"
#include "proto/msg.h"
#include "proto/store.h"

static kh_ledger_t sample_ledger(int with_suppression)
{
    kh_ledger_t l;
    memset(&l, 0, sizeof l);
    l.ref_year = 2024;
    l.cohort_from = 2017;
    l.cohort_to = 2024;
    l.placed = 12;
    if (with_suppression) {
        l.has_suppression = 1;
        l.suppression[KH_IND_EXIT] = (kh_suppression_t){1, 10, 2, 3, 4, 1};
        l.suppression[KH_IND_STATUS] = (kh_suppression_t){1, 7, 0, 0, 5, 0};
        l.suppressed_elsewhere = 9;
        l.nchanged_years = 2;
        l.changed_years[0] = 2022;
        l.changed_years[1] = 2023;
    }
    return l;
}

static void test_ledger_round_trip(void **state)
{
    (void)state;
    for (int with = 0; with < 2; with++) {
        kh_ledger_t l = sample_ledger(with);
        kh_env_t env;
        kh_packed_t p;
        kh_env_set(&env, KH_MSG_LEDGER, "run", -1, 0);
        kh_msg_pack_ledger(&p, &env, &l);
        kh_msg_t m;
        assert_int_equal(kh_msg_unpack(p.data, p.len, &m), 0);
        assert_memory_equal(&m.ledger, &l, sizeof l);
        kh_msg_free(&m);
        /* a RESULT (the ledger record's encoding) too */
        free(p.data);
        kh_env_set(&env, KH_MSG_RESULT, "run", -1, 0);
        kh_msg_pack_result(&p, &env, 1, "", &l);
        assert_int_equal(kh_msg_unpack(p.data, p.len, &m), 0);
        assert_memory_equal(&m.ledger, &l, sizeof l);
        kh_msg_free(&m);
        free(p.data);
    }
}

/* A ledger without figures packs as older versions packed every ledger, so
 * the two encodings differ exactly by the three trailing items. */
static void test_ledger_without_figures_is_the_old_encoding(void **state)
{
    (void)state;
    kh_ledger_t old = sample_ledger(0), fresh = sample_ledger(1);
    kh_env_t env;
    kh_packed_t a, b;
    kh_env_set(&env, KH_MSG_LEDGER, "run", -1, 0);
    kh_msg_pack_ledger(&a, &env, &old);
    kh_msg_pack_ledger(&b, &env, &fresh);
    assert_true(b.len > a.len);
    /* a table name the decoder does not know is refused */
    char *bad = malloc(b.len);
    memcpy(bad, b.data, b.len);
    char *name = memmem(bad, b.len, "status", 6);
    assert_non_null(name);
    memcpy(name, "statux", 6);
    kh_msg_t m;
    assert_int_equal(kh_msg_unpack(bad, b.len, &m), KH_E_DECODE);
    free(bad);
    free(a.data);
    free(b.data);
}

/* A LEDGER message as versions before ref_kommunenavn packed it: the same
 * items, for one table less; with `figures`, empty suppression figures. */
static void pack_v1_ledger(msgpack_sbuffer *sb, const kh_ledger_t *l, int figures)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 5);
    msgpack_pack_int(&pk, KH_MSG_LEDGER);
    msgpack_pack_str(&pk, 3);
    msgpack_pack_str_body(&pk, "run", 3);
    msgpack_pack_int32(&pk, -1);
    msgpack_pack_uint64(&pk, 0);
    msgpack_pack_array(&pk, 7 + KH_TAB_COUNT_V1 * 9 + (figures ? 3 : 0));
    msgpack_pack_int32(&pk, l->ref_year);
    msgpack_pack_int32(&pk, l->cohort_from);
    msgpack_pack_int32(&pk, l->cohort_to);
    msgpack_pack_uint64(&pk, l->participants);
    msgpack_pack_uint64(&pk, l->placed);
    msgpack_pack_uint64(&pk, l->no_home);
    msgpack_pack_uint64(&pk, l->ambiguous_kommune);
    for (int t = 0; t < KH_TAB_COUNT_V1; t++) {
        const kh_tablecount_t *tc = &l->tables[t];
        msgpack_pack_int32(&pk, tc->present);
        msgpack_pack_uint64(&pk, tc->batches);
        msgpack_pack_uint64(&pk, tc->read);
        msgpack_pack_uint64(&pk, tc->accepted);
        msgpack_pack_uint64(&pk, tc->rejected);
        msgpack_pack_uint64(&pk, tc->out_of_scope);
        msgpack_pack_uint64(&pk, tc->bytes);
        msgpack_pack_uint32(&pk, tc->crc32);
        size_t n = strlen(tc->file);
        msgpack_pack_str(&pk, n);
        msgpack_pack_str_body(&pk, tc->file, n);
    }
    if (figures) {
        msgpack_pack_array(&pk, 0);
        msgpack_pack_uint64(&pk, 0);
        msgpack_pack_array(&pk, 0);
    }
}

static void test_ledger_before_kommunenavn_decodes(void **state)
{
    (void)state;
    kh_ledger_t l = sample_ledger(0);
    for (int t = 0; t < KH_TAB_COUNT_V1; t++) {
        l.tables[t] = (kh_tablecount_t){1, 1, 100u + (uint64_t)t, 90, 10, 3, 4096, 0xabcdu, ""};
        snprintf(l.tables[t].file, sizeof l.tables[t].file, "%s.csv",
                 kh_schema_table((kh_table_t)t)->name);
    }
    for (int figures = 0; figures < 2; figures++) {
        msgpack_sbuffer sb;
        msgpack_sbuffer_init(&sb);
        pack_v1_ledger(&sb, &l, figures);
        kh_msg_t m;
        assert_int_equal(kh_msg_unpack(sb.data, sb.size, &m), 0);
        assert_int_equal(m.ledger.has_suppression, figures);
        if (figures) /* no figures of any table in this one */
            assert_int_equal(m.ledger.suppression[KH_IND_EXIT].present, 0);
        m.ledger.has_suppression = 0;
        assert_memory_equal(&m.ledger, &l, sizeof l);
        assert_int_equal(m.ledger.tables[KH_TAB_REF_KOMMUNENAVN].present, 0);
        assert_int_equal(m.ledger.tables[KH_TAB_F_JOBBER].read, 100 + KH_TAB_F_JOBBER);
        kh_msg_free(&m);
        msgpack_sbuffer_destroy(&sb);
    }
}

static void test_refdata_carries_names(void **state)
{
    (void)state;
    kh_refdata_t ref;
    memset(&ref, 0, sizeof ref);
    kh_ref_name_t names[2] = {{301, "Oslo"}, {5501, "Tromsø - Romsa - Tromssa"}};
    ref.names = names;
    ref.nnames = 2;
    kh_env_t env;
    kh_packed_t p;
    kh_env_set(&env, KH_MSG_REFDATA, "run", -1, 0);
    kh_msg_pack_refdata(&p, &env, &ref);
    kh_msg_t m;
    assert_int_equal(kh_msg_unpack(p.data, p.len, &m), 0);
    assert_int_equal(m.ref.nnames, 2);
    assert_int_equal(m.ref.names[1].kommnr, 5501);
    assert_string_equal(m.ref.names[1].navn, "Tromsø - Romsa - Tromssa");
    kh_msg_free(&m);
    /* a code out of range is refused */
    names[0].kommnr = 0;
    free(p.data);
    kh_msg_pack_refdata(&p, &env, &ref);
    assert_int_equal(kh_msg_unpack(p.data, p.len, &m), KH_E_DECODE);
    free(p.data);
}

static void test_indrows_carry_their_year(void **state)
{
    (void)state;
    kh_indrow_t row;
    memset(&row, 0, sizeof row);
    row.kommnr = 301;
    row.key2 = 2020;
    row.present[0] = 1;
    row.value[0] = 42;
    kh_env_t env;
    kh_packed_t p;
    kh_env_set(&env, KH_MSG_INDROWS, "run", KH_IND_EXIT, 0);
    kh_msg_pack_indrows(&p, &env, 2022, &row, 1, 1);
    kh_msg_t m;
    assert_int_equal(kh_msg_unpack(p.data, p.len, &m), 0);
    assert_int_equal(m.ref_year, 2022);
    assert_int_equal(m.nindrows, 1);
    assert_int_equal(m.indrows[0].value[0], 42);
    kh_msg_free(&m);
    free(p.data);
    kh_msg_pack_indrows(&p, &env, 0, &row, 1, 1); /* no year: refused */
    assert_int_equal(kh_msg_unpack(p.data, p.len, &m), KH_E_DECODE);
    free(p.data);
}

/* ---- the store ------------------------------------------------------------------ */

typedef struct {
    char dir[64];
} tmp_t;

static int setup(void **state)
{
    tmp_t *t = calloc(1, sizeof *t);
    snprintf(t->dir, sizeof t->dir, "/tmp/kh-ledger.XXXXXX");
    if (!mkdtemp(t->dir))
        return -1;
    *state = t;
    return 0;
}

static int teardown(void **state)
{
    tmp_t *t = *state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    int rc = system(cmd);
    free(t);
    return rc == 0 ? 0 : -1;
}

static kh_indrow_t make_row(int kommnr, int key2, int64_t exits, uint32_t mask)
{
    kh_indrow_t r;
    memset(&r, 0, sizeof r);
    r.kommnr = kommnr;
    r.key2 = key2;
    for (int c = 0; c < KH_EXIT_NCOLS; c++) {
        r.present[c] = !(mask >> c & 1);
        r.value[c] = r.present[c] ? exits : 0;
    }
    r.suppressed_mask = mask;
    r.suppressed = mask != 0;
    return r;
}

typedef struct {
    int year[8];
    int64_t first[8];
    uint32_t mask[8];
    int n;
} seen_t;

static int collect(void *ctx, int ref_year, const kh_indrow_t *row)
{
    seen_t *s = ctx;
    if (s->n < 8) {
        s->year[s->n] = ref_year;
        s->first[s->n] = row->present[0] ? row->value[0] : -1;
        s->mask[s->n] = row->suppressed_mask;
        s->n++;
    }
    return 0;
}

static int commit_year(kh_store_t *st, const char *run, int year, kh_indrow_t *exit, size_t n,
                       const kh_store_year_t *others, size_t nothers)
{
    kh_runrec_t rec;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.run, sizeof rec.run, "%s", run);
    rec.ok = 1;
    rec.ledger = sample_ledger(1);
    rec.ledger.ref_year = year;
    kh_indrow_t *rows[KH_IND_COUNT] = {exit, NULL, NULL};
    size_t nrows[KH_IND_COUNT] = {n, 0, 0};
    return kh_store_commit(st, &rec, rows, nrows, NULL, others, nothers);
}

static void test_commit_replaces_other_years(void **state)
{
    tmp_t *t = *state;
    kh_store_t *st;
    assert_int_equal(kh_store_open(t->dir, 1, 0, &st), 0);
    kh_indrow_t y22[2] = {make_row(301, 2020, 10, 0), make_row(301, 2021, 11, 0)};
    kh_indrow_t status22 = make_row(301, 2020, 5, 0);
    assert_int_equal(commit_year(st, "r1", 2022, y22, 2, NULL, 0), 0);
    /* put a status row for 2022 too, through a commit of 2022 alone */
    kh_runrec_t rec;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.run, sizeof rec.run, "r2");
    rec.ok = 1;
    rec.ledger.ref_year = 2022;
    kh_indrow_t *rows[KH_IND_COUNT] = {y22, &status22, NULL};
    size_t nrows[KH_IND_COUNT] = {2, 1, 0};
    assert_int_equal(kh_store_commit(st, &rec, rows, nrows, NULL, NULL, 0), 0);

    /* the run for 2023 hides exits of (301, 2021) in 2022 too */
    kh_indrow_t y23[1] = {make_row(301, 2021, 12, 1)};
    kh_indrow_t y22b[2] = {make_row(301, 2020, 10, 0), make_row(301, 2021, 11, 1)};
    kh_store_year_t other;
    memset(&other, 0, sizeof other);
    other.ref_year = 2022;
    other.replace[KH_IND_EXIT] = 1;
    other.rows[KH_IND_EXIT] = y22b;
    other.nrows[KH_IND_EXIT] = 2;
    /* refused: the run's own year, or a year twice */
    kh_store_year_t twice[2] = {other, other};
    assert_int_equal(commit_year(st, "r3", 2023, y23, 1, twice, 2), -EINVAL);
    kh_store_year_t self = other;
    self.ref_year = 2023;
    assert_int_equal(commit_year(st, "r3", 2023, y23, 1, &self, 1), -EINVAL);
    /* a commit that fails changes no year */
    kh_store_fault_next_commit(-ENOSPC);
    assert_int_equal(commit_year(st, "r3", 2023, y23, 1, &other, 1), -ENOSPC);
    seen_t s = {0};
    assert_int_equal(kh_store_each_row(st, KH_IND_EXIT, 0, collect, &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.mask[1], 0);

    assert_int_equal(commit_year(st, "r3", 2023, y23, 1, &other, 1), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(kh_store_each_row(st, KH_IND_EXIT, 0, collect, &s), 0);
    assert_int_equal(s.n, 3);
    assert_int_equal(s.year[0], 2022);
    assert_int_equal(s.first[0], 10);
    assert_int_equal(s.mask[1], 1); /* 2022's cell is hidden now */
    assert_int_equal(s.first[1], -1);
    assert_int_equal(s.year[2], 2023);
    /* the table that was not sent stays */
    memset(&s, 0, sizeof s);
    assert_int_equal(kh_store_each_row(st, KH_IND_STATUS, 2022, collect, &s), 0);
    assert_int_equal(s.n, 1);
    kh_store_close(&st);
}

static int first_run(void *ctx, const kh_runrec_t *rec)
{
    *(kh_runrec_t *)ctx = *rec;
    return KH_STOP;
}

/* Writes the store's schema version with LMDB directly; *was (may be
 * NULL) gets whether the one before it was KH_STORE_SCHEMA_VERSION. */
static void set_version(const char *dir, MDB_val *v, MDB_val *was)
{
    MDB_env *env;
    MDB_txn *txn;
    MDB_dbi meta;
    MDB_val k = {14, (void *)"schema_version"}, old;
    assert_int_equal(mdb_env_create(&env), 0);
    assert_int_equal(mdb_env_set_maxdbs(env, 16), 0);
    assert_int_equal(mdb_env_open(env, dir, 0, 0600), 0);
    assert_int_equal(mdb_txn_begin(env, NULL, 0, &txn), 0);
    assert_int_equal(mdb_dbi_open(txn, "meta", 0, &meta), 0);
    if (was) {
        assert_int_equal(mdb_get(txn, meta, &k, &old), 0);
        assert_int_equal(old.mv_size, 1);
        assert_int_equal(((char *)old.mv_data)[0], '0' + KH_STORE_SCHEMA_VERSION);
        *was = old;
    }
    assert_int_equal(mdb_put(txn, meta, &k, v, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
}

/* A store written by the version before (schema 1; ledger records without
 * figures) opens for reading as it is, and is marked 2 by a writer. */
static void test_version_1_store_still_opens(void **state)
{
    tmp_t *t = *state;
    kh_store_t *st;
    assert_int_equal(kh_store_open(t->dir, 1, 0, &st), 0);
    kh_runrec_t rec;
    memset(&rec, 0, sizeof rec);
    snprintf(rec.run, sizeof rec.run, "old");
    rec.ok = 1;
    rec.ledger = sample_ledger(0);
    assert_int_equal(kh_store_put_run(st, &rec), 0);
    kh_store_close(&st);

    /* (one environment per process at a time: LMDB's rule) */
    MDB_val k = {14, (void *)"schema_version"}, v = {1, (void *)"1"};
    set_version(t->dir, &v, NULL);

    assert_int_equal(kh_store_open(t->dir, 0, 0, &st), 0);
    kh_runrec_t got;
    assert_int_equal(kh_store_each_run(st, first_run, &got), KH_STOP);
    assert_string_equal(got.run, "old");
    assert_int_equal(got.ledger.has_suppression, 0);
    assert_int_equal(got.ledger.placed, 12);
    kh_store_close(&st);

    assert_int_equal(kh_store_open(t->dir, 1, 0, &st), 0);
    kh_store_close(&st);
    /* a version this one does not know is refused */
    MDB_val was;
    v.mv_data = (void *)"9";
    set_version(t->dir, &v, &was);
    assert_int_equal(was.mv_size, 1);
    (void)k;
    assert_int_equal(kh_store_open(t->dir, 0, 0, &st), KH_E_SCHEMA);
}

typedef struct {
    int n;
    int code[4];
    char name[4][64];
} names_seen_t;

static int collect_name(void *ctx, int kommnr, const char *navn)
{
    names_seen_t *s = ctx;
    if (s->n < 4) {
        s->code[s->n] = kommnr;
        snprintf(s->name[s->n], sizeof s->name[0], "%s", navn);
    }
    s->n++;
    return 0;
}

/* Names are stored with the run's year, replaced by the next run of that
 * year (gone when it read none), and other years keep theirs. */
static void test_names_stored_per_year(void **state)
{
    tmp_t *t = *state;
    kh_store_t *st;
    assert_int_equal(kh_store_open(t->dir, 1, 0, &st), 0);
    kh_indrow_t row = make_row(301, 2020, 10, 0);
    kh_ref_name_t n23[2] = {{301, "Oslo"}, {5401, "Tromsø"}};
    kh_ref_name_t n24[1] = {{5501, "Tromsø - Romsa - Tromssa"}};
    kh_refdata_t ref;
    memset(&ref, 0, sizeof ref);
    kh_runrec_t rec;
    memset(&rec, 0, sizeof rec);
    rec.ok = 1;
    kh_indrow_t *rows[KH_IND_COUNT] = {&row, NULL, NULL};
    size_t nrows[KH_IND_COUNT] = {1, 0, 0};
    const char *run[3] = {"r1", "r2", "r3"};
    const int year[3] = {2023, 2024, 2024};
    kh_ref_name_t *names[3] = {n23, n24, NULL};
    const uint32_t nnames[3] = {2, 1, 0};
    for (int i = 0; i < 3; i++) {
        snprintf(rec.run, sizeof rec.run, "%s", run[i]);
        rec.ledger.ref_year = year[i];
        ref.names = names[i];
        ref.nnames = nnames[i];
        assert_int_equal(kh_store_commit(st, &rec, rows, nrows, &ref, NULL, 0), 0);
        names_seen_t s = {0};
        assert_int_equal(kh_store_each_name(st, 2023, collect_name, &s), 0);
        assert_int_equal(s.n, 2);
        assert_int_equal(s.code[1], 5401);
        assert_string_equal(s.name[1], "Tromsø");
        memset(&s, 0, sizeof s);
        assert_int_equal(kh_store_each_name(st, 2024, collect_name, &s), 0);
        assert_int_equal(s.n, i == 1 ? 1 : 0);
        if (i == 1)
            assert_string_equal(s.name[0], "Tromsø - Romsa - Tromssa");
    }
    kh_store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ledger_round_trip),
        cmocka_unit_test(test_ledger_without_figures_is_the_old_encoding),
        cmocka_unit_test(test_indrows_carry_their_year),
        cmocka_unit_test(test_ledger_before_kommunenavn_decodes),
        cmocka_unit_test(test_refdata_carries_names),
        cmocka_unit_test_setup_teardown(test_names_stored_per_year, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_replaces_other_years, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_1_store_still_opens, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
