/* pseudo.c - keyed pseudonyms: HMAC-SHA256 as libsodium computes it. See
 * pseudo.h.
 *
 * The message is always 8 bytes, so with the HMAC pads precomputed one
 * pseudonym is exactly two SHA-256 compressions: the inner block (id,
 * padding, length) and the outer block (inner digest, padding, length).
 * Where the CPU has the SHA extensions (x86-64 SHA-NI) those two blocks are
 * compressed here directly (about 5x faster than libsodium's portable
 * code); the result is checked against libsodium's crypto_auth_hmacsha256
 * when the key is set, and libsodium is used when the check fails or the
 * extensions are missing. */
#define _POSIX_C_SOURCE 200809L
#include "pseudo.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define KH_HAVE_SHANI 1
#endif

#include "err.h"
#include "util.h"

#define CACHE_SLOTS 4096

typedef struct {
    int64_t id;
    uint8_t pseudo[16];
} slot_t;

struct kh_pseudo {
    crypto_auth_hmacsha256_state keyed; /* state after the key: the pads */
    uint32_t inner[8], outer[8];        /* SHA-256 states after key^ipad, key^opad */
    int fast;                           /* 1: compress with SHA-NI */
    slot_t cache[CACHE_SLOTS];
};

#ifdef KH_HAVE_SHANI
static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

/* One SHA-256 compression of a 64-byte block into state[8] (host order). */
__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_block_ni(uint32_t state[8],
                                                                       const uint8_t block[64])
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
    __m128i tmp = _mm_loadu_si128((const __m128i *)(const void *)&state[0]);
    __m128i st1 = _mm_loadu_si128((const __m128i *)(const void *)&state[4]);
    tmp = _mm_shuffle_epi32(tmp, 0xB1);       /* CDAB */
    st1 = _mm_shuffle_epi32(st1, 0x1B);       /* EFGH */
    __m128i st0 = _mm_alignr_epi8(tmp, st1, 8); /* ABEF */
    st1 = _mm_blend_epi16(st1, tmp, 0xF0);    /* CDGH */
    const __m128i abef = st0, cdgh = st1;
    __m128i w[4];
    for (int i = 0; i < 4; i++)
        w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(block + 16 * i)),
                                bswap);
#pragma GCC unroll 16
    for (int g = 0; g < 16; g++) {
        __m128i m;
        if (g >= 4) {
            /* W[4g..4g+3] from the four groups before */
            __m128i t = _mm_sha256msg1_epu32(w[g & 3], w[(g + 1) & 3]);
            t = _mm_add_epi32(t, _mm_alignr_epi8(w[(g + 3) & 3], w[(g + 2) & 3], 4));
            w[g & 3] = _mm_sha256msg2_epu32(t, w[(g + 3) & 3]);
        }
        m = _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)(const void *)&sha256_k[4 * g]));
        st1 = _mm_sha256rnds2_epu32(st1, st0, m);
        m = _mm_shuffle_epi32(m, 0x0E);
        st0 = _mm_sha256rnds2_epu32(st0, st1, m);
    }
    st0 = _mm_add_epi32(st0, abef);
    st1 = _mm_add_epi32(st1, cdgh);
    tmp = _mm_shuffle_epi32(st0, 0x1B);       /* FEBA */
    st1 = _mm_shuffle_epi32(st1, 0xB1);       /* DCHG */
    st0 = _mm_blend_epi16(tmp, st1, 0xF0);    /* DCBA */
    st1 = _mm_alignr_epi8(st1, tmp, 8);       /* ABEF */
    _mm_storeu_si128((__m128i *)(void *)&state[0], st0);
    _mm_storeu_si128((__m128i *)(void *)&state[4], st1);
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

typedef struct {
    uint32_t st[8];
    uint8_t block[64];
} scratch_t;

/* HMAC-SHA256(key, id as 8 little-endian bytes), first 16 bytes. */
static void hmac_fast(const kh_pseudo_t *p, int64_t id, uint8_t out[16])
{
    scratch_t s;
    memset(s.block, 0, sizeof s.block);
    for (int i = 0; i < 8; i++)
        s.block[i] = (uint8_t)((uint64_t)id >> (8 * i));
    s.block[8] = 0x80;
    s.block[62] = 0x02; /* (64 + 8) * 8 = 576 bits */
    s.block[63] = 0x40;
    memcpy(s.st, p->inner, sizeof s.st);
    sha256_block_ni(s.st, s.block);
    for (int i = 0; i < 8; i++)
        put_be32(s.block + 4 * i, s.st[i]);
    memset(s.block + 32, 0, 32);
    s.block[32] = 0x80;
    s.block[62] = 0x03; /* (64 + 32) * 8 = 768 bits */
    s.block[63] = 0x00;
    memcpy(s.st, p->outer, sizeof s.st);
    sha256_block_ni(s.st, s.block);
    for (int i = 0; i < 4; i++)
        put_be32(out + 4 * i, s.st[i]);
    sodium_memzero(&s, sizeof s);
}

