/* test_msg.c - unit tests of the message codec (proto/msg.c, msg_batch.c,
 * msg_run.c): every kind survives a round trip whole - a sample decodes,
 * packs back into the same bytes, and decodes again into an equal message
 * - its fields come back as sent, a truncated message of any kind is
 * refused, and so are a reason code out of range, an envelope whose
 * table the kind cannot name and a RANGE that does not lie inside its file
 * or names a file outside the extract directory. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/msg.h"
#include "proto/reason.h"
#include "tests/unit/msg_samples.h"

/* The sample of `kind`: decodes, re-packs byte for byte, decodes equal. */
static void round_trip(kh_msgkind_t kind, kh_msg_t *m)
{
    kh_packed_t p, again;
    sample_pack(kind, &p);
    assert_non_null(p.data);
    assert_int_equal(kh_msg_unpack(p.data, p.len, m), 0);
    assert_int_equal(m->env.kind, kind);
    kh_msg_pack(&again, m);
    assert_int_equal(again.len, p.len);
    assert_memory_equal(again.data, p.data, p.len);
    kh_msg_t m2;
    assert_int_equal(kh_msg_unpack(again.data, again.len, &m2), 0);
    assert_true(kh_msg_equal(m, &m2));
    kh_msg_free(&m2);
    free(again.data);
    free(p.data);
}

static void test_raw(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_RAW, &m);
    kh_tablemeta_t meta = sample_meta(KH_TAB_F_INTRO);
    assert_memory_equal(&m.meta, &meta, sizeof meta);
    assert_int_equal(m.env.table, KH_TAB_F_INTRO);
    assert_int_equal(m.env.seq, 3);
    assert_string_equal(m.env.run, "20261202T101500Z-1a2b");
    assert_int_equal(m.raw->nrows, 3);
    assert_int_equal(m.raw->lines[2], 5);
    assert_int_equal(m.raw->flags[1], KH_RAW_TOO_LONG);
    assert_int_equal(m.raw->flags[2], KH_RAW_OUT_OF_SCOPE);
    assert_int_equal(m.raw->offs[3], 14);
    assert_memory_equal(m.raw->data + m.raw->offs[2], "\"x\n;y\";z", 9);
    kh_msg_free(&m);
}

static void test_rows(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_ROWS, &m);
    const kh_tabledef_t *def = kh_schema_table(KH_TAB_REF_KOSTNADER);
    assert_int_equal(m.rejected, 5);
    assert_int_equal(m.rows->nrows, 3);
    assert_int_equal(m.rows->dropped, 2);
    assert_int_equal(m.rows->dropped_aar, 2019);
    assert_int_equal(m.rows->lines[1], 11);
    for (int c = 0; c < def->ncols; c++) {
        if (def->cols[c].type == KH_COL_DEC) {
            char want[16];
            snprintf(want, sizeof want, "2.%d", c);
            assert_string_equal(kh_rows_text(m.rows, c, 2), want);
        } else {
            assert_int_equal(m.rows->col[c].i64[2], 2000 + c);
        }
    }
    kh_msg_free(&m);
}

static void test_anonymised_rows(void **state)
{
    (void)state;
    kh_table_t t = KH_TAB_F_INTRO;
    const kh_tabledef_t *def = kh_schema_table(t);
    kh_rows_t *rows = kh_rows_new(t, 2);
    int64_t v[KH_MAX_COLS] = {0};
    kh_rows_append(rows, 2, v, NULL);
    kh_rows_append(rows, 3, v, NULL);
    kh_rows_make_pseudo(rows);
    for (int c = 0; c < def->ncols; c++)
        if (def->cols[c].type == KH_COL_ID)
            memset(kh_rows_pseudo(rows, c, 1), 0xa5, KH_PSEUDO_LEN);
    kh_env_t env;
    kh_env_set(&env, KH_MSG_ROWS, "run", t, 0);
    kh_tablemeta_t meta = sample_meta(t);
    kh_packed_t p, again;
    kh_msg_pack_rows(&p, &env, &meta, rows, 0);
    kh_msg_t m, m2;
    assert_int_equal(kh_msg_unpack(p.data, p.len, &m), 0);
    assert_true(m.rows->anonymised);
    kh_msg_pack(&again, &m);
    assert_memory_equal(again.data, p.data, p.len);
    assert_int_equal(kh_msg_unpack(again.data, again.len, &m2), 0);
    assert_true(kh_msg_equal(&m, &m2));
    kh_msg_free(&m);
    kh_msg_free(&m2);
    kh_rows_destroy(&rows);
    free(p.data);
    free(again.data);
}

