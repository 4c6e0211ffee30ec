/* link.h - the linker's logic (kohort-link), without sockets.
 *
 * Fed batches of validated, pseudonymised rows of every table, it resolves
 * identities, keeps only rows of participants (memory bounded by their
 * number), judges duplicates of people and id cycles, picks each person's
 * latest exit and places them with their facts for R and for the status
 * years of followup (spec/indicators.md sections 1, 3 and 8), and hands
 * the reference rows on in the message's own types (msg.h's kh_refdata_t;
 * link_ref.c). Owns copies of everything it keeps; the batches stay the
 * caller's. */
#ifndef KH_LINK_H
#define KH_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "proto/msg.h"
#include "proto/rows.h"
#include "proto/schema.h"

/* Run parameters; 0 means the default: ref_year = the newest aar among all
 * accepted bosatte rows (people out of scope included), cohort_from = R-7,
 * cohort_to = R. */
typedef struct {
    int ref_year;
    int cohort_from, cohort_to;
} kh_link_params_t;

/* A row the linker rejects: it was counted accepted by the validator and is
 * to be moved to rejected. `column` is the canonical column index
 * (schema.h); the quarantine value is empty (the linker never sees ids). */
typedef struct {
    kh_table_t table;
    uint32_t line;
    int32_t column;
    int32_t reason;      /* KH_R_DUPLICATE or KH_R_ID_CYCLE */
} kh_link_reject_t;

/* Counts for the ledger. Per table: `received` rows passed to kh_link_add();
 * `rejected` of those judged by the linker (duplicates, id cycles);
 * `out_of_scope` dropped because their person is no participant. */
typedef struct {
    uint64_t received[KH_TAB_COUNT];
    uint64_t rejected[KH_TAB_COUNT];
    uint64_t out_of_scope[KH_TAB_COUNT];
    uint64_t participants;       /* resolved persons with an f_intro row */
    uint64_t placed;             /* persons handed to the aggregator */
    uint64_t no_home;            /* in the window, no bosatte row for C */
    uint64_t ambiguous_kommune;  /* home without a single successor code */
    uint64_t no_exit;            /* participants without a remaining exit */
    uint64_t outside_window;     /* latest exit's year outside the window */
    uint64_t kostnader_split;    /* ref_kostnader rows left out (split code) */
    int ref_year, cohort_from, cohort_to;   /* as used (after defaults) */
} kh_link_counts_t;

typedef struct kh_link kh_link_t;

/* Caller owns result; free with kh_link_destroy(). `p` may be NULL (all
 * defaults); it is copied. */
kh_link_t *kh_link_new(const kh_link_params_t *p);

/* Frees `*l` and sets it to NULL; accepts NULL. */
void kh_link_destroy(kh_link_t **l);

/* Takes one batch of rows->table (copies what it keeps). Person tables
 * (bosatte, befolkning, utdanning, shj, f_jobber) are accepted only once
 * id_historikk and f_intro are both done. Returns 0; KH_E_PROTOCOL for a
 * batch out of place (table already done, population before scope, after
 * finish, ids not pseudonymised); -EINVAL for a bad table. */
int kh_link_add(kh_link_t *l, const kh_rows_t *rows);

/* Declares every batch of `t` added. Must be called for every table, also
 * for an absent optional file. When id_historikk and f_intro are both done,
 * identities are judged and the participants fixed. Returns 0, KH_E_PROTOCOL
 * when `t` is already done, -EINVAL for a bad table. */
int kh_link_table_done(kh_link_t *l, kh_table_t t);

/* Judges duplicates, fixes R and the window, places every participant.
 * Returns 0; KH_E_PROTOCOL when a table is not done or when called twice;
 * KH_E_USAGE when no reference year is given and no bosatte row was
 * accepted, or the window is empty; -EOVERFLOW when a person's shj sum
 * overflows. */
int kh_link_finish(kh_link_t *l);

/* Placed persons, sorted by their fields (so the order depends neither on
 * the arrival of batches nor on the pseudonymisation key). Borrowed: valid
 * until kh_link_destroy(). NULL and *n = 0 before kh_link_finish(). */
const kh_person_t *kh_link_persons(const kh_link_t *l, size_t *n);

/* The linker's rejects sorted by table, then line. Borrowed: valid until
 * kh_link_destroy(). Complete after kh_link_finish(); id_historikk's are
 * there once scope is fixed. */
const kh_link_reject_t *kh_link_rejects(const kh_link_t *l, size_t *n);

/* Borrowed: valid until kh_link_destroy(); final after kh_link_finish(). */
const kh_link_counts_t *kh_link_counts(const kh_link_t *l);

/* The reference rows for the aggregator, in the message's types (msg.h),
 * linker duplicates removed; texts are the validator's normalised decimals.
 * monitor and national are sorted by their key; cost holds the
 * ref_kostnader rows whose kommnr could be carried forward to the codes of
 * 1 Jan R, sorted by (carried kommnr, aar, line) and not summed (rows of a
 * split code are left out: counts->kostnader_split); names holds
 * ref_kommunenavn's rows by kommnr, each code once and as given (names are
 * for output only, so not carried forward). Borrowed: valid until
 * kh_link_destroy(). Empty (counts 0, arrays NULL) before kh_link_finish(). */
const kh_refdata_t *kh_link_refdata(const kh_link_t *l);

#endif
