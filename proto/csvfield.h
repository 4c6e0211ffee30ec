/* csvfield.h - split one CSV record of an extract into its fields.
 *
 * Used by kohort-ingest (header line) and kohort-validate (every row). It
 * implements the quoting and trimming rules of spec/extracts.md "Common
 * format" and the UTF-8 check. Pure functions: no state, no allocation. */
#ifndef KH_CSVFIELD_H
#define KH_CSVFIELD_H

#include <stddef.h>

#include "proto/schema.h"

/* Splits the record `rec` (`len` bytes, without its line end; it may hold
 * line ends inside quoted fields) at `;` into fields.
 *
 * Quoting: a field whose first byte is `"` is quoted; it must end with a `"`
 * right before the next `;` or the record end. `""` inside is one literal
 * quote. A quote
 * anywhere else, a closing quote followed by other bytes, or a quoted field
 * without its closing quote is malformed.
 *
 * Trimming: every field, quoted or not, loses its leading and trailing
 * spaces and tabs (a quoted field: inside the quotes); ` "a"` and `"a" `
 * are malformed quoting (extracts.md: the quote stands right after the
 * delimiter).
 *
 * `fields[i]` borrows from `rec` or, for a quoted field holding `""`, from
 * `scratch` (caller-provided, at least `len` bytes; may be NULL when
 * maxfields is 0). Borrowed: valid while `rec` and `scratch` are.
 * At most `maxfields` fields are stored; `*nfields` receives the number of
 * fields in the record even when that is more (an empty record has one empty
 * field).
 *
 * Returns 0, or KH_R_BAD_QUOTING (reason.h) when the quoting is malformed;
 * then `*nfields` counts only the fields before the malformed one and the
 * stored fields are not to be used. */
int kh_csv_split(const char *rec, size_t len, char *scratch, kh_field_t *fields, int maxfields,
                 int *nfields);

/* 1 when `p` (`len` bytes) is valid UTF-8: no overlong forms, no UTF-16
 * surrogates (U+D800..U+DFFF), nothing above U+10FFFF, no truncated
 * sequence; else 0. */
int kh_csv_utf8_valid(const char *p, size_t len);

#endif
