/* rules.c - per-table row rules of kohort-validate (spec/extracts.md), and
 * the duplicate-key set of reference tables. See rules.h.
 *
 * The common path runs for every row of the nightly extracts (~80 million):
 * every column is judged with hand-written fixed-width digit parsing, no
 * allocation and no library number parsing. */
#include "transform/rules.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "proto/codes.h"
#include "proto/csvfield.h"
#include "proto/date.h"
#include "proto/err.h"
#include "proto/reason.h"
#include "proto/redact.h"
#include "proto/util.h"
#include "transform/idnum.h"

/* What a column's value must look like. */
typedef enum {
    RULE_ID = 1,     /* national id or D-number */
    RULE_DATE,       /* YYYY-MM-DD or YYYYMMDD */
    RULE_YEAR,       /* aar */
    RULE_KOMMNR,     /* 4 digits, not 0000 */
    RULE_STATUS,     /* sluttstatus code */
    RULE_NOK,        /* whole NOK >= 0 */
    RULE_NUS,        /* 6-digit NUS2000 */
    RULE_ORGNR,      /* 9-digit organisation number */
    RULE_KJONN,      /* 1 or 2 */
    RULE_KJONN_STAR, /* 1, 2 or `*` */
    RULE_LAND,       /* 3-digit country code */
    RULE_LAND_STAR,  /* 3 digits or `*` */
    RULE_SHARE,      /* decimal 0..1 */
    RULE_AMOUNT,     /* non-negative decimal */
    RULE_PERSONS,    /* non-negative decimal above 0 */
    RULE_NAME        /* a municipality's name */
} col_rule_t;

/* Indexed by table, then canonical column (schema.h order). */
static const unsigned char col_rules[KH_TAB_COUNT][KH_MAX_COLS] = {
    [KH_TAB_REF_KOMMUNEENDRINGER] = {RULE_KOMMNR, RULE_KOMMNR, RULE_DATE},
    [KH_TAB_REF_MONITOR] = {RULE_LAND_STAR, RULE_KJONN_STAR, RULE_SHARE},
    [KH_TAB_REF_NASJONAL] = {RULE_YEAR, RULE_SHARE},
    [KH_TAB_REF_KOSTNADER] = {RULE_KOMMNR, RULE_YEAR, RULE_AMOUNT, RULE_AMOUNT, RULE_PERSONS},
    [KH_TAB_ID_HISTORIKK] = {RULE_ID, RULE_ID},
    [KH_TAB_F_INTRO] = {RULE_ID, RULE_DATE, RULE_DATE, RULE_STATUS},
    [KH_TAB_BOSATTE] = {RULE_ID, RULE_YEAR, RULE_KOMMNR},
    [KH_TAB_BEFOLKNING] = {RULE_ID, RULE_KJONN, RULE_DATE, RULE_LAND},
    [KH_TAB_UTDANNING] = {RULE_ID, RULE_YEAR, RULE_NUS},
    [KH_TAB_SHJ] = {RULE_ID, RULE_YEAR, RULE_NOK},
    [KH_TAB_F_JOBBER] = {RULE_ID, RULE_ORGNR, RULE_DATE, RULE_DATE},
    [KH_TAB_REF_KOMMUNENAVN] = {RULE_KOMMNR, RULE_NAME},
};

/* Parses exactly `len` ASCII digits (len <= 18); 0 on success. */
static int parse_digits(const char *s, size_t len, int64_t *out)
{
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned d = (unsigned char)s[i] - (unsigned)'0';
        if (d > 9)
            return -1;
        v = v * 10 + (int64_t)d;
    }
    *out = v;
    return 0;
}

/* A fixed-width digit field: exactly `width` digits. */
static int parse_fixed(const kh_field_t *f, size_t width, int64_t *out)
{
    return f->len == width ? parse_digits(f->data, width, out) : -1;
}

static int check_year(const kh_field_t *f, int64_t *out)
{
    if (parse_fixed(f, 4, out) != 0 || *out < 1900 || *out > 2100)
        return KH_R_BAD_YEAR;
    return KH_R_NONE;
}

static int check_kommnr(const kh_field_t *f, int64_t *out)
{
    if (parse_fixed(f, 4, out) != 0 || *out == 0)
        return KH_R_BAD_KOMMNR;
    return KH_R_NONE;
}

/* Codes are matched as text: exactly two digits, so "010" is not 10. */
static int check_status(const kh_field_t *f, int64_t *out)
{
    if (parse_fixed(f, 2, out) != 0 || !kh_slutt_listed(*out))
        return KH_R_UNKNOWN_STATUS;
    return KH_R_NONE;
}