static void test_eot(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_EOT, &m);
    assert_int_equal(m.eot.batches, 12);
    assert_int_equal(m.eot.rows, 65537);
    assert_int_equal(m.eot.bytes, 1u << 30);
    assert_int_equal(m.eot.crc32, 0x1234abcdu);
    assert_int_equal(m.eot.present, 1);
    assert_string_equal(m.eot.file, "bosatte.csv");
    kh_msg_free(&m);
}

static void test_rejects(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_REJECTS, &m);
    assert_string_equal(m.rejects.file, "shj.csv");
    assert_int_equal(m.rejects.n, 3);
    assert_int_equal(m.rejects.items[2].line, 102);
    assert_int_equal(m.rejects.items[2].reason, KH_R_COUNT - 1);
    assert_string_equal(m.rejects.items[1].column, "belop");
    assert_string_equal(m.rejects.items[1].value, "12x");
    kh_msg_free(&m);
}

static void test_ack(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_ACK, &m);
    assert_int_equal(m.ack_eot, 1);
    assert_int_equal(m.env.seq, 9);
    kh_msg_free(&m);
}

static void test_persons(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_PERSONS, &m);
    assert_int_equal(m.last, 1);
    assert_int_equal(m.npersons, 2);
    const kh_person_t *p = &m.persons[1];
    assert_int_equal(p->cohort, 2020);
    assert_int_equal(p->home, 302);
    assert_int_equal(p->status, 21);
    assert_int_equal(p->start_date, 17001);
    assert_int_equal(p->exit_date, 18001);
    assert_int_equal(p->resident, 1);
    assert_int_equal(p->work, 1);
    assert_int_equal(p->education, 0);
    assert_true(p->sa_amount == (int64_t)1 << 34);
    assert_int_equal(p->landbakgrunn, -1);
    assert_int_equal(p->kjonn, -1);
    assert_int_equal(p->followup[KH_FOLLOWUP_NHORIZONS - 1], KH_FOLLOWUP_NHORIZONS);
    kh_msg_free(&m);
}

static void test_refdata(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_REFDATA, &m);
    assert_int_equal(m.ref.nmonitor, 2);
    assert_int_equal(m.ref.monitor[0].landbakgrunn, 242);
    assert_string_equal(m.ref.monitor[1].andel, "0.5");
    assert_int_equal(m.ref.nnational, 1);
    assert_int_equal(m.ref.national[0].year, 2023);
    assert_int_equal(m.ref.ncost, 2);
    assert_int_equal(m.ref.cost[1].kommnr, 4601);
    assert_string_equal(m.ref.cost[0].total, "1000.5");
    assert_string_equal(m.ref.cost[0].admin, "20");
    assert_string_equal(m.ref.cost[0].persons, "12");
    kh_msg_free(&m);
}

static void test_ledger(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_LEDGER, &m);
    kh_ledger_t l = sample_ledger_full();
    assert_memory_equal(&m.ledger, &l, sizeof l);
    kh_msg_free(&m);
}

static void test_indrows(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_INDROWS, &m);
    assert_int_equal(m.env.table, KH_IND_FOLLOWUP);
    assert_int_equal(m.ref_year, 2023);
    assert_int_equal(m.last, 1);
    assert_int_equal(m.nindrows, 2);
    const kh_indrow_t *r = &m.indrows[1];
    assert_int_equal(r->kommnr, 0);
    assert_int_equal(r->key2, 2021);
    assert_int_equal(r->key3, 2);
    assert_int_equal(r->key4, 1);
    assert_int_equal(r->suppressed, 1);
    assert_int_equal(r->suppressed_mask, 0x5);
    assert_int_equal(r->present[0], 1);
    assert_int_equal(r->present[2], 0);
    assert_true(r->value[1] == -12346);
    kh_msg_free(&m);
}

