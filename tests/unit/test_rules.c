/* test_rules.c - unit tests of transform/rules.c: the row rules of every
 * register table with accepted and rejected rows, the first failing column
 * in header order (columns in non-canonical order too), cross-field rules,
 * reject values (masked ids), the duplicate-key set of reference tables,
 * and the plain path: every fixture whose header is canonical also goes
 * through it, and what it accepts the full path must accept with the same
 * values (test_plain_mutations tries thousands of damaged records too).
 *
 * All ids are synthetic numbers whose check digits were computed (see
 * test_idnum.c); no real person is involved. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "proto/csvfield.h"
#include "proto/date.h"
#include "proto/err.h"
#include "proto/reason.h"
#include "proto/schema.h"
#include "transform/rules.h"

#define FNR "15108695088"       /* valid, 15 October 86 */
#define FNR2 "29029600013"      /* valid, 29 February 96 */
#define DNR "55108695071"       /* valid D-number */
#define SYN "15908695043"       /* synthetic (month + 80) */
#define HNR "15508695060"       /* H-number (month + 40) */
#define BADCK "15108695077"     /* wrong check digits */

/* One record split on ';' (no quoting: the tests need none). */
typedef struct {
    char buf[512];
    kh_field_t fields[16];
    int nfields;
} record_t;

static void split(const char *line, record_t *r)
{
    size_t len = strlen(line);
    assert_true(len < sizeof r->buf);
    memcpy(r->buf, line, len + 1);
    r->nfields = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || r->buf[i] == ';') {
            assert_true(r->nfields < 16);
            r->fields[r->nfields].data = r->buf + start;
            r->fields[r->nfields].len = i - start;
            r->nfields++;
            start = i + 1;
        }
    }
}

/* The result of the last run(). */
static int64_t values[KH_MAX_COLS];
static const char *texts[KH_MAX_COLS];
static char textbuf[KH_RULES_TEXTCAP];
static kh_reject_t rej;
static int colmap[KH_MAX_COLS];

/* Maps the header like the header check does, then checks `line`. */
static int run(kh_table_t table, const char *header, const char *line,
               const kh_rules_opts_t *opts)
{
    record_t h, r;
    split(header, &h);
    split(line, &r);
    for (int c = 0; c < KH_MAX_COLS; c++)
        colmap[c] = -1;
    for (int i = 0; i < h.nfields; i++) {
        int c = kh_schema_column(table, h.fields[i].data, h.fields[i].len);
        if (c >= 0)
            colmap[c] = i;
    }
    for (int c = 0; c < kh_schema_table(table)->ncols; c++)
        assert_true(colmap[c] >= 0);
    memset(&rej, 0x55, sizeof rej);
    kh_rules_record_t in = {table, r.fields, r.nfields, h.nfields, colmap, opts};
    kh_rules_out_t out = {values, textbuf, sizeof textbuf, texts, &rej, NULL};
    int plain = kh_rules_check(&in, &out);
    /* the validator's memo of the last id (kept across every check of
     * this file) gives the same verdict, reject and values */
    static kh_idnum_memo_t memo;
    kh_reject_t plain_rej = rej;
    int64_t plain_values[KH_MAX_COLS];
    memcpy(plain_values, values, sizeof plain_values);
    memset(&rej, 0x55, sizeof rej);
    out.memo = &memo;
    assert_int_equal(kh_rules_check(&in, &out), plain);
    if (plain == 1)
        assert_memory_equal(&rej, &plain_rej, sizeof rej);
    else if (plain == 0)
        assert_memory_equal(values, plain_values, sizeof plain_values);
    /* the plain path, where the validator would take it, accepts only what
     * was accepted above, with the same values */
    const kh_tabledef_t *def = kh_schema_table(table);
    int canonical = h.nfields == def->ncols;
    for (int c = 0; c < def->ncols; c++)
        canonical = canonical && colmap[c] == c;
    kh_rules_plain_fn fn = kh_rules_plain_for(table);
    int64_t fast[KH_MAX_COLS];
    kh_rules_out_t fast_out = {fast, NULL, 0, NULL, NULL, &memo};
    if (fn && canonical && fn(line, strlen(line), opts, &fast_out) == 0) {
        assert_int_equal(plain, 0);
        assert_memory_equal(fast, plain_values, (size_t)def->ncols * sizeof *fast);
    }
    return plain;
}

#define ACCEPT(table, header, line) assert_int_equal(run(table, header, line, NULL), 0)

#define REJECT(table, header, line, why, at, shown)                                      \
    do {                                                                                 \
        assert_int_equal(run(table, header, line, NULL), 1);                             \
        assert_string_equal(kh_reason_name(rej.reason), kh_reason_name(why));            \
        assert_int_equal(rej.field, at);                                                 \
        assert_string_equal(rej.value, shown);                                           \
    } while (0)

static int64_t day(int y, int m, int d)
{
    return kh_date_from_ymd(y, m, d);
}

/* ---- f_intro ------------------------------------------------------------- */

#define INTRO "fnr;startdato;avgangsdato;sluttstatus"

static void test_f_intro_accepted(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-06-30;10");
    assert_true(values[KH_F_INTRO_FNR] == INT64_C(15108695088));
    assert_true(values[KH_F_INTRO_STARTDATO] == day(2020, 1, 15));
    assert_true(values[KH_F_INTRO_AVGANGSDATO] == day(2021, 6, 30));
    assert_true(values[KH_F_INTRO_SLUTTSTATUS] == 10);
    ACCEPT(KH_TAB_F_INTRO, INTRO, DNR ";20200115;20210630;11");
    assert_true(values[KH_F_INTRO_AVGANGSDATO] == day(2021, 6, 30));
    /* Still in the programme. */
    ACCEPT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;;");
    assert_true(values[KH_F_INTRO_AVGANGSDATO] == KH_NULL);
    assert_true(values[KH_F_INTRO_SLUTTSTATUS] == KH_NULL);
    /* A listed status without an exit is accepted (no exit). */
    ACCEPT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;;20");
    assert_true(values[KH_F_INTRO_AVGANGSDATO] == KH_NULL);
    assert_true(values[KH_F_INTRO_SLUTTSTATUS] == 20);
    /* Exit on the start day. */
    ACCEPT(KH_TAB_F_INTRO, INTRO, FNR2 ";2020-01-15;2020-01-15;90");
}

