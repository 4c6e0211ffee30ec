/* rng.h - the pseudo-random numbers of `kohort gen`: xoshiro256** seeded
 * by splitmix64 (never rand()), so that one seed gives the same extract on
 * every machine. A kh_rng_t is plain state, owned by its holder. */
#ifndef KH_GEN_RNG_H
#define KH_GEN_RNG_H

#include <stdint.h>

typedef struct {
    uint64_t s[4];
} kh_rng_t;

/* Seeds r from `seed` (any value, 0 included). */
void kh_rng_seed(kh_rng_t *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t kh_rng_next(kh_rng_t *r);

/* Uniform in 0 .. n-1 (n >= 1). */
uint32_t kh_rng_below(kh_rng_t *r, uint32_t n);

/* Uniform in lo .. hi, both included. */
int kh_rng_range(kh_rng_t *r, int lo, int hi);

/* Uniform in [0, 1). */
double kh_rng_unit(kh_rng_t *r);

/* 1 with probability p. */
int kh_rng_chance(kh_rng_t *r, double p);

/* Standard normal (Box-Muller). */
double kh_rng_normal(kh_rng_t *r);

/* An index 0 .. n-1 drawn with the given (not necessarily normalised)
 * weights. */
int kh_rng_weighted(kh_rng_t *r, const double *weights, int n);

#endif
