/* rangeread.h - kohort-validate's half of ingest's split: the records of a
 * RANGE batch (proto/msg.h kh_range_t) read from their extract file.
 *
 * Ingest splits a plain extract file to find record boundaries, lines and
 * the out-of-scope flags, and sends where each batch lies rather than its
 * bytes. The validator reads those bytes itself and splits them again with
 * the same splitter (ingest/csvsplit.h) started at the batch's first line,
 * which yields the records ingest saw; that they are (the same count, the
 * same too-long records) and that the file is the one ingest opened, in the
 * same state (proto/fileid.h), is checked, so a file changed during the run
 * fails the run. Keeps the current file open between batches. */
#ifndef KH_RANGEREAD_H
#define KH_RANGEREAD_H

#include <stddef.h>
#include <stdint.h>

#include "proto/msg.h"

typedef struct kh_rangeread kh_rangeread_t;

/* Reads files of the extract directory `dir` (copied). Caller owns result;
 * free with kh_rangeread_destroy(). */
kh_rangeread_t *kh_rangeread_new(const char *dir);

/* Closes the file and frees the reader; sets *rp to NULL; accepts NULL. */
void kh_rangeread_destroy(kh_rangeread_t **rp);

/* Called for each record of a range, in file order: its bytes (borrowed,
 * valid during the call only), its physical line, and ingest's flags for
 * it (KH_RAW_*). */
typedef void (*kh_rangeread_cb)(void *ctx, const char *data, size_t len, uint32_t line,
                                uint8_t flags);

/* Reads the range's records from its file and passes each to `cb`, without
 * copying them. Returns 0, or KH_E_UNUSABLE with one sentence naming the
 * file in `why` (the file is missing, changed since ingest opened it, or
 * its bytes no longer split as they did); the records already passed are
 * then not to be used. */
int kh_rangeread_each(kh_rangeread_t *rr, const kh_range_t *range, kh_rangeread_cb cb,
                      void *ctx, char *why, size_t whycap);

/* kh_rangeread_each() into `raw` (cleared first, meta set from the range;
 * the validator itself judges the records as they come, without this copy):
 * the range's records and flags, as ingest would have sent them in a RAW
 * batch. */
int kh_rangeread_fill(kh_rangeread_t *rr, const kh_range_t *range, kh_raw_t *raw, char *why,
                      size_t whycap);

#endif
