/* source.h - one extract file opened for reading, plain or gzip.
 *
 * kohort-ingest reads each table's file through it: NAME.csv as is,
 * NAME.csv.gz inflated (concatenated members too) with a check that the
 * stream is complete and sound, and an optional cap on the decompressed size
 * against gzip bombs. It owns the file descriptor and the inflate state. */
#ifndef KH_SOURCE_H
#define KH_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "proto/fileid.h"

typedef struct kh_source kh_source_t;

/* Opens `path`; it is read as gzip when its name ends in ".gz".
 * `max_bytes` caps the decompressed (for a plain file: the read) size; 0 means
 * no cap. *out is set in every case (caller owns it; free with
 * kh_source_destroy()) so that kh_source_error() can say what failed.
 * Returns 0, or -errno when the file cannot be opened. */
int kh_source_open(const char *path, uint64_t max_bytes, kh_source_t **out);

/* Frees the source, closing its file, and sets *srcp to NULL; accepts NULL. */
void kh_source_destroy(kh_source_t **srcp);

/* Reads up to `cap` decompressed bytes into `buf`; *got is 0 only at the end
 * of the file. Never more than the file held at open. Returns 0;
 * KH_E_UNUSABLE when the gzip stream is truncated or corrupt, the size cap
 * is passed, or the file changed size since open; or -errno on a read error. After a
 * failure every later call returns the same code. */
int kh_source_read(kh_source_t *src, char *buf, size_t cap, size_t *got);

/* One sentence naming the file and what went wrong, e.g.
 * "f_intro.csv.gz: truncated or corrupt gzip stream"; "" while nothing has.
 * Borrowed: valid until the source is destroyed. */
const char *kh_source_error(const kh_source_t *src);

/* The file's name on disk without its directory ("f_intro.csv.gz"), as the
 * quarantine and error messages name it. Borrowed: valid until destroy. */
const char *kh_source_name(const kh_source_t *src);

/* The file as it was at open (fileid.h). Borrowed: valid until destroy. */
const kh_fileid_t *kh_source_id(const kh_source_t *src);

/* 1 when the file is read as gzip. */
int kh_source_is_gzip(const kh_source_t *src);

/* Bytes of the file on disk consumed so far (compressed bytes for gzip), and
 * the file's size on disk when opened: together they give progress. */
uint64_t kh_source_disk_done(const kh_source_t *src);
uint64_t kh_source_disk_size(const kh_source_t *src);

/* Decompressed bytes handed out so far. */
uint64_t kh_source_bytes_out(const kh_source_t *src);

#endif
