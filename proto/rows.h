/* rows.h - a batch of validated rows of one register table, held by column.
 *
 * The validator fills one, the codec (msg.h) packs it column by column, the
 * anonymiser swaps its id columns for pseudonyms, and the linker reads it.
 * Columns follow the table's canonical order (schema.h). The batch owns all
 * its memory. */
#ifndef KH_ROWS_H
#define KH_ROWS_H

#include <stdint.h>
#include <stddef.h>

#include "proto/schema.h"

#define KH_PSEUDO_LEN 16

typedef struct {
    int64_t *i64;        /* INT, DATE, and ID before the anonymiser: nrows values */
    uint8_t *pseudo;     /* ID after the anonymiser: nrows * KH_PSEUDO_LEN bytes */
    uint32_t *dec_off;   /* DEC, TEXT: offset of each NUL-terminated text in dec_data */
} kh_rowcol_t;

typedef struct {
    kh_table_t table;
    int anonymised;      /* 1: ID columns hold pseudonyms (pseudo), not numbers */
    uint32_t nrows;
    uint32_t cap;
    uint32_t dropped;    /* accepted rows the validator left out because ingest
                            flagged their person as certainly out of scope;
                            the linker counts them as out_of_scope */
    int32_t dropped_aar; /* bosatte: the newest aar among the dropped rows (0:
                            none), for the default reference year */
    uint32_t *lines;     /* physical line of each row in its file (1-based) */
    kh_rowcol_t col[KH_MAX_COLS];
    char *dec_data;      /* texts of DEC and TEXT columns */
    size_t dec_len, dec_cap;
} kh_rows_t;

/* Caller owns result; free with kh_rows_destroy(). Room for `cap` rows
 * (grows as needed). */
kh_rows_t *kh_rows_new(kh_table_t table, uint32_t cap);

/* Frees the batch and sets *rows to NULL; accepts NULL. */
void kh_rows_destroy(kh_rows_t **rows);

/* Empties the batch, keeping its memory. */
void kh_rows_clear(kh_rows_t *rows);

/* Appends one row: `values` holds one int64 per canonical column (for a DEC
 * or TEXT column it is ignored and `texts[c]` is used instead; texts may be
 * NULL when the table has neither). Returns the new row's index. */
uint32_t kh_rows_append(kh_rows_t *rows, uint32_t line, const int64_t *values,
                        const char *const *texts);

/* Copies a NUL-terminated text into the batch's text store and returns its
 * offset there (what dec_off holds). */
uint32_t kh_rows_add_text(kh_rows_t *rows, const char *text);

/* The text of DEC or TEXT column `c` of row `r`. Borrowed: valid until the batch
 * changes. */
const char *kh_rows_text(const kh_rows_t *rows, int c, uint32_t r);

/* Switch the ID columns to pseudonym storage (allocated, zeroed) and mark the
 * batch anonymised; the int64 id values are wiped and freed. */
void kh_rows_make_pseudo(kh_rows_t *rows);

/* Pseudonym of ID column `c`, row `r`. Borrowed: valid until the batch changes. */
static inline uint8_t *kh_rows_pseudo(const kh_rows_t *rows, int c, uint32_t r)
{
    return rows->col[c].pseudo + (size_t)r * KH_PSEUDO_LEN;
}

#endif
