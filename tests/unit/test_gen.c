/* test_gen.c - unit tests of `kohort gen` (gen/: gen.c, write.c, muni.c).
 *
 * Generates small synthetic extract directories in temporary directories and
 * checks determinism, headers, identifier and orgnr check digits, the share
 * of participants, the presence of every kind of bad row, gzip output and
 * the command's usage errors. Removes every directory it makes. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "gen/gen.h"
#include "gen/muni.h"
#include "gen/write.h"
#include "proto/date.h"
#include "proto/err.h"
#include "proto/schema.h"

#define PERSONS 2000

/* ---- Helpers ------------------------------------------------------------- */

static char *make_tmpdir(void)
{
    char *dir = strdup("/tmp/kh_test_gen_XXXXXX");
    assert_non_null(dir);
    assert_non_null(mkdtemp(dir));
    return dir;
}

static void remove_dir(char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(dir);
    free(dir);
}

static char *read_file(const char *dir, const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.csv", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

static void generate(const char *dir, uint64_t seed, int bad_rows, kh_gen_stats_t *stats)
{
    kh_gen_opts_t opts;
    kh_gen_opts_default(&opts);
    opts.out_dir = dir;
    opts.persons = PERSONS;
    opts.seed = seed;
    opts.bad_rows = bad_rows;
    assert_int_equal(kh_gen_run(&opts, stats), 0);
}

/* One parsed record: up to 9 fields, unquoted into `store`. */
typedef struct {
    int nfields;
    size_t len[9];
    char text[9][64];
} record_t;

/* Parse the record at *pos (RFC 4180 with ';', a quoted field may span
 * lines; malformed quoting is read leniently). Returns 0 at the end. */
static int next_record(const char *buf, size_t len, size_t *pos, record_t *rec)
{
    size_t p = *pos;
    if (p >= len)
        return 0;
    rec->nfields = 0;
    for (;;) {
        int f = rec->nfields < 9 ? rec->nfields : 8;
        size_t n = 0;
        if (p < len && buf[p] == '"') {
            p++;
            while (p < len) {
                if (buf[p] == '"' && p + 1 < len && buf[p + 1] == '"') {
                    p += 2;
                    if (n < 63)
                        rec->text[f][n++] = '"';
                } else if (buf[p] == '"') {
                    p++;
                    break;
                } else {
                    if (n < 63)
                        rec->text[f][n++] = buf[p];
                    p++;
                }
            }
        }
        while (p < len && buf[p] != ';' && buf[p] != '\n') {
            if (n < 63)
                rec->text[f][n++] = buf[p];
            p++;
        }
        rec->len[f] = n;
        rec->text[f][n] = '\0';
        if (rec->nfields < 9)
            rec->nfields++;
        if (p >= len || buf[p] == '\n') {
            *pos = p + 1;
            return 1;
        }
        p++; /* ';' */
    }
}

/* The identity-number rules of spec/extracts.md, for synthetic numbers
 * (month + 80), national ids and D-numbers (day + 40). */
static int synthetic_id_ok(const char *s, size_t n)
{
    static const int w1[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
    static const int w2[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
    if (n != 11)
        return 0;
    for (int i = 0; i < 11; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    int sum = 0;
    for (int i = 0; i < 9; i++)
        sum += w1[i] * (s[i] - '0');
    int k1 = (11 - sum % 11) % 11;
    if (k1 == 10 || k1 != s[9] - '0')
        return 0;
    sum = 0;
    for (int i = 0; i < 10; i++)
        sum += w2[i] * (s[i] - '0');
    int k2 = (11 - sum % 11) % 11;
    if (k2 == 10 || k2 != s[10] - '0')
        return 0;
    int day = (s[0] - '0') * 10 + (s[1] - '0');
    int month = (s[2] - '0') * 10 + (s[3] - '0');
    int yy = (s[4] - '0') * 10 + (s[5] - '0');
    if (day > 40)
        day -= 40;
    if (month < 81 || month > 92) /* must be synthetic */
        return 0;
    month -= 80;
    /* A year ending yy is a leap year in some century when yy % 4 == 0. */
    return kh_date_valid(yy % 4 == 0 ? 2000 + yy : 1900 + yy, month, day);
}

static int orgnr_ok(const char *s, size_t n)
{
    static const int w[8] = {3, 2, 7, 6, 5, 4, 3, 2};
    if (n != 9)
        return 0;
    int sum = 0;
    for (int i = 0; i < 9; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    for (int i = 0; i < 8; i++)
        sum += w[i] * (s[i] - '0');
    int c = 11 - sum % 11;
    if (c == 11)
        c = 0;
    return c != 10 && c == s[8] - '0';
}

/* Column indexes holding ids in table t (-1 terminated). */
static const int *id_columns(int t)
{
    static const int fnr_only[] = {0, -1};
    static const int history[] = {0, 1, -1};
    static const int none[] = {-1};
    if (t == KH_TAB_ID_HISTORIKK)
        return history;
    if (kh_schema_table((kh_table_t)t)->reference)
        return none;
    return fnr_only;
}

/* ---- Tests ------------------------------------------------------------------ */

static void test_same_seed_same_bytes(void **state)
{
    (void)state;
    char *a = make_tmpdir(), *b = make_tmpdir(), *c = make_tmpdir();
    generate(a, 7, 1, NULL);
    generate(b, 7, 1, NULL);
    generate(c, 8, 1, NULL);
    int differs = 0;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        const char *name = kh_schema_table((kh_table_t)t)->name;
        size_t la, lb, lc;
        char *fa = read_file(a, name, &la), *fb = read_file(b, name, &lb), *fc = read_file(c, name, &lc);
        assert_non_null(fa);
        assert_non_null(fb);
        assert_non_null(fc);
        assert_int_equal(la, lb);
        assert_memory_equal(fa, fb, la);
        if (la != lc || memcmp(fa, fc, la) != 0)
            differs++;
        free(fa);
        free(fb);
        free(fc);
    }
    /* Every population table depends on the seed. */
    assert_true(differs >= 7);
    remove_dir(a);
    remove_dir(b);
    remove_dir(c);
}

static void test_headers(void **state)
{
    (void)state;
    static const char *const expected[KH_TAB_COUNT] = {
        [KH_TAB_REF_KOMMUNEENDRINGER] = "gammel;ny;dato",
        [KH_TAB_REF_MONITOR] = "landbakgrunn;kjonn;andel",
        [KH_TAB_REF_NASJONAL] = "aar;andel",
        [KH_TAB_REF_KOSTNADER] = "kommnr;aar;utgifter_totalt;utgifter_admin;personer_malgruppe",
        [KH_TAB_ID_HISTORIKK] = "gammelt_id;nytt_id",
        [KH_TAB_F_INTRO] = "fnr;startdato;avgangsdato;sluttstatus",
        [KH_TAB_BOSATTE] = "fnr;aar;kommnr",
        [KH_TAB_BEFOLKNING] = "fnr;kjonn;fodselsdato;landbakgrunn",
        [KH_TAB_UTDANNING] = "fnr;aar;nus2000",
        [KH_TAB_SHJ] = "fnr;aar;belop;kommnr",
        [KH_TAB_F_JOBBER] = "fnr;orgnr;startdato;sluttdato",
        [KH_TAB_REF_KOMMUNENAVN] = "kommnr;navn",
    };
    char *dir = make_tmpdir();
    generate(dir, 1, 1, NULL);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        size_t len;
        char *buf = read_file(dir, kh_schema_table((kh_table_t)t)->name, &len);
        assert_non_null(buf);
        size_t hl = strlen(expected[t]);
        assert_true(len > hl);
        assert_memory_equal(buf, expected[t], hl);
        assert_int_equal(buf[hl], '\n');
        assert_null(strchr(buf, '\r')); /* LF line ends */
        free(buf);
    }
    remove_dir(dir);
}

/* Without bad rows every id and orgnr passes its checks, every row has the
 * header's field count and the participants are about 3 %. */
static void test_good_rows_valid(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    kh_gen_stats_t stats;
    generate(dir, 3, 0, &stats);
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        size_t len, pos = 0;
        char *buf = read_file(dir, kh_schema_table((kh_table_t)t)->name, &len);
        record_t rec, header;
        assert_true(next_record(buf, len, &pos, &header));
        uint64_t rows = 0;
        while (next_record(buf, len, &pos, &rec)) {
            rows++;
            assert_int_equal(rec.nfields, header.nfields);
            for (const int *c = id_columns(t); *c >= 0; c++)
                if (!synthetic_id_ok(rec.text[*c], rec.len[*c]))
                    fail_msg("%s: bad id '%s'", kh_schema_table((kh_table_t)t)->name, rec.text[*c]);
            if (t == KH_TAB_F_JOBBER)
                assert_true(orgnr_ok(rec.text[1], rec.len[1]));
        }
        for (int r = 0; r < KH_R_COUNT; r++)
            assert_int_equal(stats.bad[t][r], 0);
        assert_int_equal(rows, stats.rows[t]);
        assert_true(rows > 0);
        free(buf);
    }
    assert_in_range(stats.participants, PERSONS * 2 / 100, PERSONS * 4 / 100);
    remove_dir(dir);
}

/* Distinct participants in f_intro, counted through id_historikk. */
static void test_participant_share(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    generate(dir, 11, 0, NULL);
    size_t hlen, ilen, pos = 0;
    char *hist = read_file(dir, "id_historikk", &hlen);
    char *intro = read_file(dir, "f_intro", &ilen);
    char (*old_ids)[12] = calloc(1000, 12), (*new_ids)[12] = calloc(1000, 12);
    char (*seen)[12] = calloc(2000, 12);
    int nhist = 0, nseen = 0;
    record_t rec;
    next_record(hist, hlen, &pos, &rec);
    while (next_record(hist, hlen, &pos, &rec) && nhist < 1000) {
        memcpy(old_ids[nhist], rec.text[0], 12);
        memcpy(new_ids[nhist++], rec.text[1], 12);
    }
    pos = 0;
    next_record(intro, ilen, &pos, &rec);
    while (next_record(intro, ilen, &pos, &rec)) {
        char id[12];
        memcpy(id, rec.text[0], 12);
        for (int hops = 0; hops < 5; hops++) /* follow chains */
            for (int i = 0; i < nhist; i++)
                if (strcmp(old_ids[i], id) == 0)
                    memcpy(id, new_ids[i], 12);
        int known = 0;
        for (int i = 0; i < nseen && !known; i++)
            known = strcmp(seen[i], id) == 0;
        if (!known && nseen < 2000)
            memcpy(seen[nseen++], id, 12);
    }
    assert_in_range(nseen, PERSONS * 2 / 100, PERSONS * 4 / 100);
    free(old_ids);
    free(new_ids);
    free(seen);
    free(hist);
    free(intro);
    remove_dir(dir);
}

/* With bad rows: every reason of the brief appears, and bad ids are a small
 * share of the rows. */
static void test_bad_rows(void **state)
{
    (void)state;
    static const kh_reason_t wanted[] = {
        KH_R_FIELD_COUNT, KH_R_BAD_QUOTING, KH_R_ENCODING, KH_R_MISSING, KH_R_ID_FORMAT,
        KH_R_ID_CHECK_DIGIT, KH_R_ID_DATE, KH_R_ID_H_NUMBER, KH_R_ID_FH_NUMBER, KH_R_BAD_DATE,
        KH_R_END_BEFORE_START, KH_R_UNKNOWN_STATUS, KH_R_BAD_YEAR, KH_R_BAD_KOMMNR,
        KH_R_BAD_AMOUNT, KH_R_BAD_NUS, KH_R_BAD_ORGNR, KH_R_BAD_KJONN, KH_R_BAD_LANDBAKGRUNN,
        KH_R_BAD_SHARE, KH_R_ZERO_PERSONS, KH_R_DUPLICATE, KH_R_ID_CYCLE, KH_R_BAD_NAME};
    char *dir = make_tmpdir();
    kh_gen_stats_t stats;
    generate(dir, 5, 1, &stats);
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        uint64_t n = 0;
        for (int t = 0; t < KH_TAB_COUNT; t++)
            n += stats.bad[t][wanted[i]];
        if (n == 0)
            fail_msg("no bad row for reason %d", (int)wanted[i]);
    }
    /* Both f_intro and f_jobber have end-before-start rows. */
    assert_true(stats.bad[KH_TAB_F_INTRO][KH_R_END_BEFORE_START] > 0);
    assert_true(stats.bad[KH_TAB_F_JOBBER][KH_R_END_BEFORE_START] > 0);
    assert_true(stats.bad[KH_TAB_BOSATTE][KH_R_DUPLICATE] > 0);
    assert_true(stats.bad[KH_TAB_ID_HISTORIKK][KH_R_ID_CYCLE] >= 3);
    assert_true(stats.bad[KH_TAB_REF_KOMMUNENAVN][KH_R_BAD_NAME] >= 2);
    assert_true(stats.bad[KH_TAB_REF_KOMMUNENAVN][KH_R_DUPLICATE] == 1);

    uint64_t rows = 0, bad = 0, bad_ids = 0, id_rows = 0;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        rows += stats.rows[t];
        for (int r = 0; r < KH_R_COUNT; r++)
            bad += stats.bad[t][r];
        if (id_columns(t)[0] < 0)
            continue;
        size_t len, pos = 0;
        char *buf = read_file(dir, kh_schema_table((kh_table_t)t)->name, &len);
        record_t rec;
        next_record(buf, len, &pos, &rec);
        while (next_record(buf, len, &pos, &rec)) {
            id_rows++;
            if (!synthetic_id_ok(rec.text[0], rec.len[0]))
                bad_ids++;
        }
        free(buf);
    }
    assert_true(bad_ids > 0);
    assert_true(bad_ids * 100 < id_rows * 2);
    /* 0.5 - 2 % of all rows (small generations lean on the forced kinds). */
    assert_true(bad * 1000 >= rows * 5);
    assert_true(bad * 100 <= rows * 2);
    remove_dir(dir);
}

