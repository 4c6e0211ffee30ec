/* validate.h - one batch of records through the row rules: judge each
 * record (the plain path of rules.h, or split into fields and checked),
 * collect accepted rows and rejects. Used by kohort-validate and by
 * `kohort check`. Holds reusable scratch memory and the batch in progress. */
#ifndef KH_VALIDATE_H
#define KH_VALIDATE_H

#include "proto/msg.h"
#include "transform/rules.h"

typedef struct kh_validate kh_validate_t;

/* Caller owns result; free with kh_validate_destroy(). opts is copied. */
kh_validate_t *kh_validate_new(const kh_rules_opts_t *opts);
void kh_validate_destroy(kh_validate_t **v);

/* Judging a batch record by record, as the records are found (a RANGE
 * batch's, read from the file, need not be copied into a kh_raw_t first):
 * begin, one call a record in file order, end. Accepted rows are appended
 * to `rows` (or, when the record's flags hold KH_RAW_OUT_OF_SCOPE, only
 * counted in rows->dropped), rejected ones to `rej` (with the column's
 * header name and the masked value). `meta`, `rows` and `rej` are borrowed
 * until kh_validate_end(). Reference tables arrive whole in one batch, so
 * their duplicate keys are judged here too. `flags` are a record's
 * KH_RAW_* flags (msg.h). */
void kh_validate_begin(kh_validate_t *v, kh_table_t table, const kh_tablemeta_t *meta,
                       kh_rows_t *rows, kh_rejects_t *rej);
void kh_validate_record(kh_validate_t *v, const char *rec, size_t len, uint32_t line,
                        uint8_t flags);
void kh_validate_end(kh_validate_t *v);

/* Every record of `raw` (a batch of raw->meta's table), as above. */
void kh_validate_batch(kh_validate_t *v, kh_table_t table, const kh_raw_t *raw, kh_rows_t *rows,
                       kh_rejects_t *rej);

#endif
