/* idnum.c - national id, D-number and organisation number checks, and id
 * masking for the quarantine (kohort-validate). See idnum.h.
 *
 * Runs for every id of every row (tens of millions a night): no allocation,
 * no library parsing, one pass over the digits. */
#include "transform/idnum.h"

#include <stdint.h>
#include <string.h>

#include "proto/reason.h"

/* The mod-11 weights: k1 of a national id over its first nine digits, k2
 * over its first ten, an organisation number's check digit over its first
 * eight. */
static const int k1_weights[9] = {3, 7, 6, 1, 8, 9, 4, 5, 2};
static const int k2_weights[10] = {5, 4, 3, 2, 7, 6, 5, 4, 3, 2};
static const int orgnr_weights[8] = {3, 2, 7, 6, 5, 4, 3, 2};

/* Converts exactly `n` ASCII digits into d[]; 0 when they all are digits. */
static int to_digits(const char *s, size_t n, int *d)
{
    for (size_t i = 0; i < n; i++) {
        unsigned v = (unsigned char)s[i] - (unsigned)'0';
        if (v > 9)
            return -1;
        d[i] = (int)v;
    }
    return 0;
}

static int weighted_sum(const int *d, const int *weights, int n)
{
    int sum = 0;
    for (int i = 0; i < n; i++)
        sum += d[i] * weights[i];
    return sum;
}

/* The mod-11 check digit for `sum`: 11 - sum mod 11, where 11 gives 0;
 * -1 when the result is 10 (no valid digit exists). */
static int mod11_digit(int sum)
{
    int k = 11 - sum % 11;
    if (k == 11)
        return 0;
    return k == 10 ? -1 : k;
}

/* A real day of that month in at least one century: 29 February exists
 * whenever YY is a multiple of 4 (YY = 00 is 2000, a leap year). */
static int date_in_some_century(int day, int month, int yy)
{
    static const int month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1])
        return 0;
    return !(month == 2 && day == 29 && yy % 4 != 0);
}

/* 1 when the 8 bytes at s are all ASCII digits. */
static int eight_digits(const char *s)
{
    uint64_t w;
    memcpy(&w, s, sizeof w);
    /* each byte 0x30..0x39: high nibble 3, and adding 6 keeps it there */
    return (w & UINT64_C(0xF0F0F0F0F0F0F0F0)) == UINT64_C(0x3030303030303030) &&
           ((w + UINT64_C(0x0606060606060606)) & UINT64_C(0xF0F0F0F0F0F0F0F0)) ==
               UINT64_C(0x3030303030303030);
}

/* The common path runs for every id of every row: straight-line code, no
 * loops, the same judgements in the same order as the digit-array form. */
int kh_idnum_check_fnr(const char *s, size_t len, int flags, int64_t *id)
{
    if (len != 11 || !eight_digits(s))
        return KH_R_ID_FORMAT;
    const unsigned char *u = (const unsigned char *)s;
    unsigned d8 = u[8] - (unsigned)'0', d9 = u[9] - (unsigned)'0', d10 = u[10] - (unsigned)'0';
    if (d8 > 9 || d9 > 9 || d10 > 9)
        return KH_R_ID_FORMAT;
    int d0 = u[0] - '0', d1 = u[1] - '0', d2 = u[2] - '0', d3 = u[3] - '0';
    int d4 = u[4] - '0', d5 = u[5] - '0', d6 = u[6] - '0', d7 = u[7] - '0';
    /* Check digits before the kind of number: a number that fails them is
     * most likely mistyped, and its digits say nothing reliable about it.
     * Weights: k1_weights and k2_weights. */
    int sum1 = k1_weights[0] * d0 + k1_weights[1] * d1 + k1_weights[2] * d2 + k1_weights[3] * d3 +
               k1_weights[4] * d4 + k1_weights[5] * d5 + k1_weights[6] * d6 + k1_weights[7] * d7 +
               k1_weights[8] * (int)d8;
    if (flags & KH_IDNUM_RULE_2032) {
        /* From 2032 any first check digit leaving remainder 0-3 is issued. */
        if ((sum1 + (int)d9) % 11 > 3)
            return KH_R_ID_CHECK_DIGIT;
    } else if (mod11_digit(sum1) != (int)d9) {
        return KH_R_ID_CHECK_DIGIT;
    }
    int sum2 = k2_weights[0] * d0 + k2_weights[1] * d1 + k2_weights[2] * d2 + k2_weights[3] * d3 +
               k2_weights[4] * d4 + k2_weights[5] * d5 + k2_weights[6] * d6 + k2_weights[7] * d7 +
               k2_weights[8] * (int)d8 + k2_weights[9] * (int)d9;
    if (mod11_digit(sum2) != (int)d10)
        return KH_R_ID_CHECK_DIGIT;
    if (d0 >= 8)
        return KH_R_ID_FH_NUMBER;
    int day = d0 * 10 + d1;
    int month = d2 * 10 + d3;
    int yy = d4 * 10 + d5;
    if (month >= 41 && month <= 52)
        return KH_R_ID_H_NUMBER;
    if (month >= 81 && month <= 92) {
        if (!(flags & KH_IDNUM_ALLOW_SYNTHETIC))
            return KH_R_ID_SYNTHETIC;
        month -= 80;
    }
    if (day > 40)
        day -= 40; /* D-number; first digit 4-7 here */
    if (!date_in_some_century(day, month, yy))
        return KH_R_ID_DATE;
    /* two independent halves: fewer dependent multiplies than digit by digit */
    int64_t hi = (int64_t)(((d0 * 10 + d1) * 10 + d2) * 10 + d3) * 10000 +
                 (((d4 * 10 + d5) * 10 + d6) * 10 + d7);
    *id = hi * 1000 + (int64_t)(d8 * 100 + d9 * 10 + d10);
    return KH_R_NONE;
}

