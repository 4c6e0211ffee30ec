/* idmap.h - identity resolution from id_historikk, on pseudonyms.
 *
 * Used by kohort-link: takes every accepted id_historikk row, judges them
 * (a second row for the same old id is a duplicate, lowest line wins; then
 * rows forming a cycle are rejected) and maps any pseudonym to the newest id
 * of its person. Owns copies of the rows it was given. */
#ifndef KH_IDMAP_H
#define KH_IDMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct kh_idmap kh_idmap_t;

/* A row the judgement rejected: its line in id_historikk, the canonical
 * column it names and its reason (KH_R_DUPLICATE or KH_R_ID_CYCLE). */
typedef struct {
    uint32_t line;
    int32_t column;
    int32_t reason;
} kh_idmap_reject_t;

/* Caller owns result; free with kh_idmap_destroy(). */
kh_idmap_t *kh_idmap_new(void);

/* Frees `*m` and sets it to NULL; accepts NULL. */
void kh_idmap_destroy(kh_idmap_t **m);

/* Copies one row: `old_id` -> `new_id` (KH_PSEUDO_LEN bytes each) from line
 * `line`. Returns 0, or KH_E_PROTOCOL after kh_idmap_judge(). */
int kh_idmap_add(kh_idmap_t *m, const uint8_t *old_id, const uint8_t *new_id, uint32_t line);

/* Judges all rows once (duplicates of an old id first, then cycles, both on
 * every row given, whatever the order they came in) and resolves chains.
 * Returns 0, or KH_E_PROTOCOL when called twice. */
int kh_idmap_judge(kh_idmap_t *m);

/* The rejects of kh_idmap_judge(), sorted by line. Borrowed: valid until
 * kh_idmap_destroy(). */
const kh_idmap_reject_t *kh_idmap_rejects(const kh_idmap_t *m, size_t *n);

/* The newest id of the person known as `id`: `id` itself unless it is the old
 * id of a kept row. Only after kh_idmap_judge(). Borrowed: valid until
 * kh_idmap_destroy() (or as long as `id` when that is returned). */
const uint8_t *kh_idmap_resolve(const kh_idmap_t *m, const uint8_t *id);

/* Number of rows given. */
size_t kh_idmap_rows(const kh_idmap_t *m);

/* For row `i` (0 <= i < kh_idmap_rows()) after judging: 1 with *old_id and
 * *newest set when the row was kept, else 0. Borrowed: valid until
 * kh_idmap_destroy(). */
int kh_idmap_alias(const kh_idmap_t *m, size_t i, const uint8_t **old_id,
                   const uint8_t **newest);

#endif
