/* codec.h - the MessagePack primitives under kohort's two codecs: the
 * messages (msg.c and its per-kind codecs) and the store's records
 * (store_rows.c, store_ledger.c). Internal to proto/: no stage includes it.
 *
 * A packer grows one buffer. A cursor walks the elements of one decoded
 * array and checks the type and range of each; the first failure marks it
 * bad, later reads return zero values, and a decoder asks once at the end.
 * Borrowed: a cursor's objects live as long as the kh_cur_doc_t (or the
 * msgpack zone) they came from. */
#ifndef KH_CODEC_H
#define KH_CODEC_H

#include <msgpack.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/msg.h"

/* ---- packing ---- */

typedef struct {
    msgpack_sbuffer sb;
    msgpack_packer pk;
} kh_pk_t;

/* Starts an empty buffer; `hint`: bytes it will take, about (0: unknown),
 * so that a batch is not copied again and again as the buffer grows. */
void kh_pk_init(kh_pk_t *p, size_t hint);
/* Hands the bytes to out (caller owns out->data; free()); p is then empty. */
void kh_pk_release(kh_pk_t *p, kh_packed_t *out);
/* Frees the buffer without handing it on. */
void kh_pk_destroy(kh_pk_t *p);
void kh_pk_str(kh_pk_t *p, const char *s);
void kh_pk_bin(kh_pk_t *p, const void *data, size_t n);
/* An int64, or nil when !present. */
void kh_pk_opt_int(kh_pk_t *p, int present, int64_t v);

/* ---- decoding ---- */

typedef struct {
    const msgpack_object *items;
    uint32_t n, i;
    int bad;
} kh_cur_t;

/* One decoded MessagePack document: data[0..len) must be exactly one
 * object; its declared counts and lengths are checked against the bytes
 * before msgpack-c allocates for them. */
typedef struct {
    msgpack_unpacked up;
} kh_cur_doc_t;

/* Decodes data[0..len) into *doc and sets *c to the elements of its
 * top-level array. Returns 0 or KH_E_DECODE; free *doc with
 * kh_cur_doc_free() in either case. */
int kh_cur_doc_open(kh_cur_doc_t *doc, const char *data, size_t len, kh_cur_t *c);
void kh_cur_doc_free(kh_cur_doc_t *doc);

/* The next element, or NULL (and bad) when there is none. */
const msgpack_object *kh_cur_next(kh_cur_t *c);
/* An integer in [lo, hi]. */
int64_t kh_cur_int(kh_cur_t *c, int64_t lo, int64_t hi);
/* nil (sets *present 0) or an integer in [lo, hi] (sets *present 1). */
int64_t kh_cur_opt_int(kh_cur_t *c, int64_t lo, int64_t hi, int *present);
/* A non-negative integer. */
uint64_t kh_cur_u64(kh_cur_t *c);
/* A string without NUL bytes that fits buf (cap includes the NUL). */
void kh_cur_str(kh_cur_t *c, char *buf, size_t cap);
/* A string, cut to fit buf (cap includes the NUL) and at a NUL byte: how
 * the store has always read its texts. */
void kh_cur_str_cut(kh_cur_t *c, char *buf, size_t cap);
/* A bin of exactly `len` bytes (any length when len == SIZE_MAX; *got, may
 * be NULL, gets it). Borrowed: valid as long as the document. */
const char *kh_cur_bin(kh_cur_t *c, size_t len, size_t *got);
/* An array of exactly `expect` elements (any number when UINT32_MAX), as a
 * cursor of its own; end it with kh_cur_done(). */
kh_cur_t kh_cur_array(kh_cur_t *c, uint32_t expect);
/* Ends sub, a cursor kh_cur_array() took from c: c goes bad when sub is bad
 * or has elements left. */
void kh_cur_done(kh_cur_t *c, const kh_cur_t *sub);
/* 0 when every element was read and every check passed, else KH_E_DECODE. */
int kh_cur_end(const kh_cur_t *c);

#endif
