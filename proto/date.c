/* date.c - civil-date arithmetic (days-from-civil, after H. Hinnant's
 * public-domain algorithms). See date.h. */
#include "proto/date.h"

int kh_date_is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && kh_date_is_leap(y) ? 29 : dim[m - 1];
}

int kh_date_valid(int y, int m, int d)
{
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= days_in_month(y, m);
}

int64_t kh_date_from_ymd(int y, int m, int d)
{
    int64_t yy = y - (m <= 2);
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void kh_date_to_ymd(int64_t days, int *y, int *m, int *d)
{
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t dd = doy - (153 * mp + 2) / 5 + 1;
    int64_t mm = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (mm <= 2));
    *m = (int)mm;
    *d = (int)dd;
}

static int digits(const char *s, size_t n, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int kh_date_parse(const char *s, size_t len, int64_t *days)
{
    int y, m, d;
    if (len == 10) {
        if (s[4] != '-' || s[7] != '-' || digits(s, 4, &y) || digits(s + 5, 2, &m) ||
            digits(s + 8, 2, &d))
            return -1;
    } else if (len == 8) {
        if (digits(s, 4, &y) || digits(s + 4, 2, &m) || digits(s + 6, 2, &d))
            return -1;
    } else {
        return -1;
    }
    if (!kh_date_valid(y, m, d))
        return -1;
    *days = kh_date_from_ymd(y, m, d);
    return 0;
}

int64_t kh_date_add_years(int64_t days, int years)
{
    int y, m, d;
    kh_date_to_ymd(days, &y, &m, &d);
    y += years;
    if (m == 2 && d == 29 && !kh_date_is_leap(y))
        d = 28;
    return kh_date_from_ymd(y, m, d);
}
