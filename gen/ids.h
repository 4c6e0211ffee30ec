/* ids.h - identifier arithmetic of `kohort gen`: synthetic national ids and
 * D-numbers (month + 80), unique per birthday through the generation's
 * counters, ids broken on purpose for the bad rows, and the employers'
 * organisation numbers. The check digits are transform/idnum.c's. */
#ifndef KH_GEN_IDS_H
#define KH_GEN_IDS_H

#include <stddef.h>
#include <stdint.h>

#include "gen/model.h"
#include "proto/reason.h"

/* A new synthetic national id (D-number when `dnumber`) for someone born on
 * *birth, written as 11 digits into out (no NUL); moves *birth to a nearby
 * day when that birthday's numbers run out. */
void kh_gen_alloc_id(kh_gen_t *g, int dnumber, int64_t *birth, char out[11]);

/* Writes into out an id that the validator rejects for `reason` (one of the
 * KH_R_ID_* codes), made from the good id `good` where the reason allows.
 * Returns its length. */
size_t kh_gen_bad_id(kh_gen_t *g, kh_reason_t reason, const char *good, char *out);

/* The id person p was known under on `day`. Borrowed: p's. */
const char *kh_gen_id_at(const kh_gen_person_t *p, int64_t day);

/* Draws the generation's KH_GEN_EMPLOYERS organisation numbers. */
void kh_gen_make_employers(kh_gen_t *g);

/* An employer's organisation number; big employers get more of the jobs. */
uint32_t kh_gen_pick_employer(kh_gen_t *g);

#endif