/* Whole NOK: digits only, at most 30 of them (as tests/reference/rules.sql).
 * Leading zeros are allowed; more than KH_RULES_NOK_DIGITS significant
 * digits is rejected: a billion NOK or more to one person in one year is no
 * social assistance, and below it no sum of a file's rows (fewer than 2^32
 * lines) can overflow 64 bits, however the rows of a person add up. */
static int check_nok(const kh_field_t *f, int64_t *out)
{
    if (f->len > 30)
        return KH_R_BAD_AMOUNT;
    size_t skip = 0;
    while (skip < f->len && f->data[skip] == '0')
        skip++;
    if (f->len - skip > KH_RULES_NOK_DIGITS)
        return KH_R_BAD_AMOUNT;
    if (parse_digits(f->data, f->len, out) != 0)
        return KH_R_BAD_AMOUNT;
    return KH_R_NONE;
}

static int check_single_char(const kh_field_t *f, int allow_star, int64_t *out)
{
    if (f->len != 1)
        return KH_R_BAD_KJONN;
    if (f->data[0] == '1' || f->data[0] == '2') {
        *out = f->data[0] - '0';
        return KH_R_NONE;
    }
    if (allow_star && f->data[0] == '*') {
        *out = KH_STAR;
        return KH_R_NONE;
    }
    return KH_R_BAD_KJONN;
}

static int check_land(const kh_field_t *f, int allow_star, int64_t *out)
{
    if (allow_star && f->len == 1 && f->data[0] == '*') {
        *out = KH_STAR;
        return KH_R_NONE;
    }
    return parse_fixed(f, 3, out) == 0 ? KH_R_NONE : KH_R_BAD_LANDBAKGRUNN;
}

/* Shape of a decimal: digits, optionally one '.' or ',' with digits on
 * both sides. Returns the separator's index, len when there is none, or -1
 * when the shape is wrong. */
static long decimal_shape(const char *s, size_t len)
{
    size_t sep = len;
    for (size_t i = 0; i < len; i++) {
        if (s[i] >= '0' && s[i] <= '9')
            continue;
        if ((s[i] == '.' || s[i] == ',') && sep == len && i > 0 && i + 1 < len)
            sep = i;
        else
            return -1;
    }
    return len > 0 ? (long)sep : -1;
}

static int all_zero(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != '0' && s[i] != '.' && s[i] != ',')
            return 0;
    return 1;
}

/* A share is at most 1: the integer part is 0 or 1, and 1 only with a zero
 * fraction. */
static int share_at_most_one(const char *s, size_t len, size_t sep)
{
    size_t i = 0;
    while (i < sep && s[i] == '0')
        i++;
    if (i == sep)
        return 1;
    if (sep - i > 1 || s[i] != '1')
        return 0;
    return sep == len || all_zero(s + sep + 1, len - sep - 1);
}

/* Checks a DEC column and writes its normalised text at textbuf[*pos]. */
static int check_decimal(const kh_field_t *f, col_rule_t rule, char *textbuf, size_t *pos,
                         const char **text)
{
    int bad = rule == RULE_SHARE ? KH_R_BAD_SHARE : KH_R_BAD_AMOUNT;
    long sep = decimal_shape(f->data, f->len);
    if (sep < 0 || sep > KH_RULES_DEC_INT_MAX || f->len > KH_RULES_DEC_MAX)
        return bad;
    if (rule == RULE_SHARE && !share_at_most_one(f->data, f->len, (size_t)sep))
        return KH_R_BAD_SHARE;
    if (rule == RULE_PERSONS && all_zero(f->data, f->len))
        return KH_R_ZERO_PERSONS;
    char *out = textbuf + *pos;
    memcpy(out, f->data, f->len);
    if ((size_t)sep < f->len)
        out[sep] = '.';
    out[f->len] = '\0';
    *text = out;
    *pos += f->len + 1;
    return KH_R_NONE;
}

/* A name: valid UTF-8 (the validator has judged the record's encoding
 * already), 1 to KH_NAVN_MAX_CHARS characters (the field is trimmed and not
 * empty), no control character (C0, DEL, C1), which would garble the
 * output it is printed in, and no run of KH_REDACT_MIN_RUN digits: an
 * accepted name is stored and printed as given, and no national id may
 * reach the store. Kept as given, at textbuf[*pos]. */