int kh_idnum_check_fnr_remember(kh_idnum_memo_t *memo, const char *s, size_t len, int flags,
                                int64_t *id)
{
    if (len != 11)
        return kh_idnum_check_fnr(s, len, flags, id);
    memcpy(memo->digits, s, 11);
    memo->flags = flags;
    memo->reason = kh_idnum_check_fnr(s, len, flags, &memo->id);
    memo->valid = 1;
    if (memo->reason == KH_R_NONE)
        *id = memo->id;
    return memo->reason;
}

int kh_idnum_fnr_check_digits(char d[11])
{
    int digits[10];
    if (to_digits(d, 9, digits) != 0)
        return -1;
    int k1 = mod11_digit(weighted_sum(digits, k1_weights, 9));
    if (k1 < 0)
        return -1;
    d[9] = (char)('0' + k1);
    digits[9] = k1;
    int k2 = mod11_digit(weighted_sum(digits, k2_weights, 10));
    if (k2 < 0)
        return -1;
    d[10] = (char)('0' + k2);
    return 0;
}

int kh_idnum_orgnr_check_digit(uint32_t first8)
{
    int d[8];
    for (int i = 7; i >= 0; i--) {
        d[i] = (int)(first8 % 10);
        first8 /= 10;
    }
    return mod11_digit(weighted_sum(d, orgnr_weights, 8));
}

int kh_idnum_check_orgnr(const char *s, size_t len, int64_t *orgnr)
{
    if (len != 9 || !eight_digits(s))
        return KH_R_BAD_ORGNR;
    const unsigned char *u = (const unsigned char *)s;
    unsigned d8 = u[8] - (unsigned)'0';
    if (d8 > 9)
        return KH_R_BAD_ORGNR;
    /* straight from the bytes: digits stored to an array and loaded back
     * made the CPU wait on every number */
    int sum = 0;
    int64_t value = 0;
    for (int i = 0; i < 8; i++) {
        int d = u[i] - '0';
        sum += d * orgnr_weights[i];
        value = value * 10 + d;
    }
    if (mod11_digit(sum) != (int)d8)
        return KH_R_BAD_ORGNR;
    *orgnr = value * 10 + (int64_t)d8;
    return KH_R_NONE;
}

static char shown_char(char c)
{
    return c >= 0x21 && c <= 0x7e ? c : '*';
}

size_t kh_idnum_mask(const char *s, size_t len, char *out, size_t outcap)
{
    if (outcap == 0)
        return 0;
    size_t room = outcap - 1;
    if (room > KH_IDNUM_MASK_MAX)
        room = KH_IDNUM_MASK_MAX;
    size_t head = 0, tail = 0;
    if (len >= 11) {
        head = 4;
        tail = 1;
    } else if (len >= 7) {
        head = 2;
        tail = 1;
    } else if (len >= 4) {
        head = 1;
    }
    if (room < head + tail + 1) {
        /* Too little room to show anything safely: stars only. */
        head = tail = 0;
    }
    size_t stars = len - head - tail;
    if (stars > room - head - tail)
        stars = room - head - tail;
    size_t n = 0;
    for (size_t i = 0; i < head; i++)
        out[n++] = shown_char(s[i]);
    for (size_t i = 0; i < stars; i++)
        out[n++] = '*';
    for (size_t i = 0; i < tail; i++)
        out[n++] = shown_char(s[len - tail + i]);
    out[n] = '\0';
    return n;
}