static void test_stats(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_STATS, &m);
    assert_string_equal(m.stats.stage, "validate");
    assert_int_equal(m.stats.worker, 3);
    assert_int_equal(m.stats.pid, 4242);
    assert_int_equal(m.stats.state, KH_ST_WORKING);
    assert_int_equal(m.stats.uptime_ns, 5000000000u);
    assert_int_equal(m.stats.tables[KH_TAB_COUNT - 1].bytes_read, 4096u * (KH_TAB_COUNT - 1));
    kh_msg_free(&m);
}

static void test_result(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_RESULT, &m);
    assert_int_equal(m.ok, 0);
    assert_string_equal(m.reason, "kohort-link died (signal 9)");
    kh_ledger_t l = sample_ledger_full();
    assert_memory_equal(&m.ledger, &l, sizeof l);
    kh_msg_free(&m);
}

static void test_fail(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_FAIL, &m);
    assert_string_equal(m.reason, "f_intro.csv: required column 'fnr' is missing");
    kh_msg_free(&m);
}

static void test_resend(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_RESEND, &m);
    assert_string_equal(m.env.run, "run-resend");
    kh_msg_free(&m);
}

static void test_range(void **state)
{
    (void)state;
    kh_msg_t m;
    round_trip(KH_MSG_RANGE, &m);
    assert_int_equal(m.env.table, KH_TAB_BOSATTE);
    assert_int_equal(m.env.seq, 6);
    assert_string_equal(m.env.run, "run-range");
    assert_null(m.raw);
    assert_non_null(m.range);
    kh_range_t *want = sample_range();
    const kh_range_t *r = m.range;
    assert_memory_equal(&m.meta, &want->meta, sizeof want->meta);
    assert_memory_equal(&r->meta, &want->meta, sizeof want->meta);
    assert_string_equal(r->meta.file, "bosatte.csv");
    assert_true(r->id.dev == want->id.dev);
    assert_true(r->id.ino == want->id.ino);
    assert_true(r->id.size == want->id.size);
    assert_true(r->id.mtime_ns == want->id.mtime_ns);
    assert_true(r->id.ctime_ns == want->id.ctime_ns);
    assert_true(r->off == want->off);
    assert_true(r->len == want->len);
    assert_true(r->off + r->len == r->id.size);
    assert_int_equal(r->line, 70001);
    assert_true(r->line_limit == want->line_limit);
    assert_int_equal(r->nrows, want->nrows);
    assert_memory_equal(r->flags, want->flags, want->nrows);
    kh_range_destroy(&want);
    assert_null(want);
    kh_msg_free(&m);
    assert_null(m.range);
}

/* What to change in the RANGE sample before packing it. */
typedef enum {
    EDIT_NONE,
    EDIT_EMPTY_AT_END,          /* off == size, len 0 */
    EDIT_WHOLE_SMALL_FILE,      /* [0, size) */
    EDIT_LINE_LIMIT_ONE,
    EDIT_NO_ROWS,
    EDIT_NEGATIVE_MTIME,        /* a file of before 1970 */
    EDIT_FILE_INNER_DOTS,       /* "bosatte..csv": dots, not at the start */
    EDIT_REFUSED,               /* the ones below must be refused */
    EDIT_LEN_PAST_END = EDIT_REFUSED,
    EDIT_OFF_PAST_END,
    EDIT_LEN_WRAPS,             /* off + len wraps around 2^64 to a small number */
    EDIT_SMALL_FILE_PAST_END,
    EDIT_LINE_LIMIT_ZERO,
    EDIT_LINE_ZERO,
    EDIT_FILE_SLASH,
    EDIT_FILE_PARENT,
    EDIT_FILE_ABSOLUTE,
    EDIT_FILE_TRAILING_SLASH,
    EDIT_FILE_DOT,
    EDIT_FILE_DOTDOT,
    EDIT_FILE_HIDDEN,
    EDIT_FILE_EMPTY,
    EDIT_TABLE_NONE,
    EDIT_TABLE_PAST_END,
    EDIT_COUNT
} range_edit_t;

