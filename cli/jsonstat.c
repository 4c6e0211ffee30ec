/* jsonstat.c - one JSON-stat 2.0 dataset from stored rows; see jsonstat.h.
 * The rows are collected first because the cube's size (every dimension's
 * categories) must be known before the first value is written. */
#define _POSIX_C_SOURCE 200809L
#include "cli/jsonstat.h"

#include <stdlib.h>
#include <string.h>

#include "cli/common.h"
#include "cli/labels.h"
#include "cli/muninames.h"
#include "proto/util.h"

#define MAX_KEYS 5 /* ref_year, kommnr, key2, key3, key4 */

typedef struct {
    int32_t key[MAX_KEYS];
    kh_indrow_t row;
} stored_t;

struct kh_jsonstat {
    kh_indtable_t table;
    const kh_indtabledef_t *def;
    int nkeys;
    stored_t *rows;
    size_t n, cap;
};

kh_jsonstat_t *kh_jsonstat_new(kh_indtable_t table)
{
    kh_jsonstat_t *js = kh_xcalloc(1, sizeof *js);
    js->table = table;
    js->def = kh_schema_indtable(table);
    js->nkeys = 1 + kh_schema_indkeys(table);
    return js;
}

void kh_jsonstat_destroy(kh_jsonstat_t **js)
{
    if (!js || !*js)
        return;
    free((*js)->rows);
    free(*js);
    *js = NULL;
}

void kh_jsonstat_add(kh_jsonstat_t *js, int ref_year, const kh_indrow_t *row)
{
    if (js->n == js->cap) {
        js->cap = js->cap ? js->cap * 2 : 256;
        js->rows = kh_xrealloc(js->rows, js->cap * sizeof *js->rows);
    }
    stored_t *s = &js->rows[js->n++];
    int32_t key[MAX_KEYS] = {ref_year, row->kommnr, row->key2, row->key3, row->key4};
    memcpy(s->key, key, sizeof key);
    s->row = *row;
}

static int cmp_int(const void *a, const void *b)
{
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    return (x > y) - (x < y);
}

/* The sorted distinct values of key k; returns their number. */
static size_t categories(const kh_jsonstat_t *js, int k, int32_t **out)
{
    int32_t *v = kh_xmalloc((js->n ? js->n : 1) * sizeof *v);
    for (size_t i = 0; i < js->n; i++)
        v[i] = js->rows[i].key[k];
    qsort(v, js->n, sizeof *v, cmp_int);
    size_t m = 0;
    for (size_t i = 0; i < js->n; i++)
        if (m == 0 || v[m - 1] != v[i])
            v[m++] = v[i];
    *out = v;
    return m;
}

static size_t position(const int32_t *cats, size_t n, int32_t v)
{
    const int32_t *p = bsearch(&v, cats, n, sizeof *cats, cmp_int);
    return p ? (size_t)(p - cats) : 0;
}

/* A key value as printed: "0301", "2024", "1", "0". */
static void key_text(char *buf, size_t cap, int k, int32_t v)
{
    snprintf(buf, cap, k == 1 || k == 2 ? "%04d" : "%d", (int)v);
}

static const char *key_name(const kh_jsonstat_t *js, int k)
{
    const char *names[MAX_KEYS] = {"ref_year", "kommnr", js->def->key2, js->def->key3,
                                   js->def->key4};
    return names[k];
}

static void print_dimension(const kh_jsonstat_t *js, FILE *f, int k, const int32_t *cats, size_t n)
{
    const char *name = key_name(js, k);
    fprintf(f, "\"%s\":{\"label\":", name);
    kh_cli_json_str(f, kh_label_key(name));
    fprintf(f, ",\"category\":{\"index\":{");
    char text[16], buf[160];
    for (size_t i = 0; i < n; i++) {
        key_text(text, sizeof text, k, cats[i]);
        fprintf(f, "%s\"%s\":%zu", i ? "," : "", text, i);
    }
    fprintf(f, "},\"label\":{");
    for (size_t i = 0; i < n; i++) {
        key_text(text, sizeof text, k, cats[i]);
        const char *label = kh_label_key_value(name, cats[i]);
        if (!label && k == 1)
            label = kh_muninames_label(cats[i], buf, sizeof buf);
        fprintf(f, "%s\"%s\":", i ? "," : "", text);
        kh_cli_json_str(f, label ? label : text);
    }
    fprintf(f, "}}}");
}