static int check_name(const kh_field_t *f, char *textbuf, size_t *pos, const char **text)
{
    const unsigned char *s = (const unsigned char *)f->data;
    size_t chars = 0, digits = 0;
    if (!kh_csv_utf8_valid(f->data, f->len))
        return KH_R_BAD_NAME;
    for (size_t i = 0; i < f->len; i++) {
        if (s[i] < 0x20 || s[i] == 0x7f || (s[i] == 0xc2 && i + 1 < f->len && s[i + 1] < 0xa0))
            return KH_R_BAD_NAME;
        digits = s[i] >= '0' && s[i] <= '9' ? digits + 1 : 0;
        if (digits >= KH_REDACT_MIN_RUN)
            return KH_R_BAD_NAME;
        chars += (s[i] & 0xc0) != 0x80;
    }
    if (chars > KH_NAVN_MAX_CHARS)
        return KH_R_BAD_NAME;
    char *out = textbuf + *pos;
    memcpy(out, f->data, f->len);
    out[f->len] = '\0';
    *text = out;
    *pos += f->len + 1;
    return KH_R_NONE;
}

/* The idnum.h flags the options ask for. */
static int id_flags_of(const kh_rules_opts_t *opts)
{
    int flags = 0;
    if (opts && opts->allow_synthetic)
        flags |= KH_IDNUM_ALLOW_SYNTHETIC;
    if (opts && opts->rule_2032)
        flags |= KH_IDNUM_RULE_2032;
    return flags;
}

/* Judges one non-empty field by its column rule; 0 or a reason code.
 * Inlined, so that where the rule is a constant (the plain path's
 * functions, one per table) only its own case is left. */
static inline __attribute__((always_inline)) int
check_value(col_rule_t rule, const kh_field_t *f, int id_flags, kh_idnum_memo_t *memo,
            int64_t *value, char *textbuf, size_t *textpos, const char **text)
{
    switch (rule) {
    case RULE_ID:
        return memo ? kh_idnum_check_fnr_memo(memo, f->data, f->len, id_flags, value)
                    : kh_idnum_check_fnr(f->data, f->len, id_flags, value);
    case RULE_DATE:
        return kh_date_parse(f->data, f->len, value) == 0 ? KH_R_NONE : KH_R_BAD_DATE;
    case RULE_YEAR:
        return check_year(f, value);
    case RULE_KOMMNR:
        return check_kommnr(f, value);
    case RULE_STATUS:
        return check_status(f, value);
    case RULE_NOK:
        return check_nok(f, value);
    case RULE_NUS:
        return parse_fixed(f, 6, value) == 0 ? KH_R_NONE : KH_R_BAD_NUS;
    case RULE_ORGNR:
        return kh_idnum_check_orgnr(f->data, f->len, value);
    case RULE_KJONN:
    case RULE_KJONN_STAR:
        return check_single_char(f, rule == RULE_KJONN_STAR, value);
    case RULE_LAND:
    case RULE_LAND_STAR:
        return check_land(f, rule == RULE_LAND_STAR, value);
    case RULE_SHARE:
    case RULE_AMOUNT:
    case RULE_PERSONS:
        *value = 0;
        return check_decimal(f, rule, textbuf, textpos, text);
    case RULE_NAME:
        *value = 0;
        return check_name(f, textbuf, textpos, text);
    }
    return KH_R_NONE;
}

/* An end date before its start date: judged at the end date, and only when
 * both dates are given and valid. */
static void check_end_after_start(const int64_t *values, int *reason, int start, int end)
{
    if (reason[start] == KH_R_NONE && reason[end] == KH_R_NONE && values[start] != KH_NULL &&
        values[end] != KH_NULL && values[end] < values[start])
        reason[end] = KH_R_END_BEFORE_START;
}

static long double dec_value(const char *text)
{
    return text ? strtold(text, NULL) : 0.0L;
}

/* Spending of KH_RULES_COST_MAX NOK or more, or that much per person (a
 * target group of 1e-20 persons), is no municipality's spending, and the
 * cost figures derived from it would not fit 64 bits: the row is rejected
 * (at the amount, or at personer_malgruppe for the quotient) rather than
 * failing the whole run in the aggregator. Judged only on valid values. */