static void edit_range(range_edit_t what, kh_env_t *env, kh_range_t *r)
{
    static const char *const files[EDIT_COUNT] = {
        [EDIT_FILE_INNER_DOTS] = "bosatte..csv",
        [EDIT_FILE_SLASH] = "sub/bosatte.csv",
        [EDIT_FILE_PARENT] = "../bosatte.csv",
        [EDIT_FILE_ABSOLUTE] = "/etc/passwd",
        [EDIT_FILE_TRAILING_SLASH] = "bosatte.csv/",
        [EDIT_FILE_DOT] = ".",
        [EDIT_FILE_DOTDOT] = "..",
        [EDIT_FILE_HIDDEN] = ".bosatte.csv",
        [EDIT_FILE_EMPTY] = "",
    };
    if (files[what])
        snprintf(r->meta.file, sizeof r->meta.file, "%s", files[what]);
    switch (what) {
    case EDIT_EMPTY_AT_END: r->off = r->id.size; r->len = 0; break;
    case EDIT_WHOLE_SMALL_FILE: r->id.size = 100; r->off = 0; r->len = 100; break;
    case EDIT_LINE_LIMIT_ONE: r->line_limit = 1; break;
    case EDIT_NO_ROWS: r->nrows = 0; break;
    case EDIT_NEGATIVE_MTIME: r->id.mtime_ns = -1234567890123; break;
    case EDIT_LEN_PAST_END: r->len++; break;
    case EDIT_OFF_PAST_END: r->off = r->id.size + 1; r->len = 0; break;
    case EDIT_LEN_WRAPS: r->off = 16; r->len = UINT64_MAX - 8; break;
    case EDIT_SMALL_FILE_PAST_END: r->id.size = 100; r->off = 40; r->len = 61; break;
    case EDIT_LINE_LIMIT_ZERO: r->line_limit = 0; break;
    case EDIT_LINE_ZERO: r->line = 0; break;
    case EDIT_TABLE_NONE: env->table = -1; break;
    case EDIT_TABLE_PAST_END: env->table = KH_TAB_COUNT; break;
    default: break;
    }
}

/* The RANGE sample with one thing changed, packed and decoded: the
 * decoder's result. What is taken packs back into the same bytes. */
static int decode_range_edited(range_edit_t what)
{
    kh_env_t env;
    kh_env_set(&env, KH_MSG_RANGE, "run-range", KH_TAB_BOSATTE, 6);
    kh_range_t *r = sample_range();
    edit_range(what, &env, r);
    kh_packed_t p;
    kh_msg_pack_range(&p, &env, r);
    kh_range_destroy(&r);
    kh_msg_t m;
    int rc = kh_msg_unpack(p.data, p.len, &m);
    if (rc == 0) {
        kh_packed_t again;
        kh_msg_pack(&again, &m);
        assert_int_equal(again.len, p.len);
        assert_memory_equal(again.data, p.data, p.len);
        free(again.data);
        kh_msg_free(&m);
    } else {
        assert_null(m.range);
    }
    free(p.data);
    return rc;
}

/* The decoder takes only a range inside the file as ingest saw it, with a
 * line and a line limit, of a plain name in the extract directory, in an
 * envelope naming a register table. */
static void test_range_refused(void **state)
{
    (void)state;
    for (int what = 0; what < EDIT_COUNT; what++) {
        int rc = decode_range_edited((range_edit_t)what);
        int want = what < EDIT_REFUSED ? 0 : KH_E_DECODE;
        if (rc != want)
            fail_msg("edit %d: decoder returned %d, want %d", what, rc, want);
    }
}

/* Every proper prefix of every sample is refused, and a changed field makes
 * messages unequal. */
