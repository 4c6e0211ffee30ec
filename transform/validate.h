/* validate.h - one raw batch through the row rules: split each record into
 * fields, check it, collect accepted rows and rejects. Used by
 * kohort-validate and by `kohort check`. Holds reusable scratch memory. */
#ifndef KH_VALIDATE_H
#define KH_VALIDATE_H

#include "proto/msg.h"
#include "transform/rules.h"

typedef struct kh_validate kh_validate_t;

/* Caller owns result; free with kh_validate_destroy(). opts is copied. */
kh_validate_t *kh_validate_new(const kh_rules_opts_t *opts);
void kh_validate_destroy(kh_validate_t **v);

/* Checks every record of `raw` (a batch of raw->meta's table): accepted rows
 * are appended to `rows` (or, when ingest flagged the record
 * KH_RAW_OUT_OF_SCOPE, only counted in rows->dropped), rejected ones to
 * `rej` (with the column's header name and the masked value). Reference tables arrive whole in one batch,
 * so their duplicate keys are judged here too. */
void kh_validate_batch(kh_validate_t *v, kh_table_t table, const kh_raw_t *raw, kh_rows_t *rows,
                       kh_rejects_t *rej);

#endif
