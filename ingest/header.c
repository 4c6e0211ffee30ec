/* header.c - parsing and checking an extract's header line for
 * kohort-ingest. A header that cannot be trusted makes the whole file
 * unusable, so every failure here is reported as one sentence naming the
 * file. See header.h. */
#define _POSIX_C_SOURCE 200809L
#include "ingest/header.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "proto/csvfield.h"
#include "proto/err.h"
#include "proto/msg.h"
#include "proto/redact.h"
#include "proto/util.h"

/* Longest piece of a column name quoted in a message. */
#define NAME_IN_MESSAGE 64

struct kh_header {
    int nfields;
    char **names;          /* nfields NUL-terminated copies */
    int *column_at;        /* nfields: canonical column or -1 */
    int colmap[KH_MAX_COLS];
};

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail(char *err, size_t errsize, const char *filename, const char *fmt, ...)
{
    if (errsize == 0)
        return KH_E_UNUSABLE;
    int n = snprintf(err, errsize, "%s: ", filename);
    if (n < 0 || (size_t)n >= errsize)
        return KH_E_UNUSABLE;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + n, errsize - (size_t)n, fmt, ap);
    va_end(ap);
    kh_redact(err); /* a column named by an id is quoted in these sentences */
    return KH_E_UNUSABLE;
}

void kh_header_destroy(kh_header_t **hp)
{
    if (!hp || !*hp)
        return;
    kh_header_t *h = *hp;
    for (int i = 0; i < h->nfields; i++)
        free(h->names[i]);
    free(h->names);
    free(h->column_at);
    free(h);
    *hp = NULL;
}

static char *copy_name(const kh_field_t *f)
{
    char *s = kh_xmalloc(f->len + 1);
    memcpy(s, f->data, f->len);
    s[f->len] = '\0';
    return s;
}

typedef struct {
    const char *name;
    int at;
} named_t;

static int by_name(const void *a, const void *b)
{
    const named_t *x = a, *y = b;
    int c = strcasecmp(x->name, y->name);
    return c ? c : (x->at > y->at) - (x->at < y->at);
}

/* The first field (in header order) whose non-empty name an earlier field
 * already has, or -1. Sorted, not pairwise: a header of 100 000 columns
 * is legal and must not take quadratic time. */
static int first_duplicate(const kh_header_t *h)
{
    named_t *v = kh_xmalloc((size_t)h->nfields * sizeof *v + 1);
    for (int i = 0; i < h->nfields; i++)
        v[i] = (named_t){h->names[i], i};
    qsort(v, (size_t)h->nfields, sizeof *v, by_name);
    int first = -1;
    for (int i = 1; i < h->nfields; i++)
        if (v[i].name[0] && strcasecmp(v[i - 1].name, v[i].name) == 0 &&
            (first < 0 || v[i].at < first))
            first = v[i].at;
    free(v);
    return first;
}

/* Splits the record into the header's names; returns 0 or a failure. */
static int split_names(kh_header_t *h, const char *filename, const kh_csvrec_t *rec, char *err,
                       size_t errsize)
{
    int n = 0;
    if (kh_csv_split(rec->data, rec->len, NULL, NULL, 0, &n) != 0)
        return fail(err, errsize, filename, "the header line has malformed quoting");
    if (n > KH_MAX_HEADER_FIELDS)
        return fail(err, errsize, filename, "the header line has %d columns, more than %d",
                    n, KH_MAX_HEADER_FIELDS);
    kh_field_t *fields = kh_xmalloc((size_t)n * sizeof *fields);
    char *scratch = kh_xmalloc(rec->len + 1);
    kh_csv_split(rec->data, rec->len, scratch, fields, n, &n);
    h->names = kh_xcalloc((size_t)n, sizeof *h->names);
    h->column_at = kh_xmalloc((size_t)n * sizeof *h->column_at);
    for (int i = 0; i < n; i++)
        h->names[i] = copy_name(&fields[i]);
    h->nfields = n;
    free(scratch);
    free(fields);
    return 0;
}

static int match_columns(kh_header_t *h, kh_table_t table, const char *filename, char *err,
                         size_t errsize)
{
    const kh_tabledef_t *def = kh_schema_table(table);
    for (int c = 0; c < KH_MAX_COLS; c++)
        h->colmap[c] = -1;
    int dup = first_duplicate(h);
    if (dup >= 0)
        return fail(err, errsize, filename, "column '%.*s' appears twice in the header",
                    NAME_IN_MESSAGE, h->names[dup]);
    for (int i = 0; i < h->nfields; i++) {
        int c = kh_schema_column(table, h->names[i], strlen(h->names[i]));
        h->column_at[i] = c;
        if (c >= 0)
            h->colmap[c] = i;
    }
    for (int c = 0; c < def->ncols; c++)
        if (h->colmap[c] < 0)
            return fail(err, errsize, filename, "required column '%s' is missing",
                        def->cols[c].name);
    return 0;
}

int kh_header_parse(kh_table_t table, const char *filename, const kh_csvrec_t *rec,
                    kh_header_t **out, char *err, size_t errsize)
{
    *out = NULL;
    if (errsize > 0)
        err[0] = '\0';
    if (!kh_schema_table(table))
        return fail(err, errsize, filename, "unknown table");
    if (!rec)
        return fail(err, errsize, filename, "no header line (the file holds no data)");
    if (rec->too_long)
        return fail(err, errsize, filename, "the header line (line %lu) is longer than the line limit",
                    (unsigned long)rec->line);
    if (!kh_csv_utf8_valid(rec->data, rec->len))
        return fail(err, errsize, filename, "the header line has invalid UTF-8");
    kh_header_t *h = kh_xcalloc(1, sizeof *h);
    int rc = split_names(h, filename, rec, err, errsize);
    if (rc == 0)
        rc = match_columns(h, table, filename, err, errsize);
    if (rc != 0) {
        kh_header_destroy(&h);
        return rc;
    }
    *out = h;
    return 0;
}

int kh_header_nfields(const kh_header_t *h)
{
    return h->nfields;
}

const char *kh_header_name(const kh_header_t *h, int field)
{
    return h->names[field];
}

int kh_header_field_of(const kh_header_t *h, int col)
{
    return h->colmap[col];
}

int kh_header_column_at(const kh_header_t *h, int field)
{
    return h->column_at[field];
}

const int *kh_header_colmap(const kh_header_t *h)
{
    return h->colmap;
}
