/* model.h - what the parts of `kohort gen` share: the shape of the
 * synthetic population (its shares and sizes), the generation's state and
 * a person's and a stay's shape. Private to gen/: gen.c owns the state,
 * ids.c, badrows.c, population.c and reference.c fill it. */
#ifndef KH_GEN_MODEL_H
#define KH_GEN_MODEL_H

#include <stdint.h>

#include "gen/gen.h"
#include "gen/rng.h"
#include "gen/write.h"
#include "proto/schema.h"

/* ---- Shape of the synthetic population ------------------------------------ */

#define KH_GEN_PARTICIPANT_SHARE 0.03
#define KH_GEN_BAD_ROW_SHARE 0.009     /* bad rows injected after good rows */
#define KH_GEN_QUOTED_SHARE 0.003      /* good rows with one field quoted */
#define KH_GEN_COMPACT_DATE_SHARE 0.03 /* dates written YYYYMMDD */
#define KH_GEN_EMPLOYERS 50000
#define KH_GEN_NATIONAL_MONITOR_SHARE 0.64 /* ref_monitor's (*, *) andel */
#define KH_GEN_MAX_PERSONS 10000000ULL     /* the id space per birthday holds this */
/* A refugee country of the model. */
typedef struct {
    int code;          /* SSB 3-digit country code */
    double weight;     /* share among participants */
    double r_man;      /* attainment relative to all countries, men */
    double r_woman;
    int in_monitor;    /* 0: left out of ref_monitor, so r = 1 downstream */
} kh_gen_country_t;

/* The refugee countries of the model (gen/population.c). */
#define KH_GEN_NREFUGEE 11
extern const kh_gen_country_t kh_gen_refugee_countries[KH_GEN_NREFUGEE];

/* ---- Generator state ------------------------------------------------------- */

/* Most bad-row recipes a table has (gen/badrows.c). */
#define KH_GEN_MAX_RECIPES 24

/* One generation: options, PRNG, outputs and the counters that keep ids
 * unique. Owned by kh_gen_run(). */
typedef struct {
    kh_gen_opts_t opt;
    kh_rng_t rng;
    kh_gen_out_t *out[KH_TAB_COUNT];
    kh_gen_stats_t *stats;
    int64_t id_first_day;       /* birthdays the id counters cover */
    int32_t id_ndays;
    uint16_t *id_used[2];       /* per birthday: slots tried, [0] fnr, [1] D-number */
    uint32_t orgnr[KH_GEN_EMPLOYERS];
    int64_t end_of_r;           /* 31 December of R */
    kh_gen_row_t template_row[KH_TAB_COUNT];
    int have_template[KH_TAB_COUNT];
    uint64_t mutation_count[KH_TAB_COUNT][KH_GEN_MAX_RECIPES];
    uint64_t participant_no;    /* participants generated so far */
    int history_trouble_done[3];
} kh_gen_t;

/* A person's life as far as the registers see it. */
typedef struct {
    int64_t birth;
    int kjonn;
    int land;
    int country;                /* index in kh_gen_refugee_countries, or -1 */
    int place, new_place, move_year; /* new_place from 1 January move_year (0: never) */
    int first_year, last_year;  /* resident on 1 January of these years */
    int skip_year;              /* no bosatte row this year (0: none) */
    int away_year;              /* abroad on 1 January of this year only (0: never) */
    int nids;
    char ids[3][11];
    int64_t id_from[3];         /* first day each id is in use */
} kh_gen_person_t;

/* One participation in the programme. */
typedef struct {
    int64_t start;
    int64_t exit;               /* KH_NULL: still in the programme */
    int status;                 /* 0: empty */
} kh_gen_stay_t;

#endif