static void check_cost_range(const char *const *texts, int *reason)
{
    const int tot = KH_REF_KOSTNADER_UTGIFTER_TOTALT, adm = KH_REF_KOSTNADER_UTGIFTER_ADMIN,
              per = KH_REF_KOSTNADER_PERSONER_MALGRUPPE;
    const long double max = KH_RULES_COST_MAX;
    long double t = dec_value(texts[tot]), a = dec_value(texts[adm]), p = dec_value(texts[per]);
    if (reason[tot] == KH_R_NONE && t >= max)
        reason[tot] = KH_R_BAD_AMOUNT;
    if (reason[adm] == KH_R_NONE && a >= max)
        reason[adm] = KH_R_BAD_AMOUNT;
    if (reason[per] == KH_R_NONE && texts[per] && p > 0 && (t / p >= max || a / p >= max))
        reason[per] = KH_R_BAD_AMOUNT;
}

/* `empty` has bit c set when canonical column c is an empty field. */
static void check_cross_fields(kh_table_t table, const int64_t *values, unsigned empty,
                               int *reason)
{
    if (table == KH_TAB_F_INTRO) {
        check_end_after_start(values, reason, KH_F_INTRO_STARTDATO, KH_F_INTRO_AVGANGSDATO);
        /* sluttstatus may be empty only when avgangsdato is: any exit date,
         * even a bad one, makes an empty status wrong in its own right
         * (as in tests/reference/rules.sql). */
        if ((empty & (1u << KH_F_INTRO_SLUTTSTATUS)) && !(empty & (1u << KH_F_INTRO_AVGANGSDATO)))
            reason[KH_F_INTRO_SLUTTSTATUS] = KH_R_MISSING;
    } else if (table == KH_TAB_F_JOBBER) {
        check_end_after_start(values, reason, KH_F_JOBBER_STARTDATO, KH_F_JOBBER_SLUTTDATO);
    }
}

/* Copies a raw value for the quarantine, cut so that no UTF-8 sequence is
 * split, with any digit run that may be an id masked (a row shifted by a
 * column puts an id under any column). */
static void copy_raw(const kh_field_t *f, char *out)
{
    kh_redact_copy(f->data, f->len, out, KH_REJECT_VALUE_CAP);
}

static void fill_reject(kh_reject_t *rej, const kh_field_t *f, int field, int reason, int is_id)
{
    rej->field = field;
    rej->reason = reason;
    if (is_id)
        kh_idnum_mask(f->data, f->len, rej->value, sizeof rej->value);
    else
        copy_raw(f, rej->value);
}

static int has_text_column(const kh_tabledef_t *def)
{
    for (int c = 0; c < def->ncols; c++)
        if (KH_COL_IS_TEXT(def->cols[c].type))
            return 1;
    return 0;
}

int kh_rules_check(const kh_rules_record_t *rec, const kh_rules_out_t *out)
{
    kh_table_t table = rec->table;
    const kh_field_t *fields = rec->fields;
    int nfields = rec->nfields;
    const int *colmap = rec->colmap;
    const kh_rules_opts_t *opts = rec->opts;
    int64_t *values = out->values;
    char *textbuf = out->textbuf;
    const char **texts = out->texts;
    kh_reject_t *rej = out->rej;
    const kh_tabledef_t *def = kh_schema_table(table);
    if (!def)
        return KH_E_USAGE;
    if (has_text_column(def) &&
        (textbuf == NULL || texts == NULL || out->textcap < KH_RULES_TEXTCAP))
        return KH_E_USAGE;
    if (nfields != rec->header_nfields) {
        rej->field = KH_RULES_NO_FIELD;
        rej->reason = KH_R_FIELD_COUNT;
        rej->value[0] = '\0';
        return 1;
    }
    int id_flags = id_flags_of(opts);
    int reason[KH_MAX_COLS] = {0};
    unsigned empty = 0;
    size_t textpos = 0;
    for (int c = 0; c < def->ncols; c++) {
        assert(colmap[c] >= 0 && colmap[c] < nfields);
        const kh_field_t *f = &fields[colmap[c]];
        if (texts)
            texts[c] = NULL;
        if (f->len == 0) {
            empty |= 1u << c;
            values[c] = KH_NULL;
            reason[c] = def->cols[c].optional ? KH_R_NONE : KH_R_MISSING;
            continue;
        }
        reason[c] = check_value((col_rule_t)col_rules[table][c], f, id_flags, out->memo,
                                &values[c], textbuf, &textpos, texts ? &texts[c] : NULL);
    }
    check_cross_fields(table, values, empty, reason);
    if (table == KH_TAB_REF_KOSTNADER && texts)
        check_cost_range(texts, reason);

    int first = -1;
    for (int c = 0; c < def->ncols; c++)
        if (reason[c] != KH_R_NONE && (first < 0 || colmap[c] < colmap[first]))
            first = c;
    if (first < 0)
        return 0;
    fill_reject(rej, &fields[colmap[first]], colmap[first], reason[first],
                def->cols[first].type == KH_COL_ID);
    return 1;
}