static void test_gzip(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    kh_gen_opts_t opts;
    kh_gen_opts_default(&opts);
    opts.out_dir = dir;
    opts.persons = 500;
    opts.gzip = 1;
    /* A plain file from an earlier generation must go: both would make the
     * extract unusable. */
    char path[512];
    snprintf(path, sizeof path, "%s/bosatte.csv", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("fnr;aar;kommnr\n", f);
    fclose(f);
    kh_gen_stats_t stats;
    assert_int_equal(kh_gen_run(&opts, &stats), 0);
    assert_int_equal(access(path, F_OK), -1);
    snprintf(path, sizeof path, "%s/bosatte.csv.gz", dir);
    gzFile gz = gzopen(path, "rb");
    assert_non_null(gz);
    char line[64];
    assert_non_null(gzgets(gz, line, sizeof line));
    assert_string_equal(line, "fnr;aar;kommnr\n");
    uint64_t lines = 0;
    while (gzgets(gz, line, sizeof line))
        lines += strchr(line, '\n') != NULL;
    assert_int_equal(gzclose(gz), Z_OK);
    assert_int_equal(lines, stats.rows[KH_TAB_BOSATTE]);
    remove_dir(dir);
}

static void test_usage_errors(void **state)
{
    (void)state;
    char a0[] = "gen", a1[] = "--persons", a2[] = "12x", a3[] = "--out", a4[] = "/tmp/x";
    char b1[] = "--ref-year", b2[] = "1999", c1[] = "--bogus", d1[] = "--help";
    char *no_out[] = {a0, a1, a2, NULL};
    assert_int_equal(kh_gen_main(1, no_out), 2);
    char *bad_persons[] = {a0, a3, a4, a1, a2, NULL};
    assert_int_equal(kh_gen_main(5, bad_persons), 2);
    char *bad_year[] = {a0, a3, a4, b1, b2, NULL};
    assert_int_equal(kh_gen_main(5, bad_year), 2);
    char *bogus[] = {a0, a3, a4, c1, NULL};
    assert_int_equal(kh_gen_main(4, bogus), 2);
    char *help[] = {a0, d1, NULL};
    assert_int_equal(kh_gen_main(2, help), 0);
    kh_gen_opts_t opts;
    kh_gen_opts_default(&opts);
    assert_int_equal(opts.persons, 100000);
    assert_int_equal(opts.seed, 1);
    assert_int_equal(opts.ref_year, 2024);
    assert_int_equal(kh_gen_run(&opts, NULL), KH_E_USAGE); /* no out_dir */
}

static void test_main_writes(void **state)
{
    (void)state;
    char *dir = make_tmpdir();
    char a0[] = "gen", a1[] = "--out", a3[] = "--persons", a4[] = "300", a5[] = "--seed", a6[] = "9";
    char *argv[] = {a0, a1, dir, a3, a4, a5, a6, NULL};
    assert_int_equal(kh_gen_main(7, argv), 0);
    size_t len;
    char *buf = read_file(dir, "befolkning", &len);
    assert_non_null(buf);
    free(buf);
    remove_dir(dir);
}

/* Municipality codes follow the changes the brief names. */
static void test_municipality_codes(void **state)
{
    (void)state;
    int baerum = -1, aalesund = -1, haram = -1;
    for (int i = 0; i < kh_gen_muni_count(); i++) {
        if (strcmp(kh_gen_muni_name(i), "Bærum") == 0)
            baerum = i;
        if (strcmp(kh_gen_muni_name(i), "Ålesund") == 0)
            aalesund = i;
        if (strcmp(kh_gen_muni_name(i), "Haram") == 0)
            haram = i;
    }
    assert_true(baerum >= 0 && aalesund >= 0 && haram >= 0);
    assert_int_equal(kh_gen_muni_code(baerum, 2019), 219);
    assert_int_equal(kh_gen_muni_code(baerum, 2020), 3024);
    assert_int_equal(kh_gen_muni_code(baerum, 2023), 3024);
    assert_int_equal(kh_gen_muni_code(baerum, 2024), 3201);
    assert_int_equal(kh_gen_muni_code(aalesund, 2021), 1507);
    assert_int_equal(kh_gen_muni_code(haram, 2021), 1507);
    assert_int_equal(kh_gen_muni_code(aalesund, 2024), 1508);
    assert_int_equal(kh_gen_muni_code(haram, 2024), 1580);
    const kh_gen_muni_change_t *changes;
    int n = kh_gen_muni_changes(&changes);
    int split = 0;
    for (int i = 0; i < n; i++)
        split += changes[i].old_code == 1507;
    assert_int_equal(split, 2);
    assert_int_equal(kh_gen_muni_pick(0.0, 0), 0); /* Oslo first and largest */
}

static void test_formatting(void **state)
{
    (void)state;
    char buf[24];
    assert_int_equal(kh_gen_fmt_uint(buf, 301, 4), 4);
    assert_memory_equal(buf, "0301", 4);
    assert_int_equal(kh_gen_fmt_uint(buf, 0, 0), 1);
    assert_int_equal(buf[0], '0');
    kh_gen_row_t row;
    kh_gen_row_reset(&row);
    kh_gen_row_add_date(&row, kh_date_from_ymd(2016, 2, 29), 0);
    kh_gen_row_add_date(&row, kh_date_from_ymd(2016, 2, 29), 1);
    assert_int_equal(row.len[0], 10);
    assert_memory_equal(row.text[0], "2016-02-29", 10);
    assert_memory_equal(row.text[1], "20160229", 8);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_seed_same_bytes), cmocka_unit_test(test_headers),
        cmocka_unit_test(test_good_rows_valid),      cmocka_unit_test(test_participant_share),
        cmocka_unit_test(test_bad_rows),             cmocka_unit_test(test_gzip),
        cmocka_unit_test(test_usage_errors),         cmocka_unit_test(test_main_writes),
        cmocka_unit_test(test_municipality_codes),   cmocka_unit_test(test_formatting),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
