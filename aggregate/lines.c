/* lines.c - the lines of an indicator table; see lines.h. Per kind of line
 * one index array holds every row, sorted by the fixed key columns in print
 * order and then by the varying one, so a line is a contiguous range. */
#include "aggregate/lines.h"

#include <stdlib.h>
#include <string.h>

#include "proto/util.h"

struct kh_lines {
    const kh_indrow_t *rows;
    size_t n;
    kh_lines_spec_t spec;
    size_t *order[KH_LINES_MAX_KINDS];   /* n row indexes per kind */
    size_t *starts[KH_LINES_MAX_KINDS];  /* nlines + 1 offsets per kind */
    size_t *totals[KH_LINES_MAX_KINDS];  /* total member per line */
    size_t nlines[KH_LINES_MAX_KINDS];
};

static int spec_usable(const kh_lines_spec_t *spec)
{
    if (!spec || spec->ndims < 1 || spec->ndims > KH_LINES_MAX_DIMS || spec->nkinds < 0 ||
        spec->nkinds > KH_LINES_MAX_KINDS)
        return 0;
    for (int k = 0; k < spec->nkinds; k++)
        if (spec->vary[k] < 0 || spec->vary[k] >= spec->ndims)
            return 0;
    return 1;
}

/* Compares rows a and b by their first ndims key columns. */
static int compare_keys(const kh_indrow_t *a, const kh_indrow_t *b, int ndims)
{
    for (int d = 0; d < ndims; d++) {
        int32_t x = kh_lines_key(a, d), y = kh_lines_key(b, d);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

/* A sort record: the row's key copied so that qsort needs no context. */
typedef struct {
    int32_t key[KH_LINES_MAX_DIMS + 1];
    size_t row;
} sortkey_t;

static int by_sortkey(const void *pa, const void *pb)
{
    const sortkey_t *a = pa, *b = pb;
    for (int d = 0; d <= KH_LINES_MAX_DIMS; d++)
        if (a->key[d] != b->key[d])
            return a->key[d] < b->key[d] ? -1 : 1;
    return 0;
}

static void build_kind(kh_lines_t *l, int kind, sortkey_t *keys)
{
    int vary = l->spec.vary[kind], ndims = l->spec.ndims;
    for (size_t i = 0; i < l->n; i++) {
        int j = 0;
        for (int d = 0; d < ndims; d++)
            if (d != vary)
                keys[i].key[j++] = kh_lines_key(&l->rows[i], d);
        keys[i].key[j++] = kh_lines_key(&l->rows[i], vary);
        while (j <= KH_LINES_MAX_DIMS)
            keys[i].key[j++] = 0;
        keys[i].row = i;
    }
    qsort(keys, l->n, sizeof *keys, by_sortkey);
    size_t *order = kh_xmalloc((l->n ? l->n : 1) * sizeof *order);
    size_t *starts = kh_xmalloc((l->n + 1) * sizeof *starts);
    size_t *totals = kh_xmalloc((l->n ? l->n : 1) * sizeof *totals);
    size_t nlines = 0;
    for (size_t i = 0; i < l->n; i++) {
        order[i] = keys[i].row;
        const kh_indrow_t *row = &l->rows[order[i]];
        if (i == 0 ||
            memcmp(keys[i - 1].key, keys[i].key, (size_t)(ndims - 1) * sizeof(int32_t)) != 0) {
            totals[nlines] = SIZE_MAX;
            starts[nlines++] = i;
        }
        if (kh_lines_key(row, vary) == 0)
            totals[nlines - 1] = i - starts[nlines - 1];
    }
    starts[nlines] = l->n;
    l->order[kind] = order;
    l->starts[kind] = starts;
    l->totals[kind] = totals;
    l->nlines[kind] = nlines;
}

kh_lines_t *kh_lines_new(const kh_indrow_t *rows, size_t n, const kh_lines_spec_t *spec)
{
    if (!spec_usable(spec) || (n > 0 && !rows))
        return NULL;
    for (size_t i = 1; i < n; i++)
        if (compare_keys(&rows[i - 1], &rows[i], spec->ndims) >= 0)
            return NULL;
    kh_lines_t *l = kh_xcalloc(1, sizeof *l);
    l->rows = rows;
    l->n = n;
    l->spec = *spec;
    sortkey_t *keys = kh_xmalloc((n ? n : 1) * sizeof *keys);
    for (int k = 0; k < spec->nkinds; k++)
        build_kind(l, k, keys);
    free(keys);
    return l;
}

void kh_lines_destroy(kh_lines_t **lines)
{
    if (!lines || !*lines)
        return;
    for (int k = 0; k < KH_LINES_MAX_KINDS; k++) {
        free((*lines)->order[k]);
        free((*lines)->starts[k]);
        free((*lines)->totals[k]);
    }
    free(*lines);
    *lines = NULL;
}

size_t kh_lines_count(const kh_lines_t *lines, int kind)
{
    return kind >= 0 && kind < lines->spec.nkinds ? lines->nlines[kind] : 0;
}

kh_line_t kh_lines_get(const kh_lines_t *lines, int kind, size_t i)
{
    size_t from = lines->starts[kind][i], to = lines->starts[kind][i + 1];
    return (kh_line_t){lines->order[kind] + from, to - from, lines->totals[kind][i]};
}
