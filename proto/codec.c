/* codec.c - the packer and the checked cursor under the message and store
 * codecs. See codec.h. */
#include "proto/codec.h"

#include <stdlib.h>
#include <string.h>

#include "proto/err.h"
#include "proto/util.h"

/* ---- packing ----------------------------------------------------------------- */

void kh_pk_init(kh_pk_t *p, size_t hint)
{
    msgpack_sbuffer_init(&p->sb);
    if (hint > MSGPACK_SBUFFER_INIT_SIZE) {
        p->sb.alloc = hint + 1024;
        p->sb.data = kh_xmalloc(p->sb.alloc);
    }
    msgpack_packer_init(&p->pk, &p->sb, msgpack_sbuffer_write);
}

void kh_pk_release(kh_pk_t *p, kh_packed_t *out)
{
    out->len = p->sb.size;
    out->data = msgpack_sbuffer_release(&p->sb);
    if (!out->data)
        out->data = kh_xmalloc(1);
    msgpack_sbuffer_destroy(&p->sb);
}

void kh_pk_destroy(kh_pk_t *p)
{
    msgpack_sbuffer_destroy(&p->sb);
}

void kh_pk_str(kh_pk_t *p, const char *s)
{
    size_t n = strlen(s);
    msgpack_pack_str(&p->pk, n);
    msgpack_pack_str_body(&p->pk, s, n);
}

void kh_pk_bin(kh_pk_t *p, const void *data, size_t n)
{
    msgpack_pack_bin(&p->pk, n);
    msgpack_pack_bin_body(&p->pk, data, n);
}

void kh_pk_opt_int(kh_pk_t *p, int present, int64_t v)
{
    if (present)
        msgpack_pack_int64(&p->pk, v);
    else
        msgpack_pack_nil(&p->pk);
}

/* ---- the document --------------------------------------------------------------- */

static uint64_t be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* Walks the MessagePack headers of data[0..len) without allocating and
 * checks that every declared count and length fits in the bytes that remain
 * (an element takes at least one byte). msgpack-c allocates a container's
 * storage from its declared count before it has seen the elements, so a
 * forged count of 2^32 must never reach it. Returns 1 when plausible. */
static int headers_fit(const char *data, size_t len)
{
    const uint8_t *p = (const uint8_t *)data, *end = p + len;
    uint64_t pending = 1; /* objects still to read */
    while (pending) {
        if (p >= end)
            return 0;
        uint8_t t = *p++;
        size_t avail = (size_t)(end - p);
        uint64_t skip = 0, items = 0;
        if (t <= 0x7f || t >= 0xe0 || t == 0xc0 || t == 0xc2 || t == 0xc3) {
            /* fixint, nil, bool */
        } else if (t >= 0xa0 && t <= 0xbf) {
            skip = t & 0x1f;
        } else if (t >= 0x90 && t <= 0x9f) {
            items = t & 0x0f;
        } else if (t >= 0x80 && t <= 0x8f) {
            items = 2u * (t & 0x0f);
        } else {
            static const struct { uint8_t type, hdr, kind; } ext[] = {
                /* kind: 0 fixed payload `hdr` bytes, 1 length-prefixed bytes,
                 * 2 array count, 3 map count, 4 ext (length + type byte) */
                {0xcc, 1, 0}, {0xcd, 2, 0}, {0xce, 4, 0}, {0xcf, 8, 0},
                {0xd0, 1, 0}, {0xd1, 2, 0}, {0xd2, 4, 0}, {0xd3, 8, 0},
                {0xca, 4, 0}, {0xcb, 8, 0},
                {0xd9, 1, 1}, {0xda, 2, 1}, {0xdb, 4, 1},
                {0xc4, 1, 1}, {0xc5, 2, 1}, {0xc6, 4, 1},
                {0xdc, 2, 2}, {0xdd, 4, 2}, {0xde, 2, 3}, {0xdf, 4, 3},
                {0xd4, 2, 0}, {0xd5, 3, 0}, {0xd6, 5, 0}, {0xd7, 9, 0}, {0xd8, 17, 0},
                {0xc7, 1, 4}, {0xc8, 2, 4}, {0xc9, 4, 4},
            };
            size_t i = 0;
            while (i < sizeof ext / sizeof ext[0] && ext[i].type != t)
                i++;
            if (i == sizeof ext / sizeof ext[0] || avail < ext[i].hdr)
                return 0;
            uint64_t n = ext[i].kind == 0 ? 0 : be(p, ext[i].hdr);
            p += ext[i].hdr;
            avail -= ext[i].hdr;
            if (ext[i].kind == 1)
                skip = n;
            else if (ext[i].kind == 2)
                items = n;
            else if (ext[i].kind == 3)
                items = 2 * n;
            else if (ext[i].kind == 4)
                skip = n + 1;
        }
        if (skip > avail)
            return 0;
        p += skip;
        avail -= (size_t)skip;
        pending = pending - 1 + items;
        if (pending > avail)
            return 0;
    }
    return 1;
}

