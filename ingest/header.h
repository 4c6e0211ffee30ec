/* header.h - the header line of one extract file, matched to its table.
 *
 * kohort-ingest parses the first record of each file with it: it finds every
 * canonical column of the table (schema.h) by name, case-insensitively and in
 * any order, and keeps the names as written for the quarantine. It owns
 * copies of those names and the column map. */
#ifndef KH_HEADER_H
#define KH_HEADER_H

#include <stddef.h>

#include "ingest/csvsplit.h"
#include "proto/schema.h"

typedef struct kh_header kh_header_t;

/* Parses `rec`, the first record kh_csvsplit yielded for file `filename`
 * (its name on disk, used in messages) of `table`; NULL `rec` means the file
 * held no record at all. On success sets *out (caller owns result; free with
 * kh_header_destroy()) and returns 0. Returns KH_E_UNUSABLE, with *out NULL
 * and one sentence naming the file and column in `err` (`errsize` bytes,
 * always NUL-terminated when errsize > 0), when: there is no header; it is
 * longer than the line limit; its quoting is malformed; it is not valid
 * UTF-8; a non-empty name appears twice (case-insensitively); or a canonical
 * column is missing. Extra columns are ignored. */
int kh_header_parse(kh_table_t table, const char *filename, const kh_csvrec_t *rec,
                    kh_header_t **out, char *err, size_t errsize);

/* Frees the header and sets *hp to NULL; accepts NULL. */
void kh_header_destroy(kh_header_t **hp);

/* Number of fields in the header line: every row must have as many. */
int kh_header_nfields(const kh_header_t *h);

/* Name of file field `field` as written (trimmed, quotes removed),
 * NUL-terminated. Borrowed: valid until the header is destroyed. */
const char *kh_header_name(const kh_header_t *h, int field);

/* File field index holding canonical column `col` of the table (always found
 * once parsed). */
int kh_header_field_of(const kh_header_t *h, int col);

/* Canonical column held by file field `field`, or -1 for an extra column. */
int kh_header_column_at(const kh_header_t *h, int field);

/* colmap[canonical column] = file field index, for the table's ncols
 * columns. Borrowed: valid until the header is destroyed. */
const int *kh_header_colmap(const kh_header_t *h);

#endif
