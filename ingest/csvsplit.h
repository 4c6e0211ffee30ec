/* csvsplit.h - streaming splitter of an extract's bytes into CSV records.
 *
 * kohort-ingest feeds it the decompressed file chunk by chunk; it yields one
 * record per CSV row with its physical line number, skipping the byte-order
 * mark and blank lines. Records inside the fed chunk are passed without
 * copying; the splitter owns only a carry buffer for a record that spans
 * chunks (at most line_limit + 1 bytes). */
#ifndef KH_CSVSPLIT_H
#define KH_CSVSPLIT_H

#include <stddef.h>
#include <stdint.h>

#define KH_CSVSPLIT_DEFAULT_LIMIT ((size_t)1 << 20) /* 1 MiB */

/* The line limit a splitter made with `line_limit` applies (0: the default). */
static inline size_t kh_csvsplit_limit(size_t line_limit)
{
    return line_limit ? line_limit : KH_CSVSPLIT_DEFAULT_LIMIT;
}

/* One record: the bytes between two line ends (without the LF or CRLF that
 * ends it; line ends inside quoted fields stay in). `line` is the 1-based
 * physical line where the record starts. When `too_long` is 1 the record was
 * longer than the line limit: `data` is then "" and `len` 0 (its bytes were
 * dropped), and the splitter went on at the next line end after the limit. */
typedef struct {
    uint32_t line;
    const char *data;
    size_t len;
    int too_long;
    /* Where the next record may start: the offset in the bytes fed (BOM
     * included) just after this record's line end, and the physical line
     * there. `end` is 0 when a too-long record was cut before its line end
     * (its rest is skipped after the callback, so no record may start
     * there); a too-long record that arrived whole has its end. A splitter
     * made by kh_csvsplit_new_at() with that line, fed the bytes from that
     * offset, yields the records that follow. */
    uint64_t end;
    uint32_t end_line;
} kh_csvrec_t;

/* Called once per record, in file order. `rec` and its data are borrowed:
 * valid only until the callback returns. Return 0 to go on, KH_STOP to end
 * early or a negative code (an error): kh_csvsplit_feed()/finish() then
 * return that code. */
typedef int (*kh_csvsplit_cb)(void *ctx, const kh_csvrec_t *rec);

typedef struct kh_csvsplit kh_csvsplit_t;

/* Caller owns result; free with kh_csvsplit_destroy(). `line_limit` is the
 * longest record accepted, in bytes (0 = KH_CSVSPLIT_DEFAULT_LIMIT). */
kh_csvsplit_t *kh_csvsplit_new(size_t line_limit);

/* A splitter that starts inside a file, at a record boundary another
 * splitter reported (kh_csvrec_t.end): `line` is the physical line there,
 * and no byte-order mark is looked for. Caller owns result. */
kh_csvsplit_t *kh_csvsplit_new_at(size_t line_limit, uint32_t line);

/* Frees the splitter and sets *sp to NULL; accepts NULL. */
void kh_csvsplit_destroy(kh_csvsplit_t **sp);

/* Feeds the next `len` bytes of the file (any size, also 0 or 1) and calls
 * `cb` for every record they complete. `chunk` is borrowed for the call only.
 * Returns 0; KH_E_UNUSABLE when the file holds a NUL byte (see
 * kh_csvsplit_error()); or the callback's negative code. After a failure
 * every later call returns the same code. */
int kh_csvsplit_feed(kh_csvsplit_t *s, const char *chunk, size_t len, kh_csvsplit_cb cb, void *ctx);

/* Ends the file: yields the last record when the file does not end with a
 * line end. An unterminated quoted field runs to the end of the file (or is
 * cut at the line limit). Returns as kh_csvsplit_feed(). */
int kh_csvsplit_finish(kh_csvsplit_t *s, kh_csvsplit_cb cb, void *ctx);

/* The physical line being read (1-based): after finish, the number of lines
 * in the file plus one when it ends with a line end. */
uint32_t kh_csvsplit_line(const kh_csvsplit_t *s);

/* Why the file is unusable, e.g. "NUL byte on line 12" (without the file
 * name, which the caller adds), or "" when it is not. Borrowed: valid until
 * the splitter is destroyed. */
const char *kh_csvsplit_error(const kh_csvsplit_t *s);

#endif