/* ---- The plain record -------------------------------------------------- */

/* Where the value of a plain record's column that starts at rec[pos] ends:
 * its fixed width on (a date's by its shape), or the end of its digits for
 * a whole-NOK amount; pos itself for an empty field; 0 when the width would
 * run past the record (or a NOK amount does not start with a digit).
 * The widths repeat what the column checks demand, as a guess of where to
 * look for the `;`: a wrong one only sends records to the full path, since
 * the check judges the value again. Looking for each field's `;` instead
 * cost 26 against 21 ns a bosatte record. */
static inline __attribute__((always_inline)) size_t plain_end(col_rule_t rule, const char *rec,
                                                              size_t pos, size_t len)
{
    if (pos == len || rec[pos] == ';')
        return pos;
    size_t width;
    switch (rule) {
    case RULE_ID: width = 11; break;
    case RULE_DATE: width = pos + 4 < len && rec[pos + 4] == '-' ? 10 : 8; break;
    case RULE_YEAR:
    case RULE_KOMMNR: width = 4; break;
    case RULE_STATUS: width = 2; break;
    case RULE_NUS: width = 6; break;
    case RULE_ORGNR: width = 9; break;
    case RULE_KJONN:
    case RULE_KJONN_STAR: width = 1; break;
    case RULE_LAND:
    case RULE_LAND_STAR: width = rec[pos] == '*' ? 1 : 3; break;
    case RULE_NOK: {
        size_t end = pos;
        while (end < len && (unsigned char)rec[end] - (unsigned)'0' <= 9)
            end++;
        return end > pos ? end : 0;
    }
    default: return 0; /* a DEC or TEXT column: no plain table has one */
    }
    return width <= len - pos ? pos + width : 0;
}

/* The plain path for one table; `table` is a constant in each caller below,
 * so the column loop unrolls and each column's rule is known. */
static inline __attribute__((always_inline)) int
plain_row(kh_table_t table, const char *rec, size_t len, const kh_rules_opts_t *opts,
          const kh_rules_out_t *out)
{
    const kh_tabledef_t *def = kh_schema_table(table);
    int id_flags = id_flags_of(opts);
    int64_t *values = out->values;
    unsigned empty = 0;
    size_t pos = 0;
    /* the table's columns, counted in col_rules (a constant here, where
     * the schema's count is not): a row's rules end with 0 */
    int ncols = 0;
    while (ncols < KH_MAX_COLS && col_rules[table][ncols] != 0)
        ncols++;
#pragma GCC unroll 8
    for (int c = 0; c < ncols; c++) {
        col_rule_t rule = (col_rule_t)col_rules[table][c];
        size_t end = plain_end(rule, rec, pos, len);
        if (end == 0)
            return 1;
        if (end == pos) {
            if (!def->cols[c].optional)
                return 1;
            empty |= 1u << c;
            values[c] = KH_NULL;
        } else {
            kh_field_t f = {rec + pos, end - pos};
            if (check_value(rule, &f, id_flags, out->memo, &values[c], NULL, NULL, NULL) !=
                KH_R_NONE)
                return 1;
        }
        /* the last value ends the record; every other one is ended by `;` */
        if (c + 1 == ncols ? end != len : end == len || rec[end] != ';')
            return 1;
        pos = end + 1;
    }
    if (table == KH_TAB_F_INTRO || table == KH_TAB_F_JOBBER) {
        int reason[KH_MAX_COLS] = {0};
        check_cross_fields(table, values, empty, reason);
        for (int c = 0; c < ncols; c++)
            if (reason[c] != KH_R_NONE)
                return 1;
    }
    return 0;
}

#define PLAIN_FN(name, table)                                                                  \
    static int name(const char *rec, size_t len, const kh_rules_opts_t *opts,               \
                    const kh_rules_out_t *out)                                               \
    {                                                                                        \
        return plain_row(table, rec, len, opts, out);                                        \
    }
