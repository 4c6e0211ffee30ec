/* extract.h - finding a table's file in an extract directory. Used by
 * kohort-ingest and by `kohort check`. */
#ifndef KH_EXTRACT_H
#define KH_EXTRACT_H

#include <stddef.h>

#include "proto/schema.h"

/* Looks for NAME.csv and NAME.csv.gz of `table` in `dir`. Returns 1 and
 * writes the path (and sets *base to its file name within path) when one is
 * there, 0 when neither is, KH_E_UNUSABLE when both are (why gets one
 * sentence). Absence of a required file is the caller's judgement. */
int kh_extract_find(const char *dir, kh_table_t table, char *path, size_t cap,
                    const char **base, char *why, size_t whycap);

#endif
