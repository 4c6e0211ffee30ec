/* population.h - the population model of `kohort gen`: one person at a
 * time, written at once to every table it appears in (memory does not grow
 * with the population). A participant has one or two stays in the
 * programme, an exit status, ids that may change, jobs, education and
 * social assistance; a resident only the population tables. The national
 * attainment and the yearly arrivals it draws from are the reference
 * tables' too. */
#ifndef KH_GEN_POPULATION_H
#define KH_GEN_POPULATION_H

#include <stdint.h>

#include "gen/model.h"

/* Generates and writes one participant of the programme. */
void kh_gen_participant(kh_gen_t *g);

/* Generates and writes one resident who never took part. */
void kh_gen_resident(kh_gen_t *g);

/* Writes identity-history trouble of kind 0..2 (an old id with a second
 * row, a cycle, a self-loop) for person p (NULL: made-up ids). */
void kh_gen_history_trouble(kh_gen_t *g, const kh_gen_person_t *p, int kind);

/* The national goal attainment of exit year `year` (ref_nasjonal's). */
double kh_gen_national_share(int year);

/* Arrivals of year `year` relative to an ordinary year. */
double kh_gen_year_factor(int year);

/* The year of day `days`, and 1 January of `year` (days since 1970). */
int kh_gen_year_of(int64_t days);
int64_t kh_gen_jan1(int year);

#endif
