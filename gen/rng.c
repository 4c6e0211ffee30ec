/* rng.c - the generator's PRNG: xoshiro256** seeded by splitmix64. See
 * rng.h. */
#include "gen/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void kh_rng_seed(kh_rng_t *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&seed);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t kh_rng_next(kh_rng_t *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, n), n < 2^32 (Lemire's multiply-shift; bias < 2^-32). */
uint32_t kh_rng_below(kh_rng_t *r, uint32_t n)
{
    return (uint32_t)(((kh_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform integer in [lo, hi]. */
int kh_rng_range(kh_rng_t *r, int lo, int hi)
{
    return lo + (int)kh_rng_below(r, (uint32_t)(hi - lo + 1));
}

double kh_rng_unit(kh_rng_t *r)
{
    return (double)(kh_rng_next(r) >> 11) * 0x1.0p-53;
}

int kh_rng_chance(kh_rng_t *r, double p)
{
    return kh_rng_unit(r) < p;
}

double kh_rng_normal(kh_rng_t *r)
{
    double u1 = 1.0 - kh_rng_unit(r);
    double u2 = kh_rng_unit(r);
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

int kh_rng_weighted(kh_rng_t *r, const double *weights, int n)
{
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += weights[i];
    double target = kh_rng_unit(r) * sum;
    for (int i = 0; i < n; i++) {
        target -= weights[i];
        if (target < 0)
            return i;
    }
    return n - 1;
}