static void test_f_intro_status_codes(void **state)
{
    (void)state;
    static const char *listed[] = {"10", "11", "20", "21", "22", "30", "40", "50", "60", "70", "90"};
    for (size_t i = 0; i < sizeof listed / sizeof listed[0]; i++) {
        char line[64];
        strcpy(line, FNR ";2020-01-15;2021-01-15;");
        strcat(line, listed[i]);
        ACCEPT(KH_TAB_F_INTRO, INTRO, line);
    }
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-01-15;010", KH_R_UNKNOWN_STATUS, 3, "010");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-01-15;1", KH_R_UNKNOWN_STATUS, 3, "1");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-01-15;12", KH_R_UNKNOWN_STATUS, 3, "12");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-01-15;99", KH_R_UNKNOWN_STATUS, 3, "99");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-01-15;00", KH_R_UNKNOWN_STATUS, 3, "00");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-01-15;+1", KH_R_UNKNOWN_STATUS, 3, "+1");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-01-15;1O", KH_R_UNKNOWN_STATUS, 3, "1O");
    /* An unlisted status is wrong with or without an exit. */
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;;99", KH_R_UNKNOWN_STATUS, 3, "99");
}

static void test_f_intro_rejected(void **state)
{
    (void)state;
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2020-01-14;10", KH_R_END_BEFORE_START, 2,
           "2020-01-14");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-01-15;", KH_R_MISSING, 3, "");
    REJECT(KH_TAB_F_INTRO, INTRO, ";2020-01-15;2021-01-15;10", KH_R_MISSING, 0, "");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";;2021-01-15;10", KH_R_MISSING, 1, "");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-02-30;;", KH_R_BAD_DATE, 1, "2020-02-30");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-1-15;;", KH_R_BAD_DATE, 1, "2020-1-15");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";15.01.2020;;", KH_R_BAD_DATE, 1, "15.01.2020");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-13-01;10", KH_R_BAD_DATE, 2, "2021-13-01");
    /* A bad exit date is reported as such, not as a missing status. */
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;2021-13-01;", KH_R_BAD_DATE, 2, "2021-13-01");
    /* The id rules, with the id masked in the reject. */
    REJECT(KH_TAB_F_INTRO, INTRO, BADCK ";2020-01-15;;", KH_R_ID_CHECK_DIGIT, 0, "1510******7");
    REJECT(KH_TAB_F_INTRO, INTRO, HNR ";2020-01-15;;", KH_R_ID_H_NUMBER, 0, "1550******0");
    REJECT(KH_TAB_F_INTRO, INTRO, "1510869508;2020-01-15;;", KH_R_ID_FORMAT, 0, "15*******8");
    REJECT(KH_TAB_F_INTRO, INTRO, "123;2020-01-15;;", KH_R_ID_FORMAT, 0, "***");
    REJECT(KH_TAB_F_INTRO, INTRO, "81908612388;2020-01-15;;", KH_R_ID_FH_NUMBER, 0, "8190******8");
}

static void test_f_intro_options(void **state)
{
    (void)state;
    kh_rules_opts_t off = {0, 0}, synthetic = {1, 0};
    assert_int_equal(run(KH_TAB_F_INTRO, INTRO, SYN ";2020-01-15;;", &off), 1);
    assert_int_equal(rej.reason, KH_R_ID_SYNTHETIC);
    assert_int_equal(run(KH_TAB_F_INTRO, INTRO, SYN ";2020-01-15;;", NULL), 1);
    assert_int_equal(rej.reason, KH_R_ID_SYNTHETIC);
    assert_int_equal(run(KH_TAB_F_INTRO, INTRO, SYN ";2020-01-15;;", &synthetic), 0);
    assert_true(values[KH_F_INTRO_FNR] == INT64_C(15908695043));
    /* 01019010801: k1 = 0 leaves remainder 1 (2032 rule), k2 computed. */
    kh_rules_opts_t r2032 = {0, 1};
    assert_int_equal(run(KH_TAB_F_INTRO, INTRO, "01019010801;2020-01-15;;", &off), 1);
    assert_int_equal(rej.reason, KH_R_ID_CHECK_DIGIT);
    assert_int_equal(run(KH_TAB_F_INTRO, INTRO, "01019010801;2020-01-15;;", &r2032), 0);
}

static void test_f_intro_header_order(void **state)
{
    (void)state;
    const char *hdr = "sluttstatus;avgangsdato;fnr;startdato";
    /* Every column bad: the first in the file wins. */
    REJECT(KH_TAB_F_INTRO, hdr, "99;2020-13-01;123;", KH_R_UNKNOWN_STATUS, 0, "99");
    REJECT(KH_TAB_F_INTRO, hdr, "10;2020-13-01;123;", KH_R_BAD_DATE, 1, "2020-13-01");
    REJECT(KH_TAB_F_INTRO, hdr, "10;2020-12-01;123;", KH_R_ID_FORMAT, 2, "***");
    REJECT(KH_TAB_F_INTRO, hdr, "10;2020-12-01;" FNR ";", KH_R_MISSING, 3, "");
    ACCEPT(KH_TAB_F_INTRO, hdr, "10;2020-12-01;" FNR ";2020-01-01");
    assert_true(values[KH_F_INTRO_SLUTTSTATUS] == 10);
    assert_true(values[KH_F_INTRO_STARTDATO] == day(2020, 1, 1));
    /* Any exit date makes an empty status wrong, even a bad date; here the
     * status stands first in the file. */
    REJECT(KH_TAB_F_INTRO, hdr, ";2020-13-01;" FNR ";2020-01-01", KH_R_MISSING, 0, "");
    ACCEPT(KH_TAB_F_INTRO, hdr, ";;" FNR ";2020-01-01");
    /* An end before a bad start is not judged: the start is reported. */
    REJECT(KH_TAB_F_INTRO, hdr, "10;2020-12-01;" FNR ";2021-02-30", KH_R_BAD_DATE, 3, "2021-02-30");
    /* Cross-field rules stand at the column they name as wrong. */
    const char *hdr2 = "avgangsdato;sluttstatus;fnr;startdato";
    REJECT(KH_TAB_F_INTRO, hdr2, "2020-01-01;;" BADCK ";2021-01-01", KH_R_END_BEFORE_START, 0,
           "2020-01-01");
    REJECT(KH_TAB_F_INTRO, hdr2, "2021-01-01;;" BADCK ";2020-01-01", KH_R_MISSING, 1, "");
    REJECT(KH_TAB_F_INTRO, hdr2, "2021-01-01;10;" BADCK ";2020-01-01", KH_R_ID_CHECK_DIGIT, 2,
           "1510******7");
    /* Unknown extra columns are ignored, whatever they hold. */
    ACCEPT(KH_TAB_F_INTRO, "fnr;kommentar;startdato;avgangsdato;sluttstatus",
           FNR ";\xc3\xa6 = x;2020-01-15;;");
}

static void test_field_count(void **state)
{
    (void)state;
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;", KH_R_FIELD_COUNT, KH_RULES_NO_FIELD, "");
    REJECT(KH_TAB_F_INTRO, INTRO, FNR ";2020-01-15;;;", KH_R_FIELD_COUNT, KH_RULES_NO_FIELD, "");
    REJECT(KH_TAB_BOSATTE, "fnr;aar;kommnr", FNR, KH_R_FIELD_COUNT, KH_RULES_NO_FIELD, "");
}