/* The states after one block of key ^ pad, from the SHA-256 initial values. */
static void shani_setup(kh_pseudo_t *p, const uint8_t key[KH_KEY_LEN])
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    uint8_t pad[64];
    memset(pad, 0x36, sizeof pad);
    for (int i = 0; i < KH_KEY_LEN; i++)
        pad[i] ^= key[i];
    memcpy(p->inner, iv, sizeof iv);
    sha256_block_ni(p->inner, pad);
    memset(pad, 0x5c, sizeof pad);
    for (int i = 0; i < KH_KEY_LEN; i++)
        pad[i] ^= key[i];
    memcpy(p->outer, iv, sizeof iv);
    sha256_block_ni(p->outer, pad);
    sodium_memzero(pad, sizeof pad);
}
#endif

static void hmac_sodium(const kh_pseudo_t *p, int64_t id, uint8_t out[16])
{
    uint8_t msg[8], mac[32];
    for (int i = 0; i < 8; i++)
        msg[i] = (uint8_t)((uint64_t)id >> (8 * i));
    crypto_auth_hmacsha256_state st = p->keyed;
    crypto_auth_hmacsha256_update(&st, msg, sizeof msg);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, mac, 16);
    sodium_memzero(&st, sizeof st);
    sodium_memzero(mac, sizeof mac);
}

kh_pseudo_t *kh_pseudo_new(const uint8_t key[KH_KEY_LEN])
{
    if (sodium_init() < 0) {
        fprintf(stderr, "kohort: libsodium cannot be initialised\n");
        abort();
    }
    kh_pseudo_t *p = kh_xcalloc(1, sizeof *p);
    crypto_auth_hmacsha256_init(&p->keyed, key, KH_KEY_LEN);
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        p->cache[i].id = -1;
#ifdef KH_HAVE_SHANI
    __builtin_cpu_init();
    if (__builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1") &&
        __builtin_cpu_supports("ssse3")) {
        shani_setup(p, key);
        /* same bytes as libsodium, or libsodium it is */
        static const int64_t probe[] = {0, 1, 1234567890, 12875226671, 31129956715,
                                        99999999999, INT64_MAX, -1};
        int same = 1;
        for (size_t i = 0; same && i < sizeof probe / sizeof probe[0]; i++) {
            uint8_t a[16], b[16];
            hmac_fast(p, probe[i], a);
            hmac_sodium(p, probe[i], b);
            same = memcmp(a, b, 16) == 0;
        }
        p->fast = same;
    }
#endif
    return p;
}

void kh_pseudo_destroy(kh_pseudo_t **pp)
{
    if (!pp || !*pp)
        return;
    sodium_memzero(*pp, sizeof **pp);
    free(*pp);
    *pp = NULL;
}

void kh_pseudo_of(kh_pseudo_t *p, int64_t id, uint8_t out[16])
{
    slot_t *s = &p->cache[((uint64_t)id * 0x9E3779B97F4A7C15ull) >> 52];
    if (s->id == id) {
        memcpy(out, s->pseudo, 16);
        return;
    }
#ifdef KH_HAVE_SHANI
    if (p->fast)
        hmac_fast(p, id, out);
    else
#endif
        hmac_sodium(p, id, out);
    s->id = id;
    memcpy(s->pseudo, out, 16);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int kh_pseudo_read_key(const char *path, uint8_t key[KH_KEY_LEN], char *why, size_t whycap)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whycap, "key file %s cannot be opened: %s", path, strerror(errno));
        return KH_E_KEY;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0 || (sb.st_mode & 077)) {
        close(fd);
        snprintf(why, whycap, "key file %s may be read by others (chmod 600 it)", path);
        return KH_E_KEY;
    }
    char buf[80];
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        n--;
    int ok = n == 2 * KH_KEY_LEN;
    for (int i = 0; ok && i < KH_KEY_LEN; i++) {
        int hi = hexval(buf[2 * i]), lo = hexval(buf[2 * i + 1]);
        if (hi < 0 || lo < 0)
            ok = 0;
        else
            key[i] = (uint8_t)(hi << 4 | lo);
    }
    sodium_memzero(buf, sizeof buf);
    if (!ok) {
        snprintf(why, whycap, "key file %s does not hold 64 hexadecimal digits", path);
        return KH_E_KEY;
    }
    return 0;
}

int kh_pseudo_write_key(const char *path, char *why, size_t whycap)
{
    if (sodium_init() < 0) {
        snprintf(why, whycap, "libsodium cannot be initialised");
        return KH_E_KEY;
    }
    uint8_t key[KH_KEY_LEN];
    char hex[2 * KH_KEY_LEN + 2];
    randombytes_buf(key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, key, sizeof key);
    sodium_memzero(key, sizeof key);
    size_t len = strlen(hex);
    hex[len++] = '\n';
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(why, whycap, "cannot create key file %s: %s", path, strerror(errno));
        sodium_memzero(hex, sizeof hex);
        return -errno;
    }
    ssize_t w = write(fd, hex, len);
    sodium_memzero(hex, sizeof hex);
    if (w != (ssize_t)len || fsync(fd) != 0) {
        close(fd);
        snprintf(why, whycap, "cannot write key file %s", path);
        return KH_E_KEY;
    }
    close(fd);
    return 0;
}
