/* csvfield.c - field splitting and UTF-8 checking of one CSV record, shared
 * by kohort-ingest and kohort-validate. See csvfield.h for the rules; the
 * streaming record splitter (ingest/csvsplit.c) tracks quotes the same way. */
#include "proto/csvfield.h"

#include <stdint.h>
#include <string.h>

#include "proto/reason.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

static kh_field_t trimmed(const char *p, size_t n)
{
    while (n > 0 && is_space(*p)) {
        p++;
        n--;
    }
    while (n > 0 && is_space(p[n - 1]))
        n--;
    kh_field_t f = {p, n};
    return f;
}

/* Copies `n` bytes of quoted content to `out`, turning each `""` into `"`.
 * The content is known to hold quotes only in pairs. Returns bytes written. */
static size_t unescape(const char *p, size_t n, char *out)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        out[w++] = p[i];
        if (p[i] == '"')
            i++;
    }
    return w;
}

/* Parses the quoted field whose opening quote is at rec[*pos]. On success
 * stores the field (unescaped into scratch only when `store`: a field past
 * maxfields is only counted), leaves *pos at the following `;` or at len, and returns 0;
 * returns -1 on malformed quoting. */
static int parse_quoted(const char *rec, size_t len, size_t *pos, char *scratch,
                        size_t *scratch_used, kh_field_t *field, int store)
{
    size_t content = *pos + 1;
    size_t i = content;
    int escaped = 0;
    const char *close;
    for (;;) {
        close = memchr(rec + i, '"', len - i);
        if (!close)
            return -1; /* never closed */
        size_t q = (size_t)(close - rec);
        if (q + 1 < len && rec[q + 1] == '"') {
            escaped = 1;
            i = q + 2;
            continue;
        }
        break;
    }
    size_t q = (size_t)(close - rec);
    size_t after = q + 1;
    if (after < len && rec[after] != ';')
        return -1; /* bytes between the closing quote and the delimiter */
    if (escaped && store) {
        char *out = scratch + *scratch_used;
        size_t n = unescape(rec + content, q - content, out);
        *scratch_used += n;
        *field = trimmed(out, n);
    } else {
        *field = trimmed(rec + content, q - content);
    }
    *pos = after;
    return 0;
}

/* High bit set in each byte of w that equals the byte in `pat` (every byte
 * of pat the same); exact, no false positives. */
static uint64_t bytes_eq(uint64_t w, uint64_t pat)
{
    uint64_t t = w ^ pat;
    return ~(((t & UINT64_C(0x7F7F7F7F7F7F7F7F)) + UINT64_C(0x7F7F7F7F7F7F7F7F)) | t) &
           UINT64_C(0x8080808080808080);
}

#define SEMIS UINT64_C(0x3B3B3B3B3B3B3B3B)
#define QUOTES UINT64_C(0x2222222222222222)

/* The eight bytes of rec[0..len) from `base` on as one word, the first in
 * the low byte (little-endian, as split_unquoted() reads it), bytes past
 * the record 0. The last word of a record of eight bytes or more is its
 * last eight bytes, shifted: copying the few bytes left to memory and
 * loading them as a word made the CPU wait for the small stores to land
 * (no store-to-load forwarding), once per record. */
static uint64_t word_at(const char *rec, size_t len, size_t base)
{
    uint64_t w = 0;
    size_t n = len - base;
    if (n >= 8) {
        memcpy(&w, rec + base, 8);
    } else if (len >= 8) {
        memcpy(&w, rec + len - 8, 8);
        w >>= 8 * (8 - n);
    } else {
        while (n > 0)
            w = w << 8 | (unsigned char)rec[base + --n];
    }
    return w;
}

/* The common case, a record without any quote: fields end at each `;`,
 * found eight bytes at a time. Returns 0, or -1 (nothing to be trusted)
 * when the record holds a quote and needs the full rules. */
static int split_unquoted(const char *rec, size_t len, kh_field_t *fields, int maxfields,
                          int *nfields)
{
    int count = 0;
    size_t start = 0;
    for (size_t base = 0; base < len; base += 8) {
        uint64_t w = word_at(rec, len, base);
        if (bytes_eq(w, QUOTES))
            return -1;
        uint64_t semi = bytes_eq(w, SEMIS);
        while (semi) {
            size_t at = base + (size_t)(__builtin_ctzll(semi) >> 3);
            semi &= semi - 1;
            if (count < maxfields)
                fields[count] = trimmed(rec + start, at - start);
            count++;
            start = at + 1;
        }
    }
    if (count < maxfields)
        fields[count] = trimmed(rec + start, len - start);
    *nfields = count + 1;
    return 0;
}

int kh_csv_split(const char *rec, size_t len, char *scratch, kh_field_t *fields, int maxfields,
                 int *nfields)
{
    if (split_unquoted(rec, len, fields, maxfields, nfields) == 0)
        return 0;
    size_t pos = 0;
    size_t scratch_used = 0;
    int count = 0;
    for (;;) {
        size_t start = pos;
        kh_field_t field;
        /* extracts.md: a quoted field starts with the quote right after the
         * delimiter and ends right before the next one; ` "a"` is malformed */
        if (pos < len && rec[pos] == '"') {
            if (parse_quoted(rec, len, &pos, scratch, &scratch_used, &field, count < maxfields) != 0) {
                *nfields = count;
                return KH_R_BAD_QUOTING;
            }
        } else {
            const char *semi = memchr(rec + pos, ';', len - pos);
            size_t end = semi ? (size_t)(semi - rec) : len;
            if (memchr(rec + pos, '"', end - pos)) {
                *nfields = count; /* a quote inside an unquoted field */
                return KH_R_BAD_QUOTING;
            }
            field = trimmed(rec + start, end - start);
            pos = end;
        }
        if (count < maxfields)
            fields[count] = field;
        count++;
        if (pos >= len)
            break;
        pos++; /* the `;` */
    }
    *nfields = count;
    return 0;
}

/* Length of the valid multi-byte sequence at p (lead byte p[0] >= 0x80),
 * or 0 when it is invalid. Ranges after the Unicode standard, table 3-7. */
static size_t utf8_seq(const unsigned char *p, size_t avail)
{
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0)
            lo = 0xA0; /* overlong */
        else if (c == 0xED)
            hi = 0x9F; /* surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0)
            lo = 0x90; /* overlong */
        else if (c == 0xF4)
            hi = 0x8F; /* above U+10FFFF */
    } else {
        return 0; /* continuation byte, C0/C1 overlong lead, or F5..FF */
    }
    if (avail < n || p[1] < lo || p[1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (p[k] < 0x80 || p[k] > 0xBF)
            return 0;
    return n;
}

int kh_csv_utf8_valid(const char *text, size_t len)
{
    const unsigned char *p = (const unsigned char *)text;
    /* A record of ASCII only, nearly every one: its words OR-ed together,
     * the last one overlapping, instead of the tail byte by byte. */
    if (len >= 8) {
        uint64_t any = 0, w;
        for (size_t at = 0; at + 8 <= len; at += 8) {
            memcpy(&w, p + at, sizeof w);
            any |= w;
        }
        memcpy(&w, p + len - 8, sizeof w);
        if (!((any | w) & UINT64_C(0x8080808080808080)))
            return 1;
    }
    size_t i = 0;
    while (i < len) {
        /* ASCII runs, eight bytes at a time: the common case in extracts. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, p + i, sizeof w);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        if (p[i] < 0x80) {
            i++;
            continue;
        }
        size_t n = utf8_seq(p + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}
