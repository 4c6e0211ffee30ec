/* muninames.h - names of Norwegian municipalities by code, for the
 * operator's outputs in the `kohort` process (query --with-names, JSON-stat
 * labels, the report). Two sources: the names a run read from
 * ref_kommunenavn and stored with its reference year (loaded from the store
 * by kh_muninames_load), and, for a code without one, a small built-in
 * table (SSB classification 131: every code `kohort gen` produces, and the
 * current and past codes of the larger municipalities). Owns the loaded
 * names until kh_muninames_unload(). */
#ifndef KH_MUNINAMES_H
#define KH_MUNINAMES_H

#include <stddef.h>

#include "proto/store.h"

/* Adds the names stored with reference year `ref_year` (0: with every
 * stored year) to the process's names. Returns 0 or a negative code
 * (kh_strerror). */
int kh_muninames_load(kh_store_t *store, int ref_year);

/* Forgets the loaded names. */
void kh_muninames_unload(void);

/* The name (UTF-8) of municipality `code` (e.g. 301 for Oslo): the name
 * loaded for the newest reference year that names the code, else the
 * built-in one, else NULL. A code that stood for a merged municipality for
 * a few years is named as it was then ("Ålesund" for 1507). Borrowed:
 * valid until kh_muninames_unload(). */
const char *kh_muninames_name(int code);

/* The name of `code` in reference year `ref_year`: the name stored with that
 * year, else the built-in one, else NULL. Borrowed as above. */
const char *kh_muninames_name_in(int code, int ref_year);

/* Writes "Name (0301)" into buf, or "0301" for an unknown code; code 0 is
 * "All municipalities". Returns buf. */
char *kh_muninames_label(int code, char *buf, size_t cap);

/* Number of codes in the built-in table, and the i-th code in table order
 * (by code), for tests. */
int kh_muninames_count(void);
int kh_muninames_code(int i);

#endif