PLAIN_FN(plain_id_historikk, KH_TAB_ID_HISTORIKK)
PLAIN_FN(plain_f_intro, KH_TAB_F_INTRO)
PLAIN_FN(plain_bosatte, KH_TAB_BOSATTE)
PLAIN_FN(plain_befolkning, KH_TAB_BEFOLKNING)
PLAIN_FN(plain_utdanning, KH_TAB_UTDANNING)
PLAIN_FN(plain_shj, KH_TAB_SHJ)
PLAIN_FN(plain_f_jobber, KH_TAB_F_JOBBER)
#undef PLAIN_FN

kh_rules_plain_fn kh_rules_plain_for(kh_table_t table)
{
    switch (table) {
    case KH_TAB_ID_HISTORIKK: return plain_id_historikk;
    case KH_TAB_F_INTRO: return plain_f_intro;
    case KH_TAB_BOSATTE: return plain_bosatte;
    case KH_TAB_BEFOLKNING: return plain_befolkning;
    case KH_TAB_UTDANNING: return plain_utdanning;
    case KH_TAB_SHJ: return plain_shj;
    case KH_TAB_F_JOBBER: return plain_f_jobber;
    default: return NULL; /* reference tables: few rows, keys judged on the full path */
    }
}

/* ---- Duplicate keys of reference tables --------------------------------- */

typedef struct {
    int64_t k1, k2;
    int table;       /* -1: empty slot */
} refkey_t;

struct kh_refdup {
    refkey_t *slots;
    size_t cap;      /* power of two */
    size_t used;
};

/* The key columns of a reference table (the schema's); 0 columns for the
 * others. */
static int key_columns(kh_table_t table, int cols[KH_MAX_KEYS])
{
    const kh_tabledef_t *def = kh_schema_table(table);
    for (int k = 0; k < def->nkeys; k++)
        cols[k] = def->keys[k];
    return def->nkeys;
}

static void init_slots(refkey_t *slots, size_t cap)
{
    for (size_t i = 0; i < cap; i++)
        slots[i].table = -1;
}

kh_refdup_t *kh_refdup_new(void)
{
    kh_refdup_t *d = kh_xcalloc(1, sizeof *d);
    d->cap = 64;
    d->slots = kh_xmalloc(d->cap * sizeof *d->slots);
    init_slots(d->slots, d->cap);
    return d;
}

void kh_refdup_destroy(kh_refdup_t **d)
{
    if (!d || !*d)
        return;
    free((*d)->slots);
    free(*d);
    *d = NULL;
}

static size_t key_hash(const refkey_t *k)
{
    return (size_t)kh_mix64((uint64_t)k->k1 ^ kh_mix64((uint64_t)k->k2 ^ ((uint64_t)k->table << 56)));
}

/* The slot holding `k`, or the empty slot where it belongs. */
static refkey_t *find_slot(refkey_t *slots, size_t cap, const refkey_t *k)
{
    size_t i = key_hash(k) & (cap - 1);
    while (slots[i].table >= 0 &&
           !(slots[i].table == k->table && slots[i].k1 == k->k1 && slots[i].k2 == k->k2))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static void grow(kh_refdup_t *d)
{
    size_t cap = d->cap * 2;
    refkey_t *slots = kh_xmalloc(cap * sizeof *slots);
    init_slots(slots, cap);
    for (size_t i = 0; i < d->cap; i++)
        if (d->slots[i].table >= 0)
            *find_slot(slots, cap, &d->slots[i]) = d->slots[i];
    free(d->slots);
    d->slots = slots;
    d->cap = cap;
}

int kh_refdup_seen(kh_refdup_t *d, kh_table_t table, const int64_t *values)
{
    int cols[KH_MAX_KEYS] = {0};
    int n = key_columns(table, cols);
    if (n == 0)
        return 0;
    refkey_t k = {values[cols[0]], n > 1 ? values[cols[1]] : 0, (int)table};
    refkey_t *slot = find_slot(d->slots, d->cap, &k);
    if (slot->table >= 0)
        return 1;
    *slot = k;
    if (++d->used * 2 > d->cap)
        grow(d);
    return 0;
}

void kh_refdup_reject(kh_table_t table, const kh_field_t *fields, const int *colmap,
                      kh_reject_t *rej)
{
    int cols[KH_MAX_KEYS] = {0};
    int n = key_columns(table, cols);
    rej->reason = KH_R_DUPLICATE;
    if (n == 0) {
        rej->field = KH_RULES_NO_FIELD;
        rej->value[0] = '\0';
        return;
    }
    int first = cols[0];
    if (n > 1 && colmap[cols[1]] < colmap[first])
        first = cols[1];
    rej->field = colmap[first];
    copy_raw(&fields[colmap[first]], rej->value);
}
