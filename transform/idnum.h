/* idnum.h - Norwegian identifiers: national id / D-number validation,
 * organisation number check digits, and the masked form of an id for the
 * quarantine.
 *
 * Used by kohort-validate (through rules.c), and by kohort gen to make
 * valid numbers. The one home of the mod-11 weights. Pure functions, no
 * state; owns nothing. Rules: spec/extracts.md, "Identifiers" and "f_jobber". */
#ifndef KH_IDNUM_H
#define KH_IDNUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/reason.h"

/* Flags for kh_idnum_check_fnr(). */
#define KH_IDNUM_ALLOW_SYNTHETIC 1 /* accept test numbers (month + 80) */
#define KH_IDNUM_RULE_2032 2       /* accept the 2032 first-check-digit rule */

/* Longest masked text kh_idnum_mask() writes, without the NUL. */
#define KH_IDNUM_MASK_MAX 63

/* Validates an 11-digit national id or D-number (`s`, `len` bytes, already
 * trimmed). Checks run in a fixed order so that every bad number gets one
 * stable reason (the same order as tests/reference/rules.sql):
 *   1. exactly 11 ASCII digits                      else KH_R_ID_FORMAT
 *   2. both mod-11 check digits (k1 by the 2032
 *      rule when KH_IDNUM_RULE_2032 is set)         else KH_R_ID_CHECK_DIGIT
 *   3. first digit 8 or 9 (FH-number)               -> KH_R_ID_FH_NUMBER
 *   4. month 41-52 (H-number)                       -> KH_R_ID_H_NUMBER
 *   5. month 81-92 (synthetic) without the flag     -> KH_R_ID_SYNTHETIC
 *   6. DDMMYY (day - 40 for D, month - 80 for synthetic) a real day for
 *      some century (29 February when YY % 4 == 0)  else KH_R_ID_DATE
 * `flags` is a mix of KH_IDNUM_ALLOW_SYNTHETIC and KH_IDNUM_RULE_2032.
 * Returns KH_R_NONE (0) and stores the 11 digits as a number in *id when
 * valid, else the reason code (proto/reason.h); *id is then untouched. */
int kh_idnum_check_fnr(const char *s, size_t len, int flags, int64_t *id);

/* The last id kh_idnum_check_fnr_memo() judged, with its flags and
 * verdict. Caller owns it; zero-initialise before the first use. It holds
 * a raw id: wipe it before the memory goes back. */
typedef struct {
    char digits[11];
    int flags;
    int reason;      /* kh_idnum_check_fnr()'s result for digits and flags */
    int64_t id;      /* when reason is KH_R_NONE */
    int valid;       /* digits, flags, reason and id hold a judged id */
} kh_idnum_memo_t;

/* kh_idnum_check_fnr() for a memo miss: judges, and remembers. */
int kh_idnum_check_fnr_remember(kh_idnum_memo_t *memo, const char *s, size_t len, int flags,
                                int64_t *id);

/* kh_idnum_check_fnr(), answered from `memo` when the 11 bytes and the
 * flags are those it judged last, which it then remembers. A person's rows
 * of a table come one after another (bosatte: about nine a person), so the
 * validator meets most ids right after judging them. Same result, same
 * *id, as kh_idnum_check_fnr(). Inline: the hit is a compare of 11 bytes. */
static inline int kh_idnum_check_fnr_memo(kh_idnum_memo_t *memo, const char *s, size_t len,
                                          int flags, int64_t *id)
{
    if (len != 11 || !memo->valid || memo->flags != flags || memcmp(memo->digits, s, 11) != 0)
        return kh_idnum_check_fnr_remember(memo, s, len, flags, id);
    if (memo->reason == KH_R_NONE)
        *id = memo->id;
    return memo->reason;
}

/* Validates a 9-digit organisation number (mod 11, weights 3 2 7 6 5 4 3 2;
 * 11 gives 0, 10 is invalid). Returns KH_R_NONE and stores the number in
 * *orgnr when valid, else KH_R_BAD_ORGNR. */
int kh_idnum_check_orgnr(const char *s, size_t len, int64_t *orgnr);

/* Completes a national id: d[0..8] holds nine ASCII digits (DDMMYY and the
 * individual number); writes the two mod-11 check digits (the strict rule,
 * not the 2032 one) into d[9] and d[10]. Returns 0, or -1 when either check
 * digit would be 10 (no valid number has these nine digits; d[9..10] are
 * then unspecified) or d[0..8] are not all digits. */
int kh_idnum_fnr_check_digits(char d[11]);

/* The check digit of an organisation number whose first eight digits are
 * `first8` (0..99999999), or -1 when it would be 10 (no valid number). */
int kh_idnum_orgnr_check_digit(uint32_t first8);

/* Writes the quarantine form of an id-column value into `out` (room for
 * `outcap` bytes, NUL included; outcap 0 writes nothing). At most 5
 * characters of the value are ever shown, and never all of a short value:
 *   length 0        ""
 *   length 1-3      all stars
 *   length 4-6      first 1 character, then stars
 *   length 7-10     first 2, stars, last 1
 *   length 11+      first 4, stars, last 1        ("0101******7")
 * One star per hidden byte, except that the star run shrinks when the
 * result would not fit in min(outcap - 1, KH_IDNUM_MASK_MAX) (the length is
 * then no longer visible). A shown byte that is not printable ASCII is
 * written as a star too, so the output is always ASCII.
 * Returns the length written (without the NUL). */
size_t kh_idnum_mask(const char *s, size_t len, char *out, size_t outcap);

#endif
