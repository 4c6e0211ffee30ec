/* test_report.c - unit tests of cli/muninames.c (the name table: sorted,
 * covering every code `kohort gen` produces, labels; names stored by runs
 * over the built-in ones, per reference year) and of cli/report.c on
 * a store without indicators. The pages themselves are checked end to end
 * in tests/e2e/test_report.sh. */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/muninames.h"
#include "cli/report.h"
#include "gen/muni.h"
#include "proto/err.h"

static void table_is_sorted(void **state)
{
    (void)state;
    int n = kh_muninames_count();
    assert_true(n > 100);
    for (int i = 1; i < n; i++)
        assert_true(kh_muninames_code(i - 1) < kh_muninames_code(i));
    assert_int_equal(kh_muninames_code(n), -1);
    for (int i = 0; i < n; i++)
        assert_non_null(kh_muninames_name(kh_muninames_code(i)));
}

/* Every code the generator gives a place in any year has a name; where no
 * other place shares the code (mergers do), it is the place's name. */
static void every_generated_code_is_named(void **state)
{
    (void)state;
    for (int p = 0; p < kh_gen_muni_count(); p++)
        for (int year = 2000; year <= 2030; year++) {
            int code = kh_gen_muni_code(p, year), shared = 0;
            for (int q = 0; q < kh_gen_muni_count(); q++)
                for (int y2 = 2000; y2 <= 2030; y2++)
                    shared |= q != p && kh_gen_muni_code(q, y2) == code;
            const char *name = kh_muninames_name(code);
            if (!name)
                fail_msg("code %04d of %s (%d) has no name", code, kh_gen_muni_name(p), year);
            if (!shared)
                assert_string_equal(name, kh_gen_muni_name(p));
        }
    const kh_gen_muni_change_t *ch;
    int n = kh_gen_muni_changes(&ch);
    for (int i = 0; i < n; i++) {
        assert_non_null(kh_muninames_name(ch[i].old_code));
        assert_non_null(kh_muninames_name(ch[i].new_code));
    }
    assert_string_equal(kh_muninames_name(3030), "Lillestrøm");
    assert_string_equal(kh_muninames_name(1507), "Ålesund");
}

static void labels(void **state)
{
    (void)state;
    char buf[64];
    assert_string_equal(kh_muninames_label(301, buf, sizeof buf), "Oslo (0301)");
    assert_string_equal(kh_muninames_label(3201, buf, sizeof buf), "Bærum (3201)");
    assert_string_equal(kh_muninames_label(9999, buf, sizeof buf), "9999");
    assert_string_equal(kh_muninames_label(0, buf, sizeof buf), "All municipalities");
    assert_null(kh_muninames_name(9999));
    assert_null(kh_muninames_name(0));
    char small[8];
    kh_muninames_label(301, small, sizeof small); /* truncates, stays terminated */
    assert_int_equal(strlen(small), sizeof small - 1);
}

/* A new store in a temporary directory, removed after the test. */
typedef struct {
    char dir[32];
    char path[64];
    kh_store_t *store;
} tmpstore_t;

static int tmpstore_setup(void **state)
{
    tmpstore_t *t = calloc(1, sizeof *t);
    assert_non_null(t);
    snprintf(t->dir, sizeof t->dir, "/tmp/kohort-report-unit.XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/st", t->dir);
    assert_int_equal(kh_store_open(t->path, 1, 0, &t->store), 0);
    *state = t;
    return 0;
}

static int tmpstore_teardown(void **state)
{
    tmpstore_t *t = *state;
    kh_store_close(&t->store);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", t->dir);
    int rc = system(cmd);
    free(t);
    return rc;
}

static void empty_store_has_nothing_to_report(void **state)
{
    tmpstore_t *t = *state;
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    char why[200] = "";
    kh_report_opts_t opts = {0, NULL, 0, t->path, 0};
    assert_int_equal(kh_report_write(t->store, &opts, out, why, sizeof why), KH_E_NOTFOUND);
    fclose(out);
    assert_int_equal(len, 0);
    assert_non_null(strstr(why, "no indicators"));
    free(buf);
}

/* Names stored with 2023 and 2024: a stored name wins over the built-in
 * one, per year; a code no year names falls back to the built-in list. */
static void stored_names_win(void **state)
{
    kh_store_t *s = ((tmpstore_t *)*state)->store;
    kh_ref_name_t n23[2] = {{301, "Oslo kommune"}, {5001, "Trondheim"}};
    kh_ref_name_t n24[2] = {{5001, "Trondheim - Tråante"}, {9998, "Nyby"}};
    kh_ref_name_t *names[2] = {n23, n24};
    for (int i = 0; i < 2; i++) {
        kh_runrec_t rec;
        memset(&rec, 0, sizeof rec);
        snprintf(rec.run, sizeof rec.run, "r%d", i);
        rec.ok = 1;
        rec.ledger.ref_year = 2023 + i;
        kh_refdata_t ref;
        memset(&ref, 0, sizeof ref);
        ref.names = names[i];
        ref.nnames = 2;
        kh_indrow_t *rows[KH_IND_COUNT] = {NULL};
        size_t nrows[KH_IND_COUNT] = {0};
        assert_int_equal(kh_store_commit(s, &rec, rows, nrows, &ref, NULL, 0), 0);
    }
    assert_int_equal(kh_muninames_load(s, 0), 0);
    assert_string_equal(kh_muninames_name_in(5001, 2024), "Trondheim - Tråante");
    assert_string_equal(kh_muninames_name_in(5001, 2023), "Trondheim");
    assert_string_equal(kh_muninames_name(5001), "Trondheim - Tråante"); /* the newest */
    assert_string_equal(kh_muninames_name_in(301, 2023), "Oslo kommune");
    assert_string_equal(kh_muninames_name_in(301, 2024), "Oslo");      /* built-in */
    assert_string_equal(kh_muninames_name(301), "Oslo kommune");
    assert_string_equal(kh_muninames_name_in(9998, 2024), "Nyby");
    assert_null(kh_muninames_name_in(9998, 2023));
    assert_string_equal(kh_muninames_name_in(1103, 2024), "Stavanger");
    char buf[64];
    assert_string_equal(kh_muninames_label(9998, buf, sizeof buf), "Nyby (9998)");
    kh_muninames_unload();
    assert_string_equal(kh_muninames_name(5001), "Trondheim");
    assert_null(kh_muninames_name(9998));
    /* one year only */
    assert_int_equal(kh_muninames_load(s, 2023), 0);
    assert_string_equal(kh_muninames_name(5001), "Trondheim");
    assert_null(kh_muninames_name(9998));
    kh_muninames_unload();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_sorted),
        cmocka_unit_test(every_generated_code_is_named),
        cmocka_unit_test(labels),
        cmocka_unit_test_setup_teardown(stored_names_win, tmpstore_setup, tmpstore_teardown),
        cmocka_unit_test_setup_teardown(empty_store_has_nothing_to_report, tmpstore_setup,
                                        tmpstore_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
