/* tabread.c - the table reader: file, records, header to metadata. See
 * tabread.h. */
#define _POSIX_C_SOURCE 200809L
#include "ingest/tabread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/extract.h"
#include "ingest/header.h"
#include "proto/err.h"
#include "proto/util.h"

struct kh_tabread {
    kh_table_t table;
    kh_source_t *src;
    kh_csvsplit_t *split;
    kh_header_t *header;
    kh_tablemeta_t *meta;
    kh_csvsplit_cb cb;          /* the caller's, for the records after the header */
    void *ctx;
    uint64_t body;              /* where the records after the header start */
    uint32_t body_line;         /* and on which line */
    char why[KH_REASON_MAX];    /* the header's, the splitter's or the end's complaint */
};

int kh_tabread_find(const char *dir, kh_table_t table, char *path, size_t cap,
                    const char **base, char *why, size_t whycap)
{
    int rc = kh_extract_find(dir, table, path, cap, base, why, whycap);
    if (rc == 0 && kh_schema_table(table)->required) {
        snprintf(why, whycap, "%s.csv: required file is missing from the extract directory",
                 kh_schema_table(table)->name);
        return KH_E_UNUSABLE;
    }
    return rc;
}

int kh_tabread_open(kh_table_t table, const char *path, size_t line_limit, uint64_t max_bytes,
                    kh_tablemeta_t *meta, kh_tabread_t **out)
{
    kh_tabread_t *r = kh_xcalloc(1, sizeof *r);
    r->table = table;
    r->meta = meta;
    r->split = kh_csvsplit_new(line_limit);
    *out = r;
    return kh_source_open(path, max_bytes, &r->src);
}

void kh_tabread_destroy(kh_tabread_t **rp)
{
    if (!rp || !*rp)
        return;
    kh_tabread_t *r = *rp;
    kh_csvsplit_destroy(&r->split);
    kh_source_destroy(&r->src);
    kh_header_destroy(&r->header);
    free(r);
    *rp = NULL;
}

int kh_tabread_read(kh_tabread_t *r, char *buf, size_t cap, size_t *got)
{
    return kh_source_read(r->src, buf, cap, got);
}

/* The header's fields mapped to the table's canonical columns, as every
 * batch carries them. */
static void fill_meta(kh_tabread_t *r)
{
    kh_tablemeta_t *meta = r->meta;
    const kh_tabledef_t *def = kh_schema_table(r->table);
    memset(meta, 0, sizeof *meta);
    snprintf(meta->file, sizeof meta->file, "%s", kh_source_name(r->src));
    meta->header_nfields = kh_header_nfields(r->header);
    for (int c = 0; c < def->ncols; c++) {
        meta->colmap[c] = kh_header_field_of(r->header, c);
        snprintf(meta->colname[c], sizeof meta->colname[c], "%s",
                 kh_header_name(r->header, meta->colmap[c]));
    }
}

static int on_record(void *ctx, const kh_csvrec_t *rec)
{
    kh_tabread_t *r = ctx;
    if (r->header)
        return r->cb(r->ctx, rec);
    if (kh_header_parse(r->table, kh_source_name(r->src), rec, &r->header, r->why,
                        sizeof r->why) != 0)
        return KH_E_UNUSABLE;
    r->body = rec->end;
    r->body_line = rec->end_line;
    fill_meta(r);
    return r->cb ? 0 : KH_STOP; /* the caller wants only the header */
}

int kh_tabread_feed(kh_tabread_t *r, const char *buf, size_t len, kh_csvsplit_cb cb, void *ctx)
{
    r->cb = cb;
    r->ctx = ctx;
    int rc = len ? kh_csvsplit_feed(r->split, buf, len, on_record, r)
                 : kh_csvsplit_finish(r->split, on_record, r);
    if (rc == KH_STOP && !cb)
        return 0;
    if (rc == 0 && len == 0 && !r->header) {
        snprintf(r->why, sizeof r->why, "%s: the file has no header line",
                 kh_source_name(r->src));
        rc = KH_E_UNUSABLE;
    }
    if (rc && !r->why[0] && kh_csvsplit_error(r->split)[0])
        snprintf(r->why, sizeof r->why, "%s: %s", kh_source_name(r->src),
                 kh_csvsplit_error(r->split));
    return rc;
}

int kh_tabread_has_header(const kh_tabread_t *r)
{
    return r->header != NULL;
}

const char *kh_tabread_error(const kh_tabread_t *r)
{
    return r->why[0] ? r->why : kh_source_error(r->src);
}

uint64_t kh_tabread_body(const kh_tabread_t *r, uint32_t *line)
{
    *line = r->body_line;
    return r->body;
}

const kh_source_t *kh_tabread_source(const kh_tabread_t *r)
{
    return r->src;
}
