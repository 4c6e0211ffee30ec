/* write.h - buffered output of one synthetic extract file for `kohort gen`.
 *
 * Used only by the generator in the `kohort` process. An output owns its file
 * (plain or a zlib gzip stream), a 1 MiB buffer and its row and byte counts;
 * a row owns the text of its fields. Integers and dates are formatted here by
 * hand because fprintf per field is far too slow at national scale. */
#ifndef KH_GEN_WRITE_H
#define KH_GEN_WRITE_H

#include <stddef.h>
#include <stdint.h>

/* One output file, opaque. Written under a hidden temporary name and renamed
 * into place by kh_gen_out_close(), so that an interrupted run never leaves a
 * half-written file under the final name. */
typedef struct kh_gen_out kh_gen_out_t;

/* Widest row a table has, plus one field for "too many fields" bad rows. */
#define KH_GEN_ROW_FIELDS 9
/* Longest field text the generator ever writes. */
#define KH_GEN_FIELD_MAX 48

/* One record before it is written: raw field texts (not NUL-terminated) and
 * a mask of fields to write quoted ("" doubled inside). Callers fill the
 * fields directly or with the kh_gen_row_add_* helpers. */
typedef struct {
    int nfields;
    unsigned quote_mask;                          /* bit i: quote field i */
    uint8_t len[KH_GEN_ROW_FIELDS];
    char text[KH_GEN_ROW_FIELDS][KH_GEN_FIELD_MAX];
} kh_gen_row_t;

/* Open DIR/NAME.csv (or NAME.csv.gz when gzip, compressed at zlib `level`)
 * for writing, under a temporary name. Returns 0 or -errno.
 * Caller owns *out; finish with kh_gen_out_close() or kh_gen_out_destroy(). */
int kh_gen_out_open(const char *dir, const char *name, int gzip, int level, kh_gen_out_t **out);

/* Append raw bytes (no row accounting). Errors are sticky: see
 * kh_gen_out_error(). */
void kh_gen_out_bytes(kh_gen_out_t *out, const char *bytes, size_t len);

/* Append ready-made records: `len` bytes of `text`, each ended by LF;
 * counts one row per LF. */
void kh_gen_out_records(kh_gen_out_t *out, const char *text, size_t len);

/* Append `row` as one record: fields joined with ';', quoted as the mask
 * says, ended by LF. Counts one row. */
void kh_gen_out_row(kh_gen_out_t *out, const kh_gen_row_t *row);

/* The first write error so far (0 or -errno). */
int kh_gen_out_error(const kh_gen_out_t *out);

/* Records written (header excluded) and uncompressed bytes written. */
uint64_t kh_gen_out_rows(const kh_gen_out_t *out);
uint64_t kh_gen_out_size(const kh_gen_out_t *out);

/* Flush, close and rename into place; frees *out and sets it to NULL.
 * Returns the first error of the file's life (0 or -errno); on error the
 * temporary file is removed. *out may be NULL (returns 0). */
int kh_gen_out_close(kh_gen_out_t **out);

/* Abandon: close, remove the temporary file, free, NULL *out. NULL is fine. */
void kh_gen_out_destroy(kh_gen_out_t **out);

/* ---- Row building --------------------------------------------------------- */

/* Empty `row` (no fields, nothing quoted). */
void kh_gen_row_reset(kh_gen_row_t *row);

/* Append a field holding `len` bytes of `text` (cut at KH_GEN_FIELD_MAX). */
void kh_gen_row_add(kh_gen_row_t *row, const char *text, size_t len);

/* Append a field holding `value` in decimal, at least `width` digits with
 * leading zeros (width 0: no padding). */
void kh_gen_row_add_uint(kh_gen_row_t *row, uint64_t value, int width);

/* Append a date field, days since 1970-01-01, as YYYY-MM-DD or, when
 * compact, YYYYMMDD. */
void kh_gen_row_add_date(kh_gen_row_t *row, int64_t days, int compact);

/* Replace field `index` (< nfields) with `len` bytes of `text`. */
void kh_gen_row_set(kh_gen_row_t *row, int index, const char *text, size_t len);

/* Write `value` with at least `width` digits into dst (no NUL); returns the
 * number of bytes written (at most 20). */
size_t kh_gen_fmt_uint(char *dst, uint64_t value, int width);

#endif