/* ---- bosatte ------------------------------------------------------------- */

#define BOSATTE "fnr;aar;kommnr"

static void test_bosatte(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_BOSATTE, BOSATTE, FNR ";2021;0301");
    assert_true(values[KH_BOSATTE_AAR] == 2021);
    assert_true(values[KH_BOSATTE_KOMMNR] == 301);
    ACCEPT(KH_TAB_BOSATTE, BOSATTE, FNR ";1900;9999");
    ACCEPT(KH_TAB_BOSATTE, BOSATTE, FNR ";2100;0001");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";1899;0301", KH_R_BAD_YEAR, 1, "1899");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";2101;0301", KH_R_BAD_YEAR, 1, "2101");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";21;0301", KH_R_BAD_YEAR, 1, "21");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";02021;0301", KH_R_BAD_YEAR, 1, "02021");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";20a1;0301", KH_R_BAD_YEAR, 1, "20a1");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";;0301", KH_R_MISSING, 1, "");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";2021;0000", KH_R_BAD_KOMMNR, 2, "0000");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";2021;301", KH_R_BAD_KOMMNR, 2, "301");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";2021;03011", KH_R_BAD_KOMMNR, 2, "03011");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";2021;03O1", KH_R_BAD_KOMMNR, 2, "03O1");
    REJECT(KH_TAB_BOSATTE, BOSATTE, FNR ";2021;", KH_R_MISSING, 2, "");
    REJECT(KH_TAB_BOSATTE, "kommnr;aar;fnr", "0000;1800;x", KH_R_BAD_KOMMNR, 0, "0000");
    REJECT(KH_TAB_BOSATTE, "aar;kommnr;fnr", "1800;0000;x", KH_R_BAD_YEAR, 0, "1800");
}

/* ---- shj ----------------------------------------------------------------- */

#define SHJ "fnr;aar;belop"

static void test_shj(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_SHJ, SHJ, FNR ";2021;125000");
    assert_true(values[KH_SHJ_BELOP] == 125000);
    ACCEPT(KH_TAB_SHJ, SHJ, FNR ";2021;0");
    assert_true(values[KH_SHJ_BELOP] == 0);
    ACCEPT(KH_TAB_SHJ, SHJ, FNR ";2021;999999999");
    assert_true(values[KH_SHJ_BELOP] == INT64_C(999999999));
    /* a billion or more: no sum of a file's rows may overflow 64 bits */
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;1000000000", KH_R_BAD_AMOUNT, 2, "1000000000");
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;999999999999999999", KH_R_BAD_AMOUNT, 2,
           "9999*************9");
    ACCEPT(KH_TAB_SHJ, SHJ, FNR ";2021;000000000000000000000000000012"); /* 30 digits */
    assert_true(values[KH_SHJ_BELOP] == 12);
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;0000000000000000000000000000012", KH_R_BAD_AMOUNT, 2,
           "0000**************************2"); /* a long digit run is masked */
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;1000000000000000000", KH_R_BAD_AMOUNT, 2,
           "1000**************0");
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;-5", KH_R_BAD_AMOUNT, 2, "-5");
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;12.5", KH_R_BAD_AMOUNT, 2, "12.5");
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;12,00", KH_R_BAD_AMOUNT, 2, "12,00");
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;1 000", KH_R_BAD_AMOUNT, 2, "1 000");
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;1e3", KH_R_BAD_AMOUNT, 2, "1e3");
    REJECT(KH_TAB_SHJ, SHJ, FNR ";2021;", KH_R_MISSING, 2, "");
    REJECT(KH_TAB_SHJ, SHJ, FNR ";1066;5", KH_R_BAD_YEAR, 1, "1066");
    /* The optional kommnr column is not in the schema: never checked. */
    ACCEPT(KH_TAB_SHJ, "fnr;aar;kommnr;belop", FNR ";2021;0000;100");
    ACCEPT(KH_TAB_SHJ, "fnr;aar;kommnr;belop", FNR ";2021;;100");
    assert_true(values[KH_SHJ_BELOP] == 100);
}

/* ---- utdanning ----------------------------------------------------------- */

#define UTD "fnr;aar;nus2000"

static void test_utdanning(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_UTDANNING, UTD, FNR ";2021;412101");
    assert_true(values[KH_UTDANNING_NUS2000] == 412101);
    ACCEPT(KH_TAB_UTDANNING, UTD, FNR ";2021;012345");
    assert_true(values[KH_UTDANNING_NUS2000] == 12345);
    ACCEPT(KH_TAB_UTDANNING, UTD, FNR ";2021;999999");
    REJECT(KH_TAB_UTDANNING, UTD, FNR ";2021;41210", KH_R_BAD_NUS, 2, "41210");
    REJECT(KH_TAB_UTDANNING, UTD, FNR ";2021;4121011", KH_R_BAD_NUS, 2, "4121011");
    REJECT(KH_TAB_UTDANNING, UTD, FNR ";2021;41210a", KH_R_BAD_NUS, 2, "41210a");
    REJECT(KH_TAB_UTDANNING, UTD, FNR ";2021;", KH_R_MISSING, 2, "");
    REJECT(KH_TAB_UTDANNING, UTD, FNR ";202;412101", KH_R_BAD_YEAR, 1, "202");
}

/* ---- f_jobber ------------------------------------------------------------ */

#define JOBB "fnr;orgnr;startdato;sluttdato"

static void test_f_jobber(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_F_JOBBER, JOBB, FNR ";988077917;2020-01-01;");
    assert_true(values[KH_F_JOBBER_ORGNR] == 988077917);
    assert_true(values[KH_F_JOBBER_SLUTTDATO] == KH_NULL);
    ACCEPT(KH_TAB_F_JOBBER, JOBB, FNR ";988077917;2020-01-01;2020-12-31");
    assert_true(values[KH_F_JOBBER_SLUTTDATO] == day(2020, 12, 31));
    ACCEPT(KH_TAB_F_JOBBER, JOBB, FNR ";123456785;20200101;20200101");
    REJECT(KH_TAB_F_JOBBER, JOBB, FNR ";988077918;2020-01-01;", KH_R_BAD_ORGNR, 1, "988077918");
    REJECT(KH_TAB_F_JOBBER, JOBB, FNR ";98807791;2020-01-01;", KH_R_BAD_ORGNR, 1, "98807791");
    REJECT(KH_TAB_F_JOBBER, JOBB, FNR ";400000000;2020-01-01;", KH_R_BAD_ORGNR, 1, "400000000");
    REJECT(KH_TAB_F_JOBBER, JOBB, FNR ";;2020-01-01;", KH_R_MISSING, 1, "");
    REJECT(KH_TAB_F_JOBBER, JOBB, FNR ";988077917;2020-01-01;2019-12-31", KH_R_END_BEFORE_START, 3,
           "2019-12-31");
    REJECT(KH_TAB_F_JOBBER, JOBB, FNR ";988077917;;2019-12-31", KH_R_MISSING, 2, "");
    REJECT(KH_TAB_F_JOBBER, JOBB, FNR ";988077917;2020-02-30;2019-12-31", KH_R_BAD_DATE, 2,
           "2020-02-30");
    REJECT(KH_TAB_F_JOBBER, JOBB, FNR ";988077917;2020-01-01;31.12.2020", KH_R_BAD_DATE, 3,
           "31.12.2020");
    /* End date first in the file: its cross rule wins over a bad orgnr. */
    REJECT(KH_TAB_F_JOBBER, "sluttdato;startdato;orgnr;fnr", "2019-12-31;2020-01-01;1;" FNR,
           KH_R_END_BEFORE_START, 0, "2019-12-31");
}