static void test_truncated_and_unequal(void **state)
{
    (void)state;
    for (int k = 1; k < KH_MSG_KIND_MAX; k++) {
        kh_packed_t p;
        sample_pack((kh_msgkind_t)k, &p);
        kh_msg_t m;
        for (size_t len = 0; len < p.len; len++)
            assert_int_equal(kh_msg_unpack(p.data, len, &m), KH_E_DECODE);
        kh_msg_t a, b;
        assert_int_equal(kh_msg_unpack(p.data, p.len, &a), 0);
        assert_int_equal(kh_msg_unpack(p.data, p.len, &b), 0);
        assert_true(kh_msg_equal(&a, &b));
        b.env.seq++;
        assert_false(kh_msg_equal(&a, &b));
        kh_msg_free(&a);
        kh_msg_free(&b);
        free(p.data);
    }
}

static int pack_one_reject(int reason, kh_packed_t *p)
{
    kh_env_t env;
    kh_env_set(&env, KH_MSG_REJECTS, "run", KH_TAB_SHJ, 0);
    kh_rejects_t rej;
    kh_rejects_init(&rej, "shj.csv");
    kh_rejects_add(&rej)->reason = reason;
    kh_msg_pack_rejects(p, &env, &rej);
    kh_rejects_free(&rej);
    kh_msg_t m;
    int rc = kh_msg_unpack(p->data, p->len, &m);
    if (rc == 0)
        kh_msg_free(&m);
    free(p->data);
    return rc;
}

static void test_reason_range(void **state)
{
    (void)state;
    kh_packed_t p;
    assert_int_equal(pack_one_reject(0, &p), KH_E_DECODE);
    assert_int_equal(pack_one_reject(1, &p), 0);
    assert_int_equal(pack_one_reject(KH_REASON_CODE_MAX, &p), 0);
    assert_int_equal(pack_one_reject(KH_REASON_CODE_MAX + 1, &p), KH_E_DECODE);
    assert_int_equal(pack_one_reject(-3, &p), KH_E_DECODE);
}

/* A row-carrying kind must name a register table, INDROWS an indicator
 * table. */
static void test_envelope_table(void **state)
{
    (void)state;
    kh_env_t env;
    kh_packed_t p;
    kh_msg_t m;
    kh_eot_t eot;
    memset(&eot, 0, sizeof eot);
    kh_env_set(&env, KH_MSG_EOT, "run", KH_TAB_COUNT, 0);
    kh_msg_pack_eot(&p, &env, &eot);
    assert_int_equal(kh_msg_unpack(p.data, p.len, &m), KH_E_DECODE);
    free(p.data);
    kh_env_set(&env, KH_MSG_EOT, "run", -1, 0);
    kh_msg_pack_eot(&p, &env, &eot);
    assert_int_equal(kh_msg_unpack(p.data, p.len, &m), KH_E_DECODE);
    free(p.data);
    kh_env_set(&env, KH_MSG_INDROWS, "run", KH_IND_COUNT, 0);
    kh_msg_pack_indrows(&p, &env, 2023, NULL, 0, 1);
    assert_int_equal(kh_msg_unpack(p.data, p.len, &m), KH_E_DECODE);
    free(p.data);
    kh_env_set(&env, KH_MSG_FAIL, "run", 17, 0); /* a kind that names none takes any */
    kh_msg_pack_fail(&p, &env, "x");
    assert_int_equal(kh_msg_unpack(p.data, p.len, &m), 0);
    kh_msg_free(&m);
    free(p.data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_raw),
        cmocka_unit_test(test_rows),
        cmocka_unit_test(test_anonymised_rows),
        cmocka_unit_test(test_eot),
        cmocka_unit_test(test_rejects),
        cmocka_unit_test(test_ack),
        cmocka_unit_test(test_persons),
        cmocka_unit_test(test_refdata),
        cmocka_unit_test(test_ledger),
        cmocka_unit_test(test_indrows),
        cmocka_unit_test(test_stats),
        cmocka_unit_test(test_result),
        cmocka_unit_test(test_fail),
        cmocka_unit_test(test_resend),
        cmocka_unit_test(test_range),
        cmocka_unit_test(test_range_refused),
        cmocka_unit_test(test_truncated_and_unequal),
        cmocka_unit_test(test_reason_range),
        cmocka_unit_test(test_envelope_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
