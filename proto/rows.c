/* rows.c - column-held batches of validated rows. See rows.h. */
#include "proto/rows.h"

#include <stdlib.h>
#include <string.h>

#include "proto/util.h"

kh_rows_t *kh_rows_new(kh_table_t table, uint32_t cap)
{
    kh_rows_t *rows = kh_xcalloc(1, sizeof *rows);
    const kh_tabledef_t *def = kh_schema_table(table);
    rows->table = table;
    rows->cap = cap ? cap : 16;
    rows->lines = kh_xmalloc(rows->cap * sizeof *rows->lines);
    for (int c = 0; c < def->ncols; c++) {
        if (KH_COL_IS_TEXT(def->cols[c].type))
            rows->col[c].dec_off = kh_xmalloc(rows->cap * sizeof(uint32_t));
        else
            rows->col[c].i64 = kh_xmalloc(rows->cap * sizeof(int64_t));
    }
    return rows;
}

void kh_rows_destroy(kh_rows_t **rowsp)
{
    if (!rowsp || !*rowsp)
        return;
    kh_rows_t *rows = *rowsp;
    for (int c = 0; c < KH_MAX_COLS; c++) {
        free(rows->col[c].i64);
        free(rows->col[c].pseudo);
        free(rows->col[c].dec_off);
    }
    free(rows->lines);
    free(rows->dec_data);
    free(rows);
    *rowsp = NULL;
}

void kh_rows_clear(kh_rows_t *rows)
{
    rows->nrows = 0;
    rows->dropped = 0;
    rows->dropped_aar = 0;
    rows->dec_len = 0;
}

static void grow(kh_rows_t *rows)
{
    const kh_tabledef_t *def = kh_schema_table(rows->table);
    uint32_t cap = rows->cap * 2;
    rows->lines = kh_xrealloc(rows->lines, cap * sizeof *rows->lines);
    for (int c = 0; c < def->ncols; c++) {
        kh_rowcol_t *col = &rows->col[c];
        if (col->dec_off)
            col->dec_off = kh_xrealloc(col->dec_off, cap * sizeof(uint32_t));
        if (col->i64)
            col->i64 = kh_xrealloc(col->i64, cap * sizeof(int64_t));
        if (col->pseudo)
            col->pseudo = kh_xrealloc(col->pseudo, (size_t)cap * KH_PSEUDO_LEN);
    }
    rows->cap = cap;
}

uint32_t kh_rows_add_text(kh_rows_t *rows, const char *text)
{
    return (uint32_t)kh_text_append(&rows->dec_data, &rows->dec_len, &rows->dec_cap, text);
}

uint32_t kh_rows_append(kh_rows_t *rows, uint32_t line, const int64_t *values,
                        const char *const *texts)
{
    const kh_tabledef_t *def = kh_schema_table(rows->table);
    if (rows->nrows == rows->cap)
        grow(rows);
    uint32_t r = rows->nrows++;
    rows->lines[r] = line;
    for (int c = 0; c < def->ncols; c++) {
        kh_rowcol_t *col = &rows->col[c];
        if (col->dec_off)
            col->dec_off[r] = kh_rows_add_text(rows, texts && texts[c] ? texts[c] : "");
        else if (col->i64)
            col->i64[r] = values[c];
    }
    return r;
}

const char *kh_rows_text(const kh_rows_t *rows, int c, uint32_t r)
{
    return rows->dec_data + rows->col[c].dec_off[r];
}

void kh_rows_make_pseudo(kh_rows_t *rows)
{
    const kh_tabledef_t *def = kh_schema_table(rows->table);
    for (int c = 0; c < def->ncols; c++) {
        if (def->cols[c].type != KH_COL_ID)
            continue;
        kh_rowcol_t *col = &rows->col[c];
        if (col->i64) {
            memset(col->i64, 0, (size_t)rows->cap * sizeof(int64_t));
            free(col->i64);
            col->i64 = NULL;
        }
        free(col->pseudo);
        col->pseudo = kh_xcalloc(rows->cap, KH_PSEUDO_LEN);
    }
    rows->anonymised = 1;
}