/* ---- befolkning ---------------------------------------------------------- */

#define BEF "fnr;kjonn;fodselsdato;landbakgrunn"

static void test_befolkning(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_BEFOLKNING, BEF, FNR ";1;1986-10-15;000");
    assert_true(values[KH_BEFOLKNING_KJONN] == 1);
    assert_true(values[KH_BEFOLKNING_FODSELSDATO] == day(1986, 10, 15));
    assert_true(values[KH_BEFOLKNING_LANDBAKGRUNN] == 0);
    ACCEPT(KH_TAB_BEFOLKNING, BEF, FNR2 ";2;19960229;452");
    assert_true(values[KH_BEFOLKNING_KJONN] == 2);
    assert_true(values[KH_BEFOLKNING_LANDBAKGRUNN] == 452);
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";0;1986-10-15;000", KH_R_BAD_KJONN, 1, "0");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";3;1986-10-15;000", KH_R_BAD_KJONN, 1, "3");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";*;1986-10-15;000", KH_R_BAD_KJONN, 1, "*");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";12;1986-10-15;000", KH_R_BAD_KJONN, 1, "12");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";K;1986-10-15;000", KH_R_BAD_KJONN, 1, "K");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";;1986-10-15;000", KH_R_MISSING, 1, "");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";1;1986-02-29;000", KH_R_BAD_DATE, 2, "1986-02-29");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";1;;000", KH_R_MISSING, 2, "");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";1;1986-10-15;12", KH_R_BAD_LANDBAKGRUNN, 3, "12");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";1;1986-10-15;1234", KH_R_BAD_LANDBAKGRUNN, 3, "1234");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";1;1986-10-15;*", KH_R_BAD_LANDBAKGRUNN, 3, "*");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";1;1986-10-15;NOR", KH_R_BAD_LANDBAKGRUNN, 3, "NOR");
    REJECT(KH_TAB_BEFOLKNING, BEF, FNR ";1;1986-10-15;", KH_R_MISSING, 3, "");
    REJECT(KH_TAB_BEFOLKNING, "landbakgrunn;fodselsdato;kjonn;fnr", "NOR;x;3;" BADCK,
           KH_R_BAD_LANDBAKGRUNN, 0, "NOR");
}

/* ---- id_historikk -------------------------------------------------------- */

#define IDH "gammelt_id;nytt_id"

static void test_id_historikk(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_ID_HISTORIKK, IDH, DNR ";" FNR);
    assert_true(values[KH_ID_HISTORIKK_GAMMELT_ID] == INT64_C(55108695071));
    assert_true(values[KH_ID_HISTORIKK_NYTT_ID] == INT64_C(15108695088));
    /* A self-link is a cycle, judged by the linker, not here. */
    ACCEPT(KH_TAB_ID_HISTORIKK, IDH, FNR ";" FNR);
    REJECT(KH_TAB_ID_HISTORIKK, IDH, DNR ";" BADCK, KH_R_ID_CHECK_DIGIT, 1, "1510******7");
    REJECT(KH_TAB_ID_HISTORIKK, IDH, HNR ";" BADCK, KH_R_ID_H_NUMBER, 0, "1550******0");
    REJECT(KH_TAB_ID_HISTORIKK, IDH, DNR ";", KH_R_MISSING, 1, "");
    REJECT(KH_TAB_ID_HISTORIKK, "nytt_id;gammelt_id", "12345678;" HNR, KH_R_ID_FORMAT, 0,
           "12*****8");
}

/* ---- reference tables ---------------------------------------------------- */

#define MON "landbakgrunn;kjonn;andel"

static void test_ref_monitor(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_REF_MONITOR, MON, "*;*;0.62");
    assert_true(values[KH_REF_MONITOR_LANDBAKGRUNN] == KH_STAR);
    assert_true(values[KH_REF_MONITOR_KJONN] == KH_STAR);
    assert_string_equal(texts[KH_REF_MONITOR_ANDEL], "0.62");
    assert_null(texts[KH_REF_MONITOR_KJONN]);
    ACCEPT(KH_TAB_REF_MONITOR, MON, "111;2;0,5");
    assert_true(values[KH_REF_MONITOR_LANDBAKGRUNN] == 111);
    assert_true(values[KH_REF_MONITOR_KJONN] == 2);
    assert_string_equal(texts[KH_REF_MONITOR_ANDEL], "0.5");
    ACCEPT(KH_TAB_REF_MONITOR, MON, "111;*;1");
    ACCEPT(KH_TAB_REF_MONITOR, MON, "*;1;1.000");
    ACCEPT(KH_TAB_REF_MONITOR, MON, "000;1;0");
    ACCEPT(KH_TAB_REF_MONITOR, MON, "000;1;00.25");
    ACCEPT(KH_TAB_REF_MONITOR, MON, "000;1;01");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;1.0001", KH_R_BAD_SHARE, 2, "1.0001");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;2", KH_R_BAD_SHARE, 2, "2");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;10", KH_R_BAD_SHARE, 2, "10");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;-0.1", KH_R_BAD_SHARE, 2, "-0.1");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;.5", KH_R_BAD_SHARE, 2, ".5");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;5.", KH_R_BAD_SHARE, 2, "5.");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;0.5.1", KH_R_BAD_SHARE, 2, "0.5.1");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;0.5,1", KH_R_BAD_SHARE, 2, "0.5,1");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;50%", KH_R_BAD_SHARE, 2, "50%");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;1;", KH_R_MISSING, 2, "");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;3;0.5", KH_R_BAD_KJONN, 1, "3");
    REJECT(KH_TAB_REF_MONITOR, MON, "111;**;0.5", KH_R_BAD_KJONN, 1, "**");
    REJECT(KH_TAB_REF_MONITOR, MON, "11;1;0.5", KH_R_BAD_LANDBAKGRUNN, 0, "11");
    REJECT(KH_TAB_REF_MONITOR, MON, "**;1;0.5", KH_R_BAD_LANDBAKGRUNN, 0, "**");
    /* KH_RULES_DEC_MAX characters are accepted, one more is not. */
    char line[128] = "111;1;0.";
    memset(line + 8, '1', KH_RULES_DEC_MAX - 2);
    line[6 + KH_RULES_DEC_MAX] = '\0';
    ACCEPT(KH_TAB_REF_MONITOR, MON, line);
    assert_int_equal(strlen(texts[KH_REF_MONITOR_ANDEL]), KH_RULES_DEC_MAX);
    line[6 + KH_RULES_DEC_MAX] = '1';
    line[7 + KH_RULES_DEC_MAX] = '\0';
    assert_int_equal(run(KH_TAB_REF_MONITOR, MON, line, NULL), 1);
    assert_int_equal(rej.reason, KH_R_BAD_SHARE);
}

