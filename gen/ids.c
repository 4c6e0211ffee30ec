/* ids.c - identifier arithmetic of `kohort gen`: unique synthetic national
 * ids and D-numbers per birthday, ids broken on purpose, organisation
 * numbers. See ids.h. */
#include "gen/ids.h"

#include <string.h>

#include "gen/rng.h"
#include "proto/date.h"
#include "proto/reason.h"
#include "proto/schema.h"
#include "transform/idnum.h"

/* ---- National ids ----------------------------------------------------------- */

static void put2(char *d, int v)
{
    d[0] = (char)('0' + v / 10 % 10);
    d[1] = (char)('0' + v % 10);
}

/* DDMMYY + 3-digit individual number + check digits; -1 when not valid. */
static int compose_id(char d[11], int dd, int mm, int yy, int individual)
{
    put2(d, dd);
    put2(d + 2, mm);
    put2(d + 4, yy);
    d[6] = (char)('0' + individual / 100);
    put2(d + 7, individual % 100);
    return kh_idnum_fnr_check_digits(d);
}

/* A new synthetic national id (month + 80) or D-number (day + 40 too) for
 * someone born on *birth, unique in this generation. Individual numbers follow
 * the century ranges (000-499 for 1900-1999, 500-999 from 2000); when a
 * birthday's numbers are used up, the next day is taken and *birth moves. */
void kh_gen_alloc_id(kh_gen_t *g, int dnumber, int64_t *birth, char out[11])
{
    for (;;) {
        int64_t idx = *birth - g->id_first_day;
        if (idx < 0 || idx >= g->id_ndays) {
            *birth = g->id_first_day + (idx < 0 ? 0 : idx % g->id_ndays);
            continue;
        }
        int y, m, d;
        kh_date_to_ymd(*birth, &y, &m, &d);
        uint16_t *used = &g->id_used[dnumber][idx];
        int base = y >= 2000 ? 500 : 0;
        while (*used < 500) {
            /* A fixed permutation of the 500 slots so numbers do not run in order. */
            int slot = (int)((*used * 173u + (uint32_t)(idx % 500)) % 500);
            (*used)++;
            if (compose_id(out, dnumber ? d + 40 : d, m + 80, y % 100, base + slot) == 0)
                return;
        }
        (*birth)++;
    }
}

/* An id that breaks exactly one identity rule, with valid check digits where
 * the rule is not the check digits. Never a real person's number: invalid
 * dates, help numbers (month + 40) or FH-numbers (first digit 8 or 9). */
size_t kh_gen_bad_id(kh_gen_t *g, kh_reason_t reason, const char *good, char *out)
{
    kh_rng_t *r = &g->rng;
    if (reason == KH_R_ID_FORMAT) {
        int v = kh_rng_range(r, 0, 3);
        memcpy(out, good, 11);
        if (v == 0)
            return 10;
        if (v == 1) {
            out[11] = '7';
            return 12;
        }
        out[kh_rng_range(r, 1, 9)] = v == 2 ? 'X' : ' ';
        return 11;
    }
    if (reason == KH_R_ID_CHECK_DIGIT) {
        memcpy(out, good, 11);
        out[10] = (char)('0' + (good[10] - '0' + kh_rng_range(r, 1, 9)) % 10);
        return 11;
    }
    static const int bad_dates[][2] = {{30, 2}, {31, 4}, {0, 5}, {12, 13}, {32, 1}, {31, 11}};
    for (;;) {
        int rc;
        if (reason == KH_R_ID_DATE) {
            int v = kh_rng_range(r, 0, 6);
            if (v == 6) /* 29 February in a year ending 01: never a leap year */
                rc = compose_id(out, 29, 2, 1, kh_rng_range(r, 0, 999));
            else
                rc = compose_id(out, bad_dates[v][0], bad_dates[v][1], kh_rng_range(r, 50, 99),
                                kh_rng_range(r, 0, 499));
        } else if (reason == KH_R_ID_H_NUMBER) {
            rc = compose_id(out, kh_rng_range(r, 1, 28), kh_rng_range(r, 1, 12) + 40, kh_rng_range(r, 50, 99),
                            kh_rng_range(r, 0, 499));
        } else { /* KH_R_ID_FH_NUMBER */
            out[0] = (char)('8' + kh_rng_range(r, 0, 1));
            for (int i = 1; i < 9; i++)
                out[i] = (char)('0' + kh_rng_range(r, 0, 9));
            rc = kh_idnum_fnr_check_digits(out);
        }
        if (rc == 0)
            return 11;
    }
}

/* The id `p` was known under on `day`. */
const char *kh_gen_id_at(const kh_gen_person_t *p, int64_t day)
{
    int k = 0;
    for (int i = 1; i < p->nids; i++)
        if (p->id_from[i] <= day)
            k = i;
    return p->ids[k];
}

/* ---- Organisation numbers --------------------------------------------------- */

void kh_gen_make_employers(kh_gen_t *g)
{
    for (int i = 0; i < KH_GEN_EMPLOYERS; i++) {
        uint32_t first8;
        int check;
        do {
            first8 = (uint32_t)(80000000u + kh_rng_below(&g->rng, 20000000u)); /* 8xxxxxxx/9xxxxxxx */
            check = kh_idnum_orgnr_check_digit(first8);
        } while (check < 0);
        g->orgnr[i] = first8 * 10u + (uint32_t)check;
    }
}

/* Big employers get more of the jobs. */
uint32_t kh_gen_pick_employer(kh_gen_t *g)
{
    double u = kh_rng_unit(&g->rng);
    return g->orgnr[(int)(u * u * KH_GEN_EMPLOYERS)];
}
