/* msgkind.h - the per-kind codecs of msg.h, internal to proto/. Each kind's
 * kh_msg_pack_<kind>() (msg.h) has its unpack_<kind> here beside it, in
 * msg_batch.c (the kinds that carry a register table through the stages)
 * or msg_run.c (the linker's, aggregator's, sink's and supervisor's); msg.c
 * holds the envelope and calls them. An unpacker reads the body that
 * follows the envelope from cursor `c` into `m` and marks `c` bad on the
 * first failed check; what it allocated in `m` is freed by kh_msg_free(). */
#ifndef KH_MSGKIND_H
#define KH_MSGKIND_H

#include "proto/codec.h"
#include "proto/msg.h"

/* The envelope (msg.h): kind, run id, table, sequence number. */
enum { KH_ENV_FIELDS = 4 };

/* Starts a message of kind env->kind whose body holds `body_fields`
 * elements; `hint` as kh_pk_init(). */
void kh_msg_begin(kh_pk_t *p, const kh_env_t *env, size_t body_fields, size_t hint);

void kh_msg_unpack_raw(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_range(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_rows(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_eot(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_rejects(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_ack(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_persons(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_refdata(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_ledger(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_indrows(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_stats(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_result(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_fail(kh_cur_t *c, kh_msg_t *m);
void kh_msg_unpack_resend(kh_cur_t *c, kh_msg_t *m);

#endif
