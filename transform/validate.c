/* validate.c - the row rules over one raw batch. See validate.h. */
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
};

kh_validate_t *kh_validate_new(const kh_rules_opts_t *opts)
{
    kh_validate_t *v = kh_xcalloc(1, sizeof *v);
    v->opts = *opts;
    v->maxfields = 257; /* grows to the widest header seen */
    v->fields = kh_xcalloc((size_t)v->maxfields, sizeof *v->fields);
    return v;
}

void kh_validate_destroy(kh_validate_t **vp)
{
    if (!vp || !*vp)
        return;
    memset(&(*vp)->memo, 0, sizeof (*vp)->memo); /* a raw id */
    free((*vp)->fields);
    free((*vp)->scratch);
    free(*vp);
    *vp = NULL;
}

/* An accepted row: on in `rows`, or, when ingest knows its person to be
 * out of scope, only counted (it need not be hashed and sent on). */
static void accept(kh_rows_t *rows, kh_table_t table, uint8_t flags, uint32_t line,
                   const int64_t *values, const char **texts)
{
    if (flags & KH_RAW_OUT_OF_SCOPE) {
        rows->dropped++;
        if (table == KH_TAB_BOSATTE && values[KH_BOSATTE_AAR] > rows->dropped_aar)
            rows->dropped_aar = (int32_t)values[KH_BOSATTE_AAR];
    } else {
        kh_rows_append(rows, line, values, texts);
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

void kh_validate_batch(kh_validate_t *w, kh_table_t table, const kh_raw_t *raw, kh_rows_t *rows,
                       kh_rejects_t *rej)
{
    const kh_tabledef_t *def = kh_schema_table(table);
    const kh_tablemeta_t *meta = &raw->meta;
    kh_refdup_t *dup = def->reference ? kh_refdup_new() : NULL;
    kh_rules_plain_fn plain = canonical_header(def, meta) ? kh_rules_plain_for(table) : NULL;
    int64_t values[KH_MAX_COLS];
    char textbuf[KH_RULES_TEXTCAP];
    const char *texts[KH_MAX_COLS];
    kh_reject_t r;
    kh_rules_out_t checked = {.values = values, .textbuf = textbuf, .textcap = sizeof textbuf,
                              .texts = texts, .rej = &r, .memo = &w->memo};
    /* room for every header field and one more (to see a row too long) */
    if (meta->header_nfields + 1 > w->maxfields) {
        w->maxfields = meta->header_nfields + 1;
        free(w->fields);
        w->fields = kh_xcalloc((size_t)w->maxfields, sizeof *w->fields);
    }
    for (uint32_t i = 0; i < raw->nrows; i++) {
        const char *rec = raw->data + raw->offs[i];
        size_t len = raw->offs[i + 1] - raw->offs[i];
        uint32_t line = raw->lines[i];
        int reason = KH_R_NONE, field = -1;
        const char *value = "";
        int nfields = 0;
        if (raw->flags[i] & KH_RAW_TOO_LONG) {
            reason = KH_R_LINE_TOO_LONG;
        } else if (plain && plain(rec, len, &w->opts, &checked) == 0) {
            accept(rows, table, raw->flags[i], line, values, texts);
            continue;
        } else if (!kh_csv_utf8_valid(rec, len)) {
            reason = KH_R_ENCODING;
        } else {
            if (len > w->scratch_cap) {
                w->scratch_cap = len * 2;
                w->scratch = kh_xrealloc(w->scratch, w->scratch_cap);
            }
            if (kh_csv_split(rec, len, w->scratch, w->fields, w->maxfields, &nfields) != 0) {
                reason = KH_R_BAD_QUOTING;
                field = nfields;
            } else {
                kh_rules_record_t in = {rows->table, w->fields, nfields, meta->header_nfields,
                                        meta->colmap, &w->opts};
                int res = kh_rules_check(&in, &checked);
                if (res == 0 && dup && kh_refdup_seen(dup, rows->table, values)) {
                    kh_refdup_reject(rows->table, w->fields, meta->colmap, &r);
                    res = 1;
                }
                if (res == 0) {
                    accept(rows, table, raw->flags[i], line, values, texts);
                    continue;
                }
                reason = r.reason;
                field = r.field;
                value = r.value;
            }
        }
        kh_rejected_t *out = kh_rejects_add(rej);
        out->line = line;
        out->reason = reason;
        if (field >= 0)
            snprintf(out->column, sizeof out->column, "%s", field_name(meta, def->ncols, field));
        snprintf(out->value, sizeof out->value, "%s", value);
    }
    kh_refdup_destroy(&dup);
}
