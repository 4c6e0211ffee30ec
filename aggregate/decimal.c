/* decimal.c - decimal text to GMP rationals, and half-away-from-zero
 * rounding to scaled integers, for kohort-aggregate. See decimal.h. */
#include "aggregate/decimal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/util.h"

int kh_decimal_parse(mpq_t out, const char *text)
{
    return kh_decimal_parse_n(out, text, strlen(text));
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Checks the shape and finds the separator; -1 when there is none. */
static int decimal_shape(const char *text, size_t len, ptrdiff_t *sep)
{
    size_t int_digits = 0, frac_digits = 0;
    *sep = -1;
    for (size_t i = 0; i < len; i++) {
        if (is_digit(text[i])) {
            if (*sep < 0)
                int_digits++;
            else
                frac_digits++;
        } else if ((text[i] == '.' || text[i] == ',') && *sep < 0) {
            *sep = (ptrdiff_t)i;
        } else {
            return KH_E_DECODE;
        }
    }
    if (int_digits == 0 || (*sep >= 0 && frac_digits == 0))
        return KH_E_DECODE;
    return 0;
}

int kh_decimal_parse_n(mpq_t out, const char *text, size_t len)
{
    ptrdiff_t sep;
    if (!text || decimal_shape(text, len, &sep) != 0)
        return KH_E_DECODE;
    /* The digits without the separator form the numerator; the number of
     * fractional digits gives the power of ten below it. */
    char *digits = kh_xmalloc(len + 1);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (is_digit(text[i]))
            digits[n++] = text[i];
    digits[n] = '\0';
    size_t frac = sep < 0 ? 0 : len - (size_t)sep - 1;
    mpz_set_str(mpq_numref(out), digits, 10);
    mpz_ui_pow_ui(mpq_denref(out), 10, (unsigned long)frac);
    mpq_canonicalize(out);
    free(digits);
    return 0;
}

/* Stores a value known to fit 63 bits; mpz_export keeps this independent of
 * the width of long. */
static int64_t mpz_to_i64(const mpz_t z)
{
    uint64_t magnitude = 0;
    size_t count = 0;
    if (mpz_sgn(z) != 0)
        mpz_export(&magnitude, &count, -1, sizeof magnitude, 0, 0, z);
    return mpz_sgn(z) < 0 ? -(int64_t)magnitude : (int64_t)magnitude;
}

int kh_decimal_round(const mpq_t value, int scale, int64_t *out)
{
    if (scale < 0 || scale > 18)
        return -EINVAL;
    mpz_t num, den, pow10;
    mpz_inits(num, den, pow10, NULL);
    /* |v| * 10^scale = num/den; rounded = floor((2*num + den) / (2*den)). */
    mpz_ui_pow_ui(pow10, 10, (unsigned long)scale);
    mpz_abs(num, mpq_numref(value));
    mpz_mul(num, num, pow10);
    mpz_mul_2exp(num, num, 1);
    mpz_add(num, num, mpq_denref(value));
    mpz_mul_2exp(den, mpq_denref(value), 1);
    mpz_fdiv_q(num, num, den);
    int rc = 0;
    if (mpz_sizeinbase(num, 2) > 63) {
        rc = -ERANGE;
    } else {
        if (mpq_sgn(value) < 0)
            mpz_neg(num, num);
        *out = mpz_to_i64(num); /* a zero magnitude is +0: no -0.0000 */
    }
    mpz_clears(num, den, pow10, NULL);
    return rc;
}

void kh_decimal_set_i64(mpz_t out, int64_t v)
{
    /* Through mpz_import so that int64 values beyond long still fit. */
    uint64_t magnitude = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    mpz_import(out, 1, -1, sizeof magnitude, 0, 0, &magnitude);
    if (v < 0)
        mpz_neg(out, out);
}

int kh_decimal_round_ratio(int64_t num, int64_t den, int scale, int64_t *out)
{
    if (den == 0)
        return -EDOM;
    mpq_t q;
    mpq_init(q);
    kh_decimal_set_i64(mpq_numref(q), num);
    kh_decimal_set_i64(mpq_denref(q), den);
    mpq_canonicalize(q);
    int rc = kh_decimal_round(q, scale, out);
    mpq_clear(q);
    return rc;
}
