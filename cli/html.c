/* html.c - text for people in the report; see html.h. */
#include "cli/html.h"

#include <string.h>

#define NNBSP "\xe2\x80\xaf" /* U+202F, the Norwegian thousands separator */

void kh_html_esc(FILE *f, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*s, f);
        }
    }
}

char *kh_html_thousands(char *buf, size_t cap, int64_t v)
{
    char digits[32];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)u);
    if (u < 1000) {
        snprintf(buf, cap, "%s%s", v < 0 ? "-" : "", digits);
        return buf;
    }
    size_t len = 0;
    if (v < 0 && len + 1 < cap)
        buf[len++] = '-';
    for (int i = 0; i < n && len + 4 < cap; i++) {
        if (i && (n - i) % 3 == 0) {
            memcpy(buf + len, NNBSP, 3);
            len += 3;
        }
        buf[len++] = digits[i];
    }
    buf[len] = '\0';
    return buf;
}

char *kh_html_pct(char *buf, size_t cap, double share)
{
    double p = share * 100;
    if (p > -0.05 && p < 0.05)
        p = 0; /* no "-0.0 %" */
    snprintf(buf, cap, "%.1f %%", p);
    return buf;
}

char *kh_html_cell(char *buf, size_t cap, kh_indtable_t table, const kh_indrow_t *row, int col)
{
    if (!row || !row->present[col]) {
        snprintf(buf, cap, "%s", row && (row->suppressed_mask >> col & 1) ? ":" : "");
        return buf;
    }
    int scale = kh_schema_indtable(table)->cols[col].scale;
    int64_t v = row->value[col];
    if (scale == 4) {
        /* tenths of a percent, rounded once, half away from zero, from the
         * exact stored value; the residual, a difference of two shares, in
         * percentage points (as the chart of it says) */
        uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
        uint64_t tenths = (mag + 5) / 10;
        int points = table == KH_IND_EXIT && col == KH_EXIT_RESIDUAL;
        snprintf(buf, cap, "%s%llu.%llu %s", v < 0 && tenths ? "-" : "",
                 (unsigned long long)(tenths / 10), (unsigned long long)(tenths % 10),
                 points ? "p.p." : "%");
        return buf;
    }
    if (scale == 1) {
        char whole[40];
        int64_t w = v / 10, frac = (v < 0 ? -v : v) % 10;
        kh_html_thousands(whole, sizeof whole, w);
        snprintf(buf, cap, "%s%s.%lld", v < 0 && w == 0 ? "-" : "", whole, (long long)frac);
        return buf;
    }
    return kh_html_thousands(buf, cap, v);
}
