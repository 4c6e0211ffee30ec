/* validate.c - the row rules over one batch of records. See validate.h. */
#define _POSIX_C_SOURCE 200809L
#include "transform/validate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/csvfield.h"
#include "proto/reason.h"
#include "proto/util.h"

/* The header name of file field `field`, or "" for a column kohort ignores. */
static const char *field_name(const kh_tablemeta_t *meta, int ncols, int field)
{
    for (int c = 0; c < ncols; c++)
        if (meta->colmap[c] == field)
            return meta->colname[c];
    return "";
}

struct kh_validate {
    kh_rules_opts_t opts;
    kh_field_t *fields;
    int maxfields;
    char *scratch;
    size_t scratch_cap;
    kh_idnum_memo_t memo;   /* the last id judged, from batch to batch */
    /* the batch being judged, from kh_validate_begin() to kh_validate_end() */
    kh_table_t table;
    const kh_tabledef_t *def;
    const kh_tablemeta_t *meta;
    kh_refdup_t *dup;       /* a reference table's keys seen */
    kh_rules_plain_fn plain;
    kh_rows_t *rows;
    kh_rejects_t *rej;
    int64_t values[KH_MAX_COLS];
    char textbuf[KH_RULES_TEXTCAP];
    const char *texts[KH_MAX_COLS];
    kh_reject_t r;
    kh_rules_out_t checked;
};

kh_validate_t *kh_validate_new(const kh_rules_opts_t *opts)
{
    kh_validate_t *v = kh_xcalloc(1, sizeof *v);
    v->opts = *opts;
    v->maxfields = 257; /* grows to the widest header seen */
    v->fields = kh_xcalloc((size_t)v->maxfields, sizeof *v->fields);
    v->checked = (kh_rules_out_t){.values = v->values, .textbuf = v->textbuf,
                                  .textcap = sizeof v->textbuf, .texts = v->texts, .rej = &v->r,
                                  .memo = &v->memo};
    return v;
}

void kh_validate_destroy(kh_validate_t **vp)
{
    if (!vp || !*vp)
        return;
    memset(&(*vp)->memo, 0, sizeof (*vp)->memo); /* a raw id */
    memset((*vp)->values, 0, sizeof (*vp)->values);
    kh_refdup_destroy(&(*vp)->dup);
    free((*vp)->fields);
    free((*vp)->scratch);
    free(*vp);
    *vp = NULL;
}

/* An accepted row: on in `rows`, or, when ingest knows its person to be out
 * of scope, only counted (it need not be hashed and sent on). */
static void accept(kh_validate_t *v, uint8_t flags, uint32_t line)
{
    kh_rows_t *rows = v->rows;
    if (flags & KH_RAW_OUT_OF_SCOPE) {
        rows->dropped++;
        if (v->table == KH_TAB_BOSATTE && v->values[KH_BOSATTE_AAR] > rows->dropped_aar)
            rows->dropped_aar = (int32_t)v->values[KH_BOSATTE_AAR];
    } else {
        kh_rows_append(rows, line, v->values, v->texts);
    }
}

/* 1 when the file's header lists exactly the canonical columns, in their
 * order: its records may be judged as plain records (rules.h). */
static int canonical_header(const kh_tabledef_t *def, const kh_tablemeta_t *meta)
{
    if (meta->header_nfields != def->ncols)
        return 0;
    for (int c = 0; c < def->ncols; c++)
        if (meta->colmap[c] != c)
            return 0;
    return 1;
}

void kh_validate_begin(kh_validate_t *v, kh_table_t table, const kh_tablemeta_t *meta,
                       kh_rows_t *rows, kh_rejects_t *rej)
{
    v->table = table;
    v->def = kh_schema_table(table);
    v->meta = meta;
    kh_refdup_destroy(&v->dup);
    v->dup = v->def->reference ? kh_refdup_new() : NULL;
    v->plain = canonical_header(v->def, meta) ? kh_rules_plain_for(table) : NULL;
    v->rows = rows;
    v->rej = rej;
    /* room for every header field and one more (to see a row too long) */
    if (meta->header_nfields + 1 > v->maxfields) {
        v->maxfields = meta->header_nfields + 1;
        free(v->fields);
        v->fields = kh_xcalloc((size_t)v->maxfields, sizeof *v->fields);
    }
}

void kh_validate_record(kh_validate_t *v, const char *rec, size_t len, uint32_t line,
                        uint8_t flags)
{
    const kh_tablemeta_t *meta = v->meta;
    int reason = KH_R_NONE, field = -1;
    const char *value = "";
    int nfields = 0;
    if (flags & KH_RAW_TOO_LONG) {
        reason = KH_R_LINE_TOO_LONG;
    } else if (v->plain && v->plain(rec, len, &v->opts, &v->checked) == 0) {
        accept(v, flags, line);
        return;
    } else if (!kh_csv_utf8_valid(rec, len)) {
        reason = KH_R_ENCODING;
    } else {
        if (len > v->scratch_cap) {
            v->scratch_cap = len * 2;
            v->scratch = kh_xrealloc(v->scratch, v->scratch_cap);
        }
        if (kh_csv_split(rec, len, v->scratch, v->fields, v->maxfields, &nfields) != 0) {
            reason = KH_R_BAD_QUOTING;
            field = nfields;
        } else {
            kh_rules_record_t in = {v->table, v->fields, nfields, meta->header_nfields,
                                    meta->colmap, &v->opts};
            int res = kh_rules_check(&in, &v->checked);
            if (res == 0 && v->dup && kh_refdup_seen(v->dup, v->table, v->values)) {
                kh_refdup_reject(v->table, v->fields, meta->colmap, &v->r);
                res = 1;
            }
            if (res == 0) {
                accept(v, flags, line);
                return;
            }
            reason = v->r.reason;
            field = v->r.field;
            value = v->r.value;
        }
    }
    kh_rejected_t *out = kh_rejects_add(v->rej);
    out->line = line;
    out->reason = reason;
    if (field >= 0)
        snprintf(out->column, sizeof out->column, "%s", field_name(meta, v->def->ncols, field));
    snprintf(out->value, sizeof out->value, "%s", value);
}

void kh_validate_end(kh_validate_t *v)
{
    kh_refdup_destroy(&v->dup);
    v->meta = NULL;
    v->rows = NULL;
    v->rej = NULL;
}

void kh_validate_batch(kh_validate_t *v, kh_table_t table, const kh_raw_t *raw, kh_rows_t *rows,
                       kh_rejects_t *rej)
{
    kh_validate_begin(v, table, &raw->meta, rows, rej);
    for (uint32_t i = 0; i < raw->nrows; i++)
        kh_validate_record(v, raw->data + raw->offs[i], raw->offs[i + 1] - raw->offs[i],
                           raw->lines[i], raw->flags[i]);
    kh_validate_end(v);
}