int kh_cur_doc_open(kh_cur_doc_t *doc, const char *data, size_t len, kh_cur_t *c)
{
    msgpack_unpacked_init(&doc->up);
    memset(c, 0, sizeof *c);
    c->bad = 1;
    size_t off = 0;
    if (!headers_fit(data, len) ||
        msgpack_unpack_next(&doc->up, data, len, &off) != MSGPACK_UNPACK_SUCCESS || off != len ||
        doc->up.data.type != MSGPACK_OBJECT_ARRAY)
        return KH_E_DECODE;
    c->items = doc->up.data.via.array.ptr;
    c->n = doc->up.data.via.array.size;
    c->bad = 0;
    return 0;
}

void kh_cur_doc_free(kh_cur_doc_t *doc)
{
    msgpack_unpacked_destroy(&doc->up);
}

/* ---- the cursor ----------------------------------------------------------------- */

const msgpack_object *kh_cur_next(kh_cur_t *c)
{
    if (c->bad || c->i >= c->n) {
        c->bad = 1;
        return NULL;
    }
    return &c->items[c->i++];
}

/* The integer of `o` in [lo, hi], or bad. */
static int64_t int_of(kh_cur_t *c, const msgpack_object *o, int64_t lo, int64_t hi)
{
    int64_t v;
    if (o->type == MSGPACK_OBJECT_POSITIVE_INTEGER) {
        if (o->via.u64 > (uint64_t)INT64_MAX) {
            c->bad = 1;
            return 0;
        }
        v = (int64_t)o->via.u64;
    } else if (o->type == MSGPACK_OBJECT_NEGATIVE_INTEGER) {
        v = o->via.i64;
    } else {
        c->bad = 1;
        return 0;
    }
    if (v < lo || v > hi) {
        c->bad = 1;
        return 0;
    }
    return v;
}

int64_t kh_cur_int(kh_cur_t *c, int64_t lo, int64_t hi)
{
    const msgpack_object *o = kh_cur_next(c);
    return o ? int_of(c, o, lo, hi) : 0;
}

int64_t kh_cur_opt_int(kh_cur_t *c, int64_t lo, int64_t hi, int *present)
{
    const msgpack_object *o = kh_cur_next(c);
    *present = 0;
    if (!o || o->type == MSGPACK_OBJECT_NIL)
        return 0;
    int64_t v = int_of(c, o, lo, hi);
    *present = !c->bad;
    return v;
}

uint64_t kh_cur_u64(kh_cur_t *c)
{
    const msgpack_object *o = kh_cur_next(c);
    if (!o || o->type != MSGPACK_OBJECT_POSITIVE_INTEGER) {
        c->bad = 1;
        return 0;
    }
    return o->via.u64;
}

void kh_cur_str(kh_cur_t *c, char *buf, size_t cap)
{
    const msgpack_object *o = kh_cur_next(c);
    buf[0] = '\0';
    if (!o || o->type != MSGPACK_OBJECT_STR || o->via.str.size >= cap ||
        (o->via.str.size && memchr(o->via.str.ptr, '\0', o->via.str.size))) {
        c->bad = 1;
        return;
    }
    /* an empty string may come with a NULL pointer: no memcpy from it */
    if (o->via.str.size)
        memcpy(buf, o->via.str.ptr, o->via.str.size);
    buf[o->via.str.size] = '\0';
}

void kh_cur_str_cut(kh_cur_t *c, char *buf, size_t cap)
{
    const msgpack_object *o = kh_cur_next(c);
    buf[0] = '\0';
    if (!o || o->type != MSGPACK_OBJECT_STR) {
        c->bad = 1;
        return;
    }
    size_t n = o->via.str.size < cap ? o->via.str.size : cap - 1;
    const char *nul = n ? memchr(o->via.str.ptr, '\0', n) : NULL;
    if (nul)
        n = (size_t)(nul - o->via.str.ptr);
    if (n)
        memcpy(buf, o->via.str.ptr, n);
    buf[n] = '\0';
}

const char *kh_cur_bin(kh_cur_t *c, size_t len, size_t *got)
{
    const msgpack_object *o = kh_cur_next(c);
    if (!o || o->type != MSGPACK_OBJECT_BIN || (len != SIZE_MAX && o->via.bin.size != len)) {
        c->bad = 1;
        return NULL;
    }
    if (got)
        *got = o->via.bin.size;
    return o->via.bin.ptr;
}

kh_cur_t kh_cur_array(kh_cur_t *c, uint32_t expect)
{
    kh_cur_t sub = {NULL, 0, 0, 0};
    const msgpack_object *o = kh_cur_next(c);
    if (!o || o->type != MSGPACK_OBJECT_ARRAY ||
        (expect != UINT32_MAX && o->via.array.size != expect)) {
        c->bad = 1;
        sub.bad = 1;
        return sub;
    }
    sub.items = o->via.array.ptr;
    sub.n = o->via.array.size;
    return sub;
}

void kh_cur_done(kh_cur_t *c, const kh_cur_t *sub)
{
    if (sub->bad || sub->i != sub->n)
        c->bad = 1;
}

int kh_cur_end(const kh_cur_t *c)
{
    return !c->bad && c->i == c->n ? 0 : KH_E_DECODE;
}
