/* redact.h - the last line of defence against a national id in text that
 * leaves a stage: quarantine values, error sentences, log lines and ledger
 * reasons. Any run of 11 or more ASCII digits is masked as the quarantine
 * shows an id (first 4 digits, stars, last digit: "0101******7"), whatever
 * column or sentence it stands in. */
#ifndef KH_REDACT_H
#define KH_REDACT_H

#include <stddef.h>

/* Shortest run of digits that is masked: an 11-digit national id. */
#define KH_REDACT_MIN_RUN 11

/* Masks, in place, every run of KH_REDACT_MIN_RUN or more ASCII digits in
 * the NUL-terminated `s`: the first 4 and the last digit of the run stay,
 * every digit between becomes '*'. The length is unchanged. Returns the
 * number of runs masked. */
int kh_redact(char *s);

/* Copies `len` bytes of `src` into `out` (room for `outcap` bytes, NUL
 * included) with every digit run masked as kh_redact() does. Runs are
 * judged on the whole of `src`, so cutting the copy short never leaves the
 * head of an id unmasked; the cut never splits a UTF-8 sequence. Returns
 * the length written. */
size_t kh_redact_copy(const char *src, size_t len, char *out, size_t outcap);

#endif