static void test_ref_nasjonal(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_REF_NASJONAL, "aar;andel", "2020;0.55");
    assert_true(values[KH_REF_NASJONAL_AAR] == 2020);
    assert_string_equal(texts[KH_REF_NASJONAL_ANDEL], "0.55");
    ACCEPT(KH_TAB_REF_NASJONAL, "andel;aar", "0,4;2021");
    assert_string_equal(texts[KH_REF_NASJONAL_ANDEL], "0.4");
    REJECT(KH_TAB_REF_NASJONAL, "aar;andel", "1899;0.5", KH_R_BAD_YEAR, 0, "1899");
    REJECT(KH_TAB_REF_NASJONAL, "aar;andel", "2020;1,5", KH_R_BAD_SHARE, 1, "1,5");
    REJECT(KH_TAB_REF_NASJONAL, "andel;aar", "1,5;1899", KH_R_BAD_SHARE, 0, "1,5");
}

#define KOST "kommnr;aar;utgifter_totalt;utgifter_admin;personer_malgruppe"

static void test_ref_kostnader(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;123456789,50;1000;250.5");
    assert_true(values[KH_REF_KOSTNADER_KOMMNR] == 301);
    assert_true(values[KH_REF_KOSTNADER_AAR] == 2022);
    assert_string_equal(texts[KH_REF_KOSTNADER_UTGIFTER_TOTALT], "123456789.50");
    assert_string_equal(texts[KH_REF_KOSTNADER_UTGIFTER_ADMIN], "1000");
    assert_string_equal(texts[KH_REF_KOSTNADER_PERSONER_MALGRUPPE], "250.5");
    ACCEPT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;0;0;0.1");
    /* At most 20 digits before the separator. */
    ACCEPT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;99999999999999.5;1;1");
    assert_string_equal(texts[KH_REF_KOSTNADER_UTGIFTER_TOTALT], "99999999999999.5");
    /* 10^14 NOK or more, or that much per person, is out of range */
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;12345678901234567890.5;1;1", KH_R_BAD_AMOUNT, 2,
           "1234***************0.5");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1;100000000000000;1", KH_R_BAD_AMOUNT, 3,
           "1000**********0");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1000;10;0.00000000000000000001", KH_R_BAD_AMOUNT,
           4, "0.0000***************1");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;0;1000;0.000000000001", KH_R_BAD_AMOUNT, 4,
           "0.0000*******1");
    ACCEPT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1000;10;0.0001");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1;123456789012345678901;1", KH_R_BAD_AMOUNT, 3,
           "1234****************1");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;-1;0;1", KH_R_BAD_AMOUNT, 2, "-1");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1;1,;1", KH_R_BAD_AMOUNT, 3, "1,");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1;1 000;1", KH_R_BAD_AMOUNT, 3, "1 000");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1;1;0", KH_R_ZERO_PERSONS, 4, "0");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1;1;0.0", KH_R_ZERO_PERSONS, 4, "0.0");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1;1;00,000", KH_R_ZERO_PERSONS, 4, "00,000");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1;1;-3", KH_R_BAD_AMOUNT, 4, "-3");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;2022;1;1;", KH_R_MISSING, 4, "");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0000;2022;1;1;1", KH_R_BAD_KOMMNR, 0, "0000");
    REJECT(KH_TAB_REF_KOSTNADER, KOST, "0301;22;1;1;1", KH_R_BAD_YEAR, 1, "22");
    REJECT(KH_TAB_REF_KOSTNADER,
           "personer_malgruppe;utgifter_admin;utgifter_totalt;aar;kommnr", "0;x;y;1;0000",
           KH_R_ZERO_PERSONS, 0, "0");
}

#define KEND "gammel;ny;dato"

static void test_ref_kommuneendringer(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_REF_KOMMUNEENDRINGER, KEND, "0219;3024;2020-01-01");
    assert_true(values[KH_REF_KOMMUNEENDRINGER_GAMMEL] == 219);
    assert_true(values[KH_REF_KOMMUNEENDRINGER_NY] == 3024);
    assert_true(values[KH_REF_KOMMUNEENDRINGER_DATO] == day(2020, 1, 1));
    ACCEPT(KH_TAB_REF_KOMMUNEENDRINGER, KEND, "1601;5001;20180101");
    /* gammel = ny is a valid row; its consumer ignores it. */
    ACCEPT(KH_TAB_REF_KOMMUNEENDRINGER, KEND, "0301;0301;2020-01-01");
    REJECT(KH_TAB_REF_KOMMUNEENDRINGER, KEND, "0219;0000;2020-01-01", KH_R_BAD_KOMMNR, 1, "0000");
    REJECT(KH_TAB_REF_KOMMUNEENDRINGER, KEND, "219;3024;2020-01-01", KH_R_BAD_KOMMNR, 0, "219");
    REJECT(KH_TAB_REF_KOMMUNEENDRINGER, KEND, "0219;3024;2020-01-32", KH_R_BAD_DATE, 2,
           "2020-01-32");
    REJECT(KH_TAB_REF_KOMMUNEENDRINGER, KEND, "0219;3024;", KH_R_MISSING, 2, "");
}

#define KNAVN "kommnr;navn"

/* A name of `n` copies of `unit` after "1151;". */
static const char *long_name(const char *unit, int n)
{
    static char line[480];
    strcpy(line, "1151;");
    for (int i = 0; i < n; i++)
        strcat(line, unit);
    return line;
}

