/* report_followup.h - the "one year after" section of `kohort report`:
 * table `followup` (spec/indicators.md 8) drawn per municipality against
 * the national figure, men and women side by side, horizons 1, 2 and 5 next
 * to each other, with the national goal of 70 % in work or education.
 * Used by report.c in the `kohort` process; draws SVG, owns nothing. */
#ifndef KH_REPORT_FOLLOWUP_H
#define KH_REPORT_FOLLOWUP_H

#include <stddef.h>
#include <stdio.h>

#include "proto/schema.h"

/* The national goal: 70 % in work or education one year after. */
#define KH_REPORT_FOLLOWUP_GOAL 0.70

/* Writes the section to f. rows: the followup rows of the reported year in
 * key order (borrowed; n may be 0: the section then says there is nothing
 * to draw). kommuner: the municipalities to draw, in order (borrowed),
 * after all municipalities together. */
void kh_report_followup(FILE *f, const kh_indrow_t *rows, size_t n, const int *kommuner,
                        int nkommuner);

#endif
