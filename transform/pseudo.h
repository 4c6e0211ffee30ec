/* pseudo.h - keyed pseudonyms of national ids, for kohort-anonymise.
 *
 * A pseudonym is the first 16 bytes of HMAC-SHA256(key, id as 8 little-endian
 * bytes), hashed with OpenSSL's SHA-256 (libsodium supplies only the key's
 * random bytes, hex and wiping). The keyed state is computed once per key (the HMAC
 * pads), so one id costs one copy of the state and two compressions. A small
 * direct-mapped cache hashes each id of a run of neighbouring rows once.
 * Owns the key material and wipes it on destroy. */
#ifndef KH_PSEUDO_H
#define KH_PSEUDO_H

#include <stddef.h>
#include <stdint.h>

#define KH_KEY_LEN 32

typedef struct kh_pseudo kh_pseudo_t;

/* Caller owns result; free with kh_pseudo_destroy(). The key is copied. */
kh_pseudo_t *kh_pseudo_new(const uint8_t key[KH_KEY_LEN]);
void kh_pseudo_destroy(kh_pseudo_t **p);

/* Writes the 16-byte pseudonym of `id`. */
void kh_pseudo_of(kh_pseudo_t *p, int64_t id, uint8_t out[16]);

/* Reads a key file: 64 hexadecimal digits (and an optional line end).
 * Refused (KH_E_KEY) when group or others may read it or it is malformed.
 * Returns 0 or a negative code; `why` gets one sentence on failure. */
int kh_pseudo_read_key(const char *path, uint8_t key[KH_KEY_LEN], char *why, size_t whycap);

/* Writes a fresh random key to `path` (mode 0600, must not exist). */
int kh_pseudo_write_key(const char *path, char *why, size_t whycap);

#endif
