/* decimal.h - exact decimals and once-only rounding for the aggregator.
 *
 * kohort-aggregate reads reference figures as decimal text and prints every
 * indicator rounded once from its exact value; this module turns text into
 * GMP rationals and rationals into scaled int64 cells. No state. */
#ifndef KH_DECIMAL_H
#define KH_DECIMAL_H

#include <stddef.h>
#include <stdint.h>
#include <gmp.h>

/* Parse a non-negative decimal text ("0.6123", "526.5", "12", "0,5") into
 * `out`, which the caller has initialised with mpq_init(). Digits, then
 * optionally one '.' or ',' followed by at least one digit; nothing else
 * (no sign, no spaces). Returns 0, or KH_E_DECODE when the text is not such
 * a decimal (then `out` is unchanged). */
int kh_decimal_parse(mpq_t out, const char *text);

/* As kh_decimal_parse() for `len` bytes that need not be NUL-terminated. */
int kh_decimal_parse_n(mpq_t out, const char *text, size_t len);

/* Round `value` half away from zero to `scale` decimals (0..18) and store it
 * scaled by 10^scale in *out (1/32 at scale 4 gives 313; -0.00001 gives 0).
 * Returns 0, -EINVAL for a bad scale, or -ERANGE when the result does not
 * fit an int64. */
int kh_decimal_round(const mpq_t value, int scale, int64_t *out);

/* Set an initialised `out` to v (any int64, whatever the width of long). */
void kh_decimal_set_i64(mpz_t out, int64_t v);

/* kh_decimal_round() of num/den; -EDOM when den is 0. */
int kh_decimal_round_ratio(int64_t num, int64_t den, int scale, int64_t *out);

#endif
