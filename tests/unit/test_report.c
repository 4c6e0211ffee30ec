/* test_report.c - unit tests of cli/muninames.c (the name table: sorted,
 * covering every code `kohort gen` produces, labels) and of cli/report.c on
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

static void empty_store_has_nothing_to_report(void **state)
{
    (void)state;
    char dir[] = "/tmp/kohort-report-unit.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/st", dir);
    kh_store_t *s = NULL;
    assert_int_equal(kh_store_open(path, 1, 0, &s), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    char why[200] = "";
    kh_report_opts_t opts = {0, NULL, 0, path, 0};
    assert_int_equal(kh_report_write(s, &opts, out, why, sizeof why), KH_E_NOTFOUND);
    fclose(out);
    assert_int_equal(len, 0);
    assert_non_null(strstr(why, "no indicators"));
    free(buf);
    kh_store_close(&s);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_is_sorted),
        cmocka_unit_test(every_generated_code_is_named),
        cmocka_unit_test(labels),
        cmocka_unit_test(empty_store_has_nothing_to_report),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
