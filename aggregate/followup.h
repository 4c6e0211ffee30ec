/* followup.h - table `followup` of kohort-aggregate (spec/indicators.md 8):
 * where each cohort's persons are 1, 2 and 5 years after their exit year,
 * per (municipality, cohort, horizon, kjonn), with totals along municipality,
 * cohort and gender and every combination of them. Pure counting from the
 * linker's person facts; disclosure control is disclosure.c's. */
#ifndef KH_FOLLOWUP_H
#define KH_FOLLOWUP_H

#include <stddef.h>

#include "proto/schema.h"

/* The printed kjonn of a person fact: 1 or 2, 9 without an accepted
 * befolkning row. */
int kh_followup_kjonn(const kh_person_t *person);

/* Builds the rows of `followup` from n placed persons (borrowed; each with
 * home 1..9999 and cohort 1..9999): one row per (kommnr, cohort, horizon,
 * kjonn), totals included (kommnr 0, cohort 0, kjonn 0), where at least one
 * person is counted, sorted by those keys; shares rounded once. Caller owns
 * *rows; free with free(). Returns 0 or -ERANGE when a share cannot be
 * represented. */
int kh_followup_build(const kh_person_t *persons, size_t n, kh_indrow_t **rows, size_t *nrows);

#endif
