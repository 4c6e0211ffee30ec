/* date.h - calendar dates as days since 1970-01-01 (proleptic Gregorian).
 *
 * Shared by the validator (parsing), the linker (exit rules, overlaps) and
 * the aggregator (durations, extensions). Pure functions, no state. */
#ifndef KH_DATE_H
#define KH_DATE_H

#include <stdint.h>
#include <stddef.h>

/* 1 when y-m-d is a real calendar day (year 1..9999). */
int kh_date_valid(int y, int m, int d);

/* Days since 1970-01-01 of a valid y-m-d (negative before 1970). */
int64_t kh_date_from_ymd(int y, int m, int d);

/* Inverse of kh_date_from_ymd. */
void kh_date_to_ymd(int64_t days, int *y, int *m, int *d);

/* Parse `YYYY-MM-DD` or `YYYYMMDD` (exactly; no spaces) into days.
 * Returns 0 on success, -1 when the text is not a valid date. */
int kh_date_parse(const char *s, size_t len, int64_t *days);

/* The date `years` calendar years after `days`; 29 February becomes
 * 28 February when the target year is not a leap year. */
int64_t kh_date_add_years(int64_t days, int years);

/* 1 for a leap year. */
int kh_date_is_leap(int y);

#endif
