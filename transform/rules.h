/* rules.h - the row rules of spec/extracts.md: one record of one register
 * table in, typed values in canonical column order (or one reject) out.
 *
 * Used by kohort-validate and `kohort check`. kh_rules_check() owns nothing
 * and keeps no state of its own (the caller's id memo only spares work);
 * kh_refdup_t is the one small piece of state, the keys seen so far of a
 * reference table (those arrive whole in one batch). */
#ifndef KH_RULES_H
#define KH_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "proto/schema.h"
#include "transform/idnum.h"

typedef struct {
    int allow_synthetic;   /* accept synthetic test ids (month + 80) */
    int rule_2032;         /* accept the 2032 first-check-digit rule */
} kh_rules_opts_t;

/* kh_reject_t.field of a row rejected as a whole (field_count): the
 * quarantine names no column. */
#define KH_RULES_NO_FIELD (-1)

/* Size of kh_reject_t.value, NUL included. */
#define KH_REJECT_VALUE_CAP 64

typedef struct {
    int field;     /* index in the file's header, or KH_RULES_NO_FIELD */
    int reason;    /* kh_reason_t */
    char value[KH_REJECT_VALUE_CAP]; /* masked for id columns, else the raw
                                        value cut at a UTF-8 boundary; NUL-
                                        terminated; "" for an empty field */
} kh_reject_t;

/* Longest DEC text (amount, share) accepted, in bytes, and most digits
 * before its separator (as tests/reference/rules.sql); a longer one is
 * rejected as bad_amount / bad_share. */
#define KH_RULES_DEC_MAX 63
#define KH_RULES_DEC_INT_MAX 20
/* Largest significant digits of a whole-NOK amount (shj belop). */
#define KH_RULES_NOK_DIGITS 9
/* ref_kostnader: spending and spending per person must stay below this. */
#define KH_RULES_COST_MAX 1e14L

/* Room `textbuf` needs for any row of any table (decimals, and the one name
 * of ref_kommunenavn). */
#define KH_RULES_TEXTCAP (KH_MAX_COLS * (KH_RULES_DEC_MAX + 1) + KH_NAVN_BYTES)

/* One record to check, as read: everything borrowed. */
typedef struct {
    kh_table_t table;
    const kh_field_t *fields;    /* the record's trimmed fields, in file order */
    int nfields;
    int header_nfields;          /* the header's field count; a different
                                    nfields rejects the row as field_count
                                    with field KH_RULES_NO_FIELD and an empty
                                    value */
    const int *colmap;           /* colmap[c]: index among the fields of
                                    canonical column c (schema.h); every
                                    canonical column is present and the
                                    indexes are distinct */
    const kh_rules_opts_t *opts; /* id options; NULL means both off */
} kh_rules_record_t;

/* Where a checked record goes; the caller owns every buffer.
 * values: one int64 per canonical column: ids as their 11 digits, dates as
 *   days since 1970-01-01, integers and codes as numbers (kommnr "0301" is
 *   301, nus2000 "012345" is 12345), KH_NULL for an empty optional field,
 *   KH_STAR for `*` in ref_monitor; 0 for DEC and TEXT columns.
 * textbuf/textcap: room (at least KH_RULES_TEXTCAP) for the normalised text of
 *   DEC columns ("," becomes ".") and the text of TEXT columns (a name, as
 *   given); texts[c] points into textbuf for those columns and is NULL for
 *   the others. Borrowed: valid until textbuf is reused. `textbuf` and
 *   `texts` may be NULL for a table without DEC or TEXT columns.
 * rej: filled when the row is rejected, for the first failing column in
 *   header (file) order. A rule between two columns (end before start,
 *   sluttstatus missing with an exit date) belongs to the column it names
 *   as wrong (the end date, sluttstatus) and is judged at that column's
 *   position. end_before_start needs both dates given and valid; an empty
 *   sluttstatus is missing whenever avgangsdato is not empty (valid or not). */
typedef struct {
    int64_t *values;
    char *textbuf;
    size_t textcap;
    const char **texts;
    kh_reject_t *rej;
    kh_idnum_memo_t *memo;  /* NULL, or the caller's memo of the last id
                               judged (idnum.h), kept from record to record */
} kh_rules_out_t;

/* Checks one record. Returns 0 when accepted, 1 when rejected (out->rej
 * filled), KH_E_USAGE for an unknown table or a textbuf below
 * KH_RULES_TEXTCAP. values/texts are unspecified after a reject. */
int kh_rules_check(const kh_rules_record_t *rec, const kh_rules_out_t *out);

/* ---- The plain record --------------------------------------------------- */

/* Nearly every record of a nightly extract has one shape: ASCII values of
 * their usual width, nothing quoted, no space, every column where the
 * schema puts it. The plain path (kh_rules_plain_for()) judges such a
 * record straight from its bytes, without splitting it into fields first,
 * and only ever accepts: anything else is left to the full path
 * (kh_csv_split(), then kh_rules_check()), which gives the reason.
 *
 * What it accepts, the full path accepts with the same values: every value
 * it accepts is made of digits, `-` and `*` only, so the record holds no
 * quote, no space or tab and no byte above 0x7F, and its `;` are exactly
 * where this path ended the values; splitting gives the same fields, each
 * judged by the same rule. tests/unit/test_rules.c checks this on every
 * fixture and on damaged records, tests/fuzz/fuzz_idnum.c on any bytes. */

/* Judges `rec` (`len` bytes, without its line end) as a plain record of
 * the function's table, whose file's header lists exactly the canonical
 * columns in canonical order. Returns 0 when it is accepted (out->values
 * filled), 1 when the full path must judge it (values unspecified). Only
 * out->values and out->memo are used: a plain table has no DEC or TEXT
 * column, so there are no texts. */
typedef int (*kh_rules_plain_fn)(const char *rec, size_t len, const kh_rules_opts_t *opts,
                                 const kh_rules_out_t *out);

/* The plain path of `table`, one function per table with each column's rule
 * built in; NULL for a reference table (a few rows, whose duplicate keys
 * only the full path judges). */
kh_rules_plain_fn kh_rules_plain_for(kh_table_t table);

/* ---- Duplicate keys of reference tables --------------------------------- */

typedef struct kh_refdup kh_refdup_t;

/* Caller owns result; free with kh_refdup_destroy(). */
kh_refdup_t *kh_refdup_new(void);

/* Frees the set and sets *d to NULL; accepts NULL and *d == NULL. */
void kh_refdup_destroy(kh_refdup_t **d);

/* 1 when the key of this accepted row of `table` (values as filled by
 * kh_rules_check) was seen before, else records it and returns 0. Feed rows
 * in line order so that the lowest line wins. Keys: the schema's
 * (kh_tabledef_t.keys): ref_monitor (landbakgrunn, kjonn), ref_nasjonal
 * aar, ref_kostnader (kommnr, aar), ref_kommuneendringer (gammel, ny),
 * ref_kommunenavn kommnr. Other tables have no key here and always give 0
 * (duplicates of people are the linker's). */
int kh_refdup_seen(kh_refdup_t *d, kh_table_t table, const int64_t *values);

/* Fills `rej` for a duplicate found by kh_refdup_seen(): reason duplicate,
 * the key column that comes first in header order, its raw value. */
void kh_refdup_reject(kh_table_t table, const kh_field_t *fields, const int *colmap,
                      kh_reject_t *rej);

#endif
