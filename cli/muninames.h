/* muninames.h - names of Norwegian municipalities by code, for the
 * operator's reports in the `kohort` process. A small static table (SSB
 * classification 131): every code `kohort gen` produces, and the current
 * and past codes of the larger municipalities. Owns nothing at run time. */
#ifndef KH_MUNINAMES_H
#define KH_MUNINAMES_H

#include <stddef.h>

/* The name (UTF-8) of municipality `code` (e.g. 301 for Oslo), or NULL when
 * the table does not know it. A code that stood for a merged municipality
 * for a few years is named as it was then ("Ålesund" for 1507).
 * Borrowed: static. */
const char *kh_muninames_name(int code);

/* Writes "Name (0301)" into buf, or "0301" for an unknown code; code 0 is
 * "All municipalities". Returns buf. */
char *kh_muninames_label(int code, char *buf, size_t cap);

/* Number of codes in the table, and the i-th code in table order (by code),
 * for tests. */
int kh_muninames_count(void);
int kh_muninames_code(int i);

#endif