static void test_ref_kommunenavn(void **state)
{
    (void)state;
    ACCEPT(KH_TAB_REF_KOMMUNENAVN, KNAVN, "5501;Tromsø - Romsa - Tromssa");
    assert_true(values[KH_REF_KOMMUNENAVN_KOMMNR] == 5501);
    assert_string_equal(texts[KH_REF_KOMMUNENAVN_NAVN], "Tromsø - Romsa - Tromssa");
    assert_null(texts[KH_REF_KOMMUNENAVN_KOMMNR]);
    /* columns in another order, an extra column ignored */
    ACCEPT(KH_TAB_REF_KOMMUNENAVN, "navn;gyldig_fra;kommnr", "Oslo;2024-01-01;0301");
    assert_true(values[KH_REF_KOMMUNENAVN_KOMMNR] == 301);
    assert_string_equal(texts[KH_REF_KOMMUNENAVN_NAVN], "Oslo");
    /* 100 characters, counted as characters: 100 two-byte "ø" and 100 four-byte
     * emoji pass; one more is too long (the value is cut at a boundary) */
    ACCEPT(KH_TAB_REF_KOMMUNENAVN, KNAVN, long_name("ø", 100));
    assert_int_equal(strlen(texts[KH_REF_KOMMUNENAVN_NAVN]), 200);
    ACCEPT(KH_TAB_REF_KOMMUNENAVN, KNAVN, long_name("\xf0\x9f\x8f\x94", 100));
    ACCEPT(KH_TAB_REF_KOMMUNENAVN, KNAVN, long_name("a", 100));
    REJECT(KH_TAB_REF_KOMMUNENAVN, KNAVN, long_name("a", 101), KH_R_BAD_NAME, 1,
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    assert_int_equal(run(KH_TAB_REF_KOMMUNENAVN, KNAVN, long_name("ø", 101), NULL), 1);
    assert_int_equal(rej.reason, KH_R_BAD_NAME);
    assert_int_equal(strlen(rej.value), 62);
    /* control characters (C0, DEL, C1) and invalid UTF-8 */
    REJECT(KH_TAB_REF_KOMMUNENAVN, KNAVN, "1144;Kvit\tsøy", KH_R_BAD_NAME, 1, "Kvit\tsøy");
    assert_int_equal(run(KH_TAB_REF_KOMMUNENAVN, KNAVN, "1144;Kvit\x7fsøy", NULL), 1);
    assert_int_equal(rej.reason, KH_R_BAD_NAME);
    assert_int_equal(run(KH_TAB_REF_KOMMUNENAVN, KNAVN, "1144;Kvit\xc2\x85søy", NULL), 1);
    assert_int_equal(rej.reason, KH_R_BAD_NAME);
    assert_int_equal(run(KH_TAB_REF_KOMMUNENAVN, KNAVN, "1144;Kvit\xf8y", NULL), 1);
    assert_int_equal(rej.reason, KH_R_BAD_NAME);
    /* 11 digits in a row may be a national id: never stored (masked here) */
    REJECT(KH_TAB_REF_KOMMUNENAVN, KNAVN, "1144;Kvitsøy " FNR, KH_R_BAD_NAME, 1,
           "Kvitsøy 1510******8");
    ACCEPT(KH_TAB_REF_KOMMUNENAVN, KNAVN, "1144;Kvitsøy 1234567890");
    /* a no-break space (C2 A0) is no control character */
    ACCEPT(KH_TAB_REF_KOMMUNENAVN, KNAVN, "1144;Kvit\xc2\xa0søy");
    /* an empty name is missing, as every empty required field; kommnr first */
    REJECT(KH_TAB_REF_KOMMUNENAVN, KNAVN, "1835;", KH_R_MISSING, 1, "");
    REJECT(KH_TAB_REF_KOMMUNENAVN, KNAVN, "301;Oslo", KH_R_BAD_KOMMNR, 0, "301");
    REJECT(KH_TAB_REF_KOMMUNENAVN, KNAVN, "0000;" "\x01", KH_R_BAD_KOMMNR, 0, "0000");
    REJECT(KH_TAB_REF_KOMMUNENAVN, "navn;kommnr", "\x01;0000", KH_R_BAD_NAME, 0, "\x01");
    REJECT(KH_TAB_REF_KOMMUNENAVN, KNAVN, "1856", KH_R_FIELD_COUNT, KH_RULES_NO_FIELD, "");
}

/* ---- reject values and misuse -------------------------------------------- */

static void test_reject_value_truncated(void **state)
{
    (void)state;
    char line[200] = FNR ";";
    size_t at = strlen(line);
    memset(line + at, 'a', 62);
    memcpy(line + at + 62, "\xc3\xa9" "bbbb;0301", 10);
    /* The cut at 63 bytes would split the two-byte "é": it is left out. */
    REJECT(KH_TAB_BOSATTE, BOSATTE, line, KH_R_BAD_YEAR, 1,
           "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    char longid[120];
    memset(longid, '1', 100);
    strcpy(longid + 100, ";2021;0301");
    assert_int_equal(run(KH_TAB_BOSATTE, BOSATTE, longid, NULL), 1);
    assert_int_equal(rej.reason, KH_R_ID_FORMAT);
    assert_int_equal(strlen(rej.value), 63);
    assert_memory_equal(rej.value, "1111**", 6);
}

static void test_usage_errors(void **state)
{
    (void)state;
    record_t r;
    split("0301;2022;1;1;1", &r);
    int map[5] = {0, 1, 2, 3, 4};
    kh_rules_record_t in = {KH_TAB_REF_KOSTNADER, r.fields, 5, 5, map, NULL};
    kh_rules_out_t small = {values, textbuf, KH_RULES_TEXTCAP - 1, texts, &rej, NULL};
    assert_int_equal(kh_rules_check(&in, &small), KH_E_USAGE);
    kh_rules_out_t out = {values, textbuf, sizeof textbuf, texts, &rej, NULL};
    in.table = KH_TAB_COUNT;
    assert_int_equal(kh_rules_check(&in, &out), KH_E_USAGE);
    /* A table without DEC columns needs no text buffer. */
    split(FNR ";2021;0301", &r);
    kh_rules_record_t bosatte = {KH_TAB_BOSATTE, r.fields, 3, 3, map, NULL};
    kh_rules_out_t bare = {values, NULL, 0, NULL, &rej, NULL};
    assert_int_equal(kh_rules_check(&bosatte, &bare), 0);
}

/* ---- duplicate keys of reference tables ---------------------------------- */

static int seen(kh_refdup_t *d, kh_table_t table, int64_t a, int64_t b, int64_t c)
{
    int64_t v[KH_MAX_COLS] = {a, b, c};
    return kh_refdup_seen(d, table, v);
}

static void test_refdup(void **state)
{
    (void)state;
    kh_refdup_t *d = kh_refdup_new();
    /* ref_monitor (landbakgrunn, kjonn). */
    assert_int_equal(seen(d, KH_TAB_REF_MONITOR, 111, 1, 0), 0);
    assert_int_equal(seen(d, KH_TAB_REF_MONITOR, 111, 2, 0), 0);
    assert_int_equal(seen(d, KH_TAB_REF_MONITOR, 111, 1, 7), 1);
    assert_int_equal(seen(d, KH_TAB_REF_MONITOR, KH_STAR, KH_STAR, 0), 0);
    assert_int_equal(seen(d, KH_TAB_REF_MONITOR, KH_STAR, KH_STAR, 0), 1);
    assert_int_equal(seen(d, KH_TAB_REF_MONITOR, KH_STAR, 1, 0), 0);
    /* ref_nasjonal aar: the share is not part of the key. */
    assert_int_equal(seen(d, KH_TAB_REF_NASJONAL, 2020, 0, 0), 0);
    assert_int_equal(seen(d, KH_TAB_REF_NASJONAL, 2020, 5, 0), 1);
    assert_int_equal(seen(d, KH_TAB_REF_NASJONAL, 2021, 0, 0), 0);
    /* ref_kostnader (kommnr, aar). */
    assert_int_equal(seen(d, KH_TAB_REF_KOSTNADER, 301, 2022, 0), 0);
    assert_int_equal(seen(d, KH_TAB_REF_KOSTNADER, 301, 2023, 0), 0);
    assert_int_equal(seen(d, KH_TAB_REF_KOSTNADER, 302, 2022, 0), 0);
    assert_int_equal(seen(d, KH_TAB_REF_KOSTNADER, 301, 2022, 9), 1);
    /* ref_kommuneendringer (gammel, ny): the date is not in the key. */
    assert_int_equal(seen(d, KH_TAB_REF_KOMMUNEENDRINGER, 219, 3024, 1), 0);
    assert_int_equal(seen(d, KH_TAB_REF_KOMMUNEENDRINGER, 3024, 219, 1), 0);
    assert_int_equal(seen(d, KH_TAB_REF_KOMMUNEENDRINGER, 219, 3024, 2), 1);
    /* ref_kommunenavn kommnr: the name is not in the key. */
    assert_int_equal(seen(d, KH_TAB_REF_KOMMUNENAVN, 301, 0, 0), 0);
    assert_int_equal(seen(d, KH_TAB_REF_KOMMUNENAVN, 5001, 0, 0), 0);
    assert_int_equal(seen(d, KH_TAB_REF_KOMMUNENAVN, 301, 0, 0), 1);
    /* Same numbers in another table are another key. */
    assert_int_equal(seen(d, KH_TAB_REF_KOSTNADER, 219, 3024, 0), 0);
    /* Tables without a reference key never report duplicates here. */
    assert_int_equal(seen(d, KH_TAB_BOSATTE, 1, 2021, 301), 0);
    assert_int_equal(seen(d, KH_TAB_BOSATTE, 1, 2021, 301), 0);
    assert_int_equal(seen(d, KH_TAB_ID_HISTORIKK, 1, 2, 0), 0);
    assert_int_equal(seen(d, KH_TAB_ID_HISTORIKK, 1, 2, 0), 0);
    kh_refdup_destroy(&d);
    assert_null(d);
    kh_refdup_destroy(&d);
    kh_refdup_destroy(NULL);
}

static void test_refdup_grows(void **state)
{
    (void)state;
    kh_refdup_t *d = kh_refdup_new();
    for (int k = 1; k <= 5000; k++)
        assert_int_equal(seen(d, KH_TAB_REF_KOSTNADER, k % 100 + 1, 1900 + k / 100, 0), 0);
    for (int k = 1; k <= 5000; k++)
        assert_int_equal(seen(d, KH_TAB_REF_KOSTNADER, k % 100 + 1, 1900 + k / 100, 0), 1);
    assert_int_equal(seen(d, KH_TAB_REF_KOSTNADER, 1, 1899, 0), 0);
    kh_refdup_destroy(&d);
}

static void test_refdup_reject(void **state)
{
    (void)state;
    assert_int_equal(run(KH_TAB_REF_MONITOR, "andel;kjonn;landbakgrunn", "0.5;2;111", NULL), 0);
    record_t r;
    split("0.5;2;111", &r);
    kh_refdup_reject(KH_TAB_REF_MONITOR, r.fields, colmap, &rej);
    assert_int_equal(rej.reason, KH_R_DUPLICATE);
    assert_int_equal(rej.field, 1);
    assert_string_equal(rej.value, "2");
    assert_int_equal(run(KH_TAB_REF_NASJONAL, "andel;aar", "0.5;2020", NULL), 0);
    split("0.5;2020", &r);
    kh_refdup_reject(KH_TAB_REF_NASJONAL, r.fields, colmap, &rej);
    assert_int_equal(rej.field, 1);
    assert_string_equal(rej.value, "2020");
    assert_int_equal(run(KH_TAB_REF_KOMMUNENAVN, "navn;kommnr", "Christiania;0301", NULL), 0);
    split("Christiania;0301", &r);
    kh_refdup_reject(KH_TAB_REF_KOMMUNENAVN, r.fields, colmap, &rej);
    assert_int_equal(rej.reason, KH_R_DUPLICATE);
    assert_int_equal(rej.field, 1);
    assert_string_equal(rej.value, "0301");
}

/* ---- the plain path ------------------------------------------------------ */

static kh_idnum_memo_t plain_memo;

/* The plain path's verdict on `line` as a record of `table`. */
static int plain(kh_table_t table, const char *line, const kh_rules_opts_t *opts)
{
    kh_rules_plain_fn fn = kh_rules_plain_for(table);
    assert_non_null(fn);
    kh_rules_out_t out = {values, NULL, 0, NULL, NULL, &plain_memo};
    return fn(line, strlen(line), opts, &out);
}

static void test_plain(void **state)
{
    (void)state;
    kh_rules_opts_t syn = {1, 0};
    /* the common shapes are taken */
    assert_int_equal(plain(KH_TAB_BOSATTE, FNR ";2021;0301", NULL), 0);
    assert_true(values[KH_BOSATTE_FNR] == INT64_C(15108695088));
    assert_true(values[KH_BOSATTE_KOMMNR] == 301);
    assert_int_equal(plain(KH_TAB_BOSATTE, SYN ";2021;0301", &syn), 0);
    assert_int_equal(plain(KH_TAB_SHJ, FNR ";2021;125000", NULL), 0);
    assert_true(values[KH_SHJ_BELOP] == 125000);
    assert_int_equal(plain(KH_TAB_UTDANNING, FNR ";2021;012345", NULL), 0);
    assert_true(values[KH_UTDANNING_NUS2000] == 12345);
    assert_int_equal(plain(KH_TAB_F_JOBBER, FNR ";988077917;2020-01-01;", NULL), 0);
    assert_true(values[KH_F_JOBBER_SLUTTDATO] == KH_NULL);
    assert_int_equal(plain(KH_TAB_F_JOBBER, FNR ";123456785;20200101;20200101", NULL), 0);
    assert_true(values[KH_F_JOBBER_STARTDATO] == day(2020, 1, 1));
    assert_int_equal(plain(KH_TAB_F_INTRO, FNR ";2016-02-29;;", NULL), 0);
    assert_true(values[KH_F_INTRO_AVGANGSDATO] == KH_NULL);
    assert_true(values[KH_F_INTRO_SLUTTSTATUS] == KH_NULL);
    assert_int_equal(plain(KH_TAB_F_INTRO, FNR ";2016-02-29;2018-02-28;20", NULL), 0);
    assert_true(values[KH_F_INTRO_SLUTTSTATUS] == 20);
    assert_int_equal(plain(KH_TAB_BEFOLKNING, FNR2 ";2;19960229;452", NULL), 0);
    assert_int_equal(plain(KH_TAB_ID_HISTORIKK, DNR ";" FNR, NULL), 0);
    /* anything else goes to the full path, accepted there or not */
    const char *declined[] = {
        " " FNR ";2021;0301",  FNR ";2021 ;0301",   FNR ";2021;0301 ",   "\"" FNR "\";2021;0301",
        FNR ";2021;0301;",     FNR ";2021",         FNR ";2021;030",     FNR ";2021;03011",
        FNR ";\t2021;0301",   FNR ";;0301",        FNR ";2021;0000",    SYN ";2021;0301",
        BADCK ";2021;0301",    FNR ";1899;0301",    "",                  ";",
        FNR "0;2021;0301",     FNR ";2021;0301\r",
    };
    for (size_t i = 0; i < sizeof declined / sizeof *declined; i++)
        assert_int_equal(plain(KH_TAB_BOSATTE, declined[i], NULL), 1);
    /* the cross-field rules hold on this path too */
    assert_int_equal(plain(KH_TAB_F_JOBBER, FNR ";988077917;2020-01-01;2019-12-31", NULL), 1);
    assert_int_equal(plain(KH_TAB_F_INTRO, FNR ";2016-02-29;2015-02-28;20", NULL), 1);
    assert_int_equal(plain(KH_TAB_F_INTRO, FNR ";2016-02-29;2018-02-28;", NULL), 1);
    assert_int_equal(plain(KH_TAB_SHJ, FNR ";2021;1000000000", NULL), 1);
    assert_int_equal(plain(KH_TAB_SHJ, FNR ";2021;x", NULL), 1);
    /* reference tables have none */
    assert_null(kh_rules_plain_for(KH_TAB_REF_KOMMUNEENDRINGER));
    assert_null(kh_rules_plain_for(KH_TAB_REF_KOMMUNENAVN));
}

/* The validator's full path for a record under a canonical header: the
 * UTF-8 check, the split, the rules. 0 accepted, else 1. */
static int full(kh_table_t table, const char *rec, size_t len, int64_t *out_values)
{
    const kh_tabledef_t *def = kh_schema_table(table);
    char scratch[512];
    kh_field_t fields[16];
    int nfields = 0;
    int identity[KH_MAX_COLS];
    for (int c = 0; c < KH_MAX_COLS; c++)
        identity[c] = c;
    if (!kh_csv_utf8_valid(rec, len) || kh_csv_split(rec, len, scratch, fields, 16, &nfields) != 0)
        return 1;
    kh_reject_t r;
    kh_rules_record_t in = {table, fields, nfields, def->ncols, identity, NULL};
    kh_rules_out_t out = {out_values, textbuf, sizeof textbuf, texts, &r, NULL};
    return kh_rules_check(&in, &out);
}

/* Good records of every table the plain path serves, each damaged at every
 * byte in every way below: wherever the plain path still accepts, the full
 * path accepts with the same values. */
static void test_plain_mutations(void **state)
{
    (void)state;
    static const struct {
        kh_table_t table;
        const char *line;
    } good[] = {
        {KH_TAB_BOSATTE, FNR ";2021;0301"},
        {KH_TAB_SHJ, FNR ";2021;125000"},
        {KH_TAB_UTDANNING, FNR ";2021;412101"},
        {KH_TAB_F_JOBBER, FNR ";988077917;2020-01-01;2020-12-31"},
        {KH_TAB_F_JOBBER, FNR ";123456785;20200101;"},
        {KH_TAB_F_INTRO, DNR ";2016-02-29;2018-02-28;20"},
        {KH_TAB_F_INTRO, FNR ";2016-02-29;;"},
        {KH_TAB_BEFOLKNING, FNR2 ";2;19960229;452"},
        {KH_TAB_ID_HISTORIKK, DNR ";" FNR},
    };
    static const char with[] = {' ', '"', ';', '-', '*', 'x', '\t', '\r', '\0', '0', '1', '9', '.',
                                ',', (char)0xC3, (char)0x80};
    unsigned taken = 0, tried = 0;
    for (size_t g = 0; g < sizeof good / sizeof *good; g++) {
        kh_rules_plain_fn fn = kh_rules_plain_for(good[g].table);
        size_t n = strlen(good[g].line);
        for (size_t at = 0; at <= n; at++) {
            /* 0..: replace by with[k]; then insert with[k]; last: delete */
            for (size_t k = 0; k < 2 * sizeof with + 1; k++) {
                char rec[128];
                size_t len;
                if (k < sizeof with) {
                    if (at == n)
                        continue;
                    memcpy(rec, good[g].line, n);
                    rec[at] = with[k];
                    len = n;
                } else if (k < 2 * sizeof with) {
                    memcpy(rec, good[g].line, at);
                    rec[at] = with[k - sizeof with];
                    memcpy(rec + at + 1, good[g].line + at, n - at);
                    len = n + 1;
                } else {
                    if (at == n)
                        continue;
                    memcpy(rec, good[g].line, at);
                    memcpy(rec + at, good[g].line + at + 1, n - at - 1);
                    len = n - 1;
                }
                int64_t fast[KH_MAX_COLS], slow[KH_MAX_COLS];
                kh_rules_out_t out = {fast, NULL, 0, NULL, NULL, &plain_memo};
                tried++;
                if (fn(rec, len, NULL, &out) != 0)
                    continue;
                taken++;
                assert_int_equal(full(good[g].table, rec, len, slow), 0);
                assert_memory_equal(fast, slow,
                                    (size_t)kh_schema_table(good[g].table)->ncols * sizeof *fast);
            }
        }
    }
    /* some damage leaves a valid record (a digit for a digit) */
    assert_true(taken > 0 && taken < tried);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_f_intro_accepted),
        cmocka_unit_test(test_f_intro_status_codes),
        cmocka_unit_test(test_f_intro_rejected),
        cmocka_unit_test(test_f_intro_options),
        cmocka_unit_test(test_f_intro_header_order),
        cmocka_unit_test(test_field_count),
        cmocka_unit_test(test_bosatte),
        cmocka_unit_test(test_shj),
        cmocka_unit_test(test_utdanning),
        cmocka_unit_test(test_f_jobber),
        cmocka_unit_test(test_befolkning),
        cmocka_unit_test(test_id_historikk),
        cmocka_unit_test(test_ref_monitor),
        cmocka_unit_test(test_ref_nasjonal),
        cmocka_unit_test(test_ref_kostnader),
        cmocka_unit_test(test_ref_kommuneendringer),
        cmocka_unit_test(test_ref_kommunenavn),
        cmocka_unit_test(test_reject_value_truncated),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_refdup),
        cmocka_unit_test(test_refdup_grows),
        cmocka_unit_test(test_refdup_reject),
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_plain_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
