/* tabread.h - the table reader: one table of an extract directory, from
 * its file to its records. Finds NAME.csv or NAME.csv.gz (extract.h), reads
 * it (source.h), splits records (csvsplit.h), parses the header line
 * (header.h) into the metadata that travels with every batch, and hands on
 * every record after the header. Used by kohort-ingest (its header
 * pre-check and the sending) and by `kohort check`. A reader owns its
 * source, splitter and header. */
#ifndef KH_TABREAD_H
#define KH_TABREAD_H

#include <stddef.h>
#include <stdint.h>

#include "ingest/csvsplit.h"
#include "ingest/source.h"
#include "proto/msg.h"
#include "proto/schema.h"

typedef struct kh_tabread kh_tabread_t;

/* Finds the file of `table` in `dir`. Returns 1 and writes the path (and
 * sets *base to its file name within path) when it is there; 0 when an
 * optional table has no file; KH_E_UNUSABLE with one sentence in `why`
 * when a required table has none, both NAME.csv and NAME.csv.gz are there,
 * or the file is not a regular file. */
int kh_tabread_find(const char *dir, kh_table_t table, char *path, size_t cap,
                    const char **base, char *why, size_t whycap);

/* Opens `path`, the file of `table` (line_limit and max_bytes as
 * kh_csvsplit_new() and kh_source_open() take them; 0 for the defaults).
 * `meta` is filled once the header line is parsed (borrowed: it must outlive
 * the reader). *out is set in every case (caller owns result; free with
 * kh_tabread_destroy()) so that kh_tabread_error() can say what failed.
 * Returns 0, or -errno when the file cannot be opened. */
int kh_tabread_open(kh_table_t table, const char *path, size_t line_limit, uint64_t max_bytes,
                    kh_tablemeta_t *meta, kh_tabread_t **out);

/* Frees the reader and sets *rp to NULL; accepts NULL. */
void kh_tabread_destroy(kh_tabread_t **rp);

/* Reads up to `cap` bytes of the (decompressed) file into `buf`; *got is 0
 * only at its end. Returns 0 or the code of kh_source_read(). */
int kh_tabread_read(kh_tabread_t *r, char *buf, size_t cap, size_t *got);

/* Splits `len` bytes of `buf` (len 0: the end of the file). The first
 * record is the header: parsed, and `meta` filled; every later record goes
 * to `cb` (as kh_csvsplit_feed() calls it); a NULL `cb` stops at the header
 * and leaves the rest of `buf` unread. Returns 0; KH_E_UNUSABLE when
 * the header is unusable, the CSV is malformed, or the file ends without a
 * header line (kh_tabread_error() says which); or the non-zero code `cb`
 * returned to stop (KH_STOP or an error). */
int kh_tabread_feed(kh_tabread_t *r, const char *buf, size_t len, kh_csvsplit_cb cb, void *ctx);

/* 1 once the header line has been parsed. */
int kh_tabread_has_header(const kh_tabread_t *r);

/* Once the header is parsed: the offset in the (decompressed) file where
 * the records after it start, and in *line the physical line there, as
 * kh_csvrec_t.end and end_line give them (0 for a header cut at the line
 * limit, which is never parsed). */
uint64_t kh_tabread_body(const kh_tabread_t *r, uint32_t *line);

/* One sentence naming the file and what went wrong; "" while nothing has.
 * Borrowed: valid until the reader is destroyed. */
const char *kh_tabread_error(const kh_tabread_t *r);

/* The file being read, for its progress and size. Borrowed: valid until the
 * reader is destroyed. */
const kh_source_t *kh_tabread_source(const kh_tabread_t *r);

#endif
