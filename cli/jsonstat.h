/* jsonstat.h - `kohort query --format jsonstat`: the stored rows of one
 * indicator table as one JSON-stat 2.0 dataset (the format of Statistics
 * Norway's PxWebApi v2), read unchanged by rjstat, pyjstat and
 * jsonstat-toolkit. Dimensions: ref_year, kommnr, the second key (cohort or
 * year), followup's horizon and kjonn, and `contents` (the indicators, with
 * unit and decimals). `status` marks a suppressed value ":" and an
 * unavailable one "..". Used by the `kohort` process only. */
#ifndef KH_CLI_JSONSTAT_H
#define KH_CLI_JSONSTAT_H

#include <stdio.h>

#include "proto/schema.h"

typedef struct kh_jsonstat kh_jsonstat_t;

/* Caller owns result; free with kh_jsonstat_destroy(). */
kh_jsonstat_t *kh_jsonstat_new(kh_indtable_t table);

/* Frees and sets *js to NULL; accepts NULL. */
void kh_jsonstat_destroy(kh_jsonstat_t **js);

/* Adds one stored row of reference year `ref_year` (copied). */
void kh_jsonstat_add(kh_jsonstat_t *js, int ref_year, const kh_indrow_t *row);

/* Writes the dataset (one JSON object and a newline). `source` names the
 * writer, e.g. "kohort 0.4.0". */
void kh_jsonstat_print(const kh_jsonstat_t *js, FILE *f, const char *source);

#endif
