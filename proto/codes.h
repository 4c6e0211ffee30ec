/* codes.h - the register's code lists that more than one stage judges:
 * the sluttstatus codes of f_intro (spec/extracts.md, "f_intro") and what
 * each counts as.
 *
 * One table (codes.c) says which code is listed, attained, work and
 * education; the validator, the aggregator, the generator and the report
 * ask it through the predicates below. Static data only; owns nothing. */
#ifndef KH_CODES_H
#define KH_CODES_H

#include <stddef.h>
#include <stdint.h>

/* The listed sluttstatus codes, by value (status at the moment a person
 * leaves the programme). */
typedef enum {
    KH_SLUTT_WORK_FULL_TIME = 10,
    KH_SLUTT_WORK_PART_TIME = 11,
    KH_SLUTT_UPPER_SECONDARY = 20,
    KH_SLUTT_HIGHER_EDUCATION = 21,
    KH_SLUTT_LOWER_SECONDARY = 22,
    KH_SLUTT_WORK_AND_EDUCATION = 30,
    KH_SLUTT_JOB_SEEKER = 40,
    KH_SLUTT_SOCIAL_ASSISTANCE = 50,
    KH_SLUTT_PARENTAL_LEAVE = 60,
    KH_SLUTT_MOVED = 70,
    KH_SLUTT_OTHER = 90
} kh_slutt_t;

/* What a sluttstatus code counts as (spec/extracts.md's table). */
#define KH_SLUTT_LISTED 1u    /* a code of the list: anything else is rejected */
#define KH_SLUTT_ATTAINED 2u  /* counts as goal attained */
#define KH_SLUTT_WORK 4u      /* counts as work */
#define KH_SLUTT_EDUCATION 8u /* counts as education */

/* Number of listed codes. */
#define KH_SLUTT_NCODES 11

/* The KH_SLUTT_* flags of `code`; 0 for a code not listed (KH_NULL
 * included). */
unsigned kh_slutt_flags(int64_t code);

static inline int kh_slutt_listed(int64_t code) { return (kh_slutt_flags(code) & KH_SLUTT_LISTED) != 0; }
static inline int kh_slutt_attained(int64_t code) { return (kh_slutt_flags(code) & KH_SLUTT_ATTAINED) != 0; }
static inline int kh_slutt_work(int64_t code) { return (kh_slutt_flags(code) & KH_SLUTT_WORK) != 0; }
static inline int kh_slutt_education(int64_t code) { return (kh_slutt_flags(code) & KH_SLUTT_EDUCATION) != 0; }

/* The k-th listed code (k from 0, ascending) among those whose flags
 * include every bit of `with` and none of `without`; -1 past the last. */
int kh_slutt_nth(unsigned with, unsigned without, int k);

/* Writes the listed codes that have every bit of `flags` as prose into
 * `out` (room for `cap` bytes, NUL included): "10, 11, 20, 21 or 30".
 * Returns `out`. */
char *kh_slutt_list(unsigned flags, char *out, size_t cap);

#endif