static void print_contents(const kh_jsonstat_t *js, FILE *f)
{
    const kh_indtabledef_t *def = js->def;
    fprintf(f, "\"contents\":{\"label\":\"indicator\",\"category\":{\"index\":{");
    for (int c = 0; c < def->ncols; c++)
        fprintf(f, "%s\"%s\":%d", c ? "," : "", def->cols[c].name, c);
    fprintf(f, "},\"label\":{");
    for (int c = 0; c < def->ncols; c++) {
        fprintf(f, "%s\"%s\":", c ? "," : "", def->cols[c].name);
        kh_cli_json_str(f, kh_label_column(js->table, c)->label);
    }
    fprintf(f, "},\"unit\":{");
    for (int c = 0; c < def->ncols; c++) {
        fprintf(f, "%s\"%s\":{\"decimals\":%d,\"label\":", c ? "," : "", def->cols[c].name,
                def->cols[c].scale);
        kh_cli_json_str(f, kh_label_column(js->table, c)->unit);
        fprintf(f, "}");
    }
    fprintf(f, "}}}");
}

void kh_jsonstat_print(const kh_jsonstat_t *js, FILE *f, const char *source)
{
    const kh_indtabledef_t *def = js->def;
    int32_t *cats[MAX_KEYS];
    size_t ncat[MAX_KEYS], ncells = (size_t)def->ncols;
    for (int k = 0; k < js->nkeys; k++) {
        ncat[k] = categories(js, k, &cats[k]);
        ncells *= ncat[k];
    }
    /* per cell: 0 no row (unavailable), 1 a value, 2 suppressed, 3 unavailable */
    uint8_t *state = kh_xcalloc(ncells ? ncells : 1, 1);
    int64_t *value = kh_xcalloc(ncells ? ncells : 1, sizeof *value);
    for (size_t i = 0; i < js->n; i++) {
        const stored_t *s = &js->rows[i];
        size_t at = 0;
        for (int k = 0; k < js->nkeys; k++)
            at = at * ncat[k] + position(cats[k], ncat[k], s->key[k]);
        at *= (size_t)def->ncols;
        for (int c = 0; c < def->ncols; c++) {
            if (s->row.present[c]) {
                state[at + (size_t)c] = 1;
                value[at + (size_t)c] = s->row.value[c];
            } else {
                state[at + (size_t)c] = (s->row.suppressed_mask >> c & 1) ? 2 : 3;
            }
        }
    }
    fprintf(f, "{\"version\":\"2.0\",\"class\":\"dataset\",\"label\":");
    char label[128];
    snprintf(label, sizeof label, "kohort: table %s", def->name);
    kh_cli_json_str(f, label);
    fprintf(f, ",\"source\":");
    kh_cli_json_str(f, source);
    fprintf(f, ",\"id\":[");
    for (int k = 0; k < js->nkeys; k++)
        fprintf(f, "\"%s\",", key_name(js, k));
    fprintf(f, "\"contents\"],\"size\":[");
    for (int k = 0; k < js->nkeys; k++)
        fprintf(f, "%zu,", ncat[k]);
    fprintf(f, "%d],\"role\":{\"time\":[\"ref_year\"],\"geo\":[\"kommnr\"],\"metric\":[\"contents\"]},"
               "\"dimension\":{", def->ncols);
    for (int k = 0; k < js->nkeys; k++) {
        print_dimension(js, f, k, cats[k], ncat[k]);
        fputc(',', f);
    }
    print_contents(js, f);
    fprintf(f, "},\"value\":[");
    char text[40];
    for (size_t i = 0; i < ncells; i++) {
        int c = (int)(i % (size_t)def->ncols);
        if (state[i] == 1)
            kh_cli_format_value(text, sizeof text, value[i], def->cols[c].scale);
        fprintf(f, "%s%s", i ? "," : "", state[i] == 1 ? text : "null");
    }
    fprintf(f, "],\"status\":{");
    int first = 1;
    for (size_t i = 0; i < ncells; i++) {
        if (state[i] == 1)
            continue;
        fprintf(f, "%s\"%zu\":\"%s\"", first ? "" : ",", i, state[i] == 2 ? ":" : "..");
        first = 0;
    }
    fprintf(f, "}}\n");
    free(state);
    free(value);
    for (int k = 0; k < js->nkeys; k++)
        free(cats[k]);
}
