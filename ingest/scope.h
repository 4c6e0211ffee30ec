/* scope.h - the scope superset of kohort-ingest: every national id of an
 * f_intro record, and every id that id_historikk connects to one, read from
 * the raw records before any is validated. A population row whose id is
 * not in it cannot belong to a participant, so the validator may drop it
 * (after judging it) instead of hashing and sending it on; the linker still
 * judges the exact scope. The set holds raw ids and never leaves ingest:
 * what travels is one flag per record. Owned by the ingest process. */
#ifndef KH_INGEST_SCOPE_H
#define KH_INGEST_SCOPE_H

#include <stddef.h>
#include <stdint.h>

typedef struct kh_scope kh_scope_t;

/* Caller owns result; free with kh_scope_destroy(). */
kh_scope_t *kh_scope_new(void);

/* Frees (wiping the ids) and sets *scope to NULL; accepts NULL. */
void kh_scope_destroy(kh_scope_t **scope);

/* The id of a raw CSV field: 11 ASCII digits, possibly surrounded by
 * spaces and tabs, possibly quoted. Returns 1 with *id, 0 when the field
 * is anything else. */
int kh_scope_parse_id(const char *field, size_t len, int64_t *id);

/* Finds field `index` (0-based) of a raw record with ';' delimiters and
 * the strict quoting of extracts.md (quoted fields may hold ';' and
 * newlines). Returns 1 with the field's bytes, quotes included; 0 when the
 * record has fewer fields or malformed quoting before or in it, which the
 * validator rejects whole. */
int kh_scope_field(const char *rec, size_t len, int index, const char **field, size_t *flen);

/* Feeding, in ingest's table order: id_historikk pairs, then f_intro ids.
 * A record whose id field is missing or not an id is one the validator
 * rejects, so it adds nothing. */
void kh_scope_add_history(kh_scope_t *s, int64_t old_id, int64_t new_id);
void kh_scope_add_participant(kh_scope_t *s, int64_t id);

/* Closes the set: every id connected through id_historikk to a
 * participant's id joins it. Call once, after f_intro. */
void kh_scope_finish(kh_scope_t *s);

/* 1 when `id` is certainly out of scope (not in the set); 0 before
 * kh_scope_finish() or when the id is in it. */
int kh_scope_excludes(const kh_scope_t *s, int64_t id);

/* out[i] = kh_scope_excludes(s, ids[i]) for each of the n ids. Each new
 * person of a population table misses the cache in the filter (a few
 * rows a person, millions of persons); judged a batch at a time, the
 * filter words of ids further on are fetched while one is judged, so the
 * misses overlap instead of following one another. */
void kh_scope_excludes_many(const kh_scope_t *s, const int64_t *ids, size_t n,
                            unsigned char *out);

/* Ids in the set (after finish), for the log. */
size_t kh_scope_size(const kh_scope_t *s);

#endif
