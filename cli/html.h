/* html.h - what the report writes as text for people: HTML escaping, and
 * numbers as a Norwegian reader expects them (shares as percentages with
 * one decimal, thousands separated by a narrow space from 1 000 on). Used by the report
 * modules of the `kohort` process; no state. */
#ifndef KH_CLI_HTML_H
#define KH_CLI_HTML_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "proto/schema.h"

/* Writes s as HTML text or attribute value. */
void kh_html_esc(FILE *f, const char *s);

/* 1234567 as "1 234 567", 1234 as "1 234" (U+202F narrow no-break
 * spaces from 1 000 on, so that the digits of a column line up); below
 * 1 000 as is. Returns buf. */
char *kh_html_thousands(char *buf, size_t cap, int64_t v);

/* A share 0.5417 as "54.2 %". Returns buf. */
char *kh_html_pct(char *buf, size_t cap, double share);

/* Cell `col` of `row` of `table` as the report shows it: shares as
 * percentages ("54.2 %"), the residual of table exit (attained minus
 * predicted share) in percentage points ("-1.2 p.p."), counts and NOK with
 * thousands separators, one-decimal
 * figures with one decimal; ":" when suppressed, "" when unavailable or
 * row is NULL. Returns buf. */
char *kh_html_cell(char *buf, size_t cap, kh_indtable_t table, const kh_indrow_t *row, int col);

#endif
