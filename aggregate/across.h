/* across.h - step 7.4 of spec/indicators.md: no cell may be suppressed in
 * one stored reference year and shown in another. Holds the run's year R
 * and the other stored years' tables, forms the union U of their suppressed
 * cells and suppresses it in every year, re-closing each year it changes
 * with steps 7.2 and 7.3, until a round changes nothing. Pure: no store and
 * no sockets; kohort-aggregate feeds it what the store holds and ships the
 * years it changed. */
#ifndef KH_ACROSS_H
#define KH_ACROSS_H

#include <stddef.h>
#include <stdint.h>

#include "proto/schema.h"

typedef struct kh_across kh_across_t;

/* What kh_across_apply() did. Cells are base and count cells (a row
 * suppressed whole counts as its base and every count cell; dependants
 * such as shares, and the cost table, are not counted), per table. */
typedef struct {
    size_t across_years[KH_IND_COUNT]; /* cells of R newly suppressed by 7.4 (its 7.2/7.3 included) */
    size_t elsewhere[KH_IND_COUNT];    /* cells of the other years newly suppressed */
    size_t elsewhere_total;            /* the sum of elsewhere[] */
    size_t narrow[KH_IND_COUNT];       /* R's narrow count after 7.4 re-ran 7.3 on R */
    int r_reprotected;                 /* 1 when narrow[] is set (7.3 ran again on R) */
    size_t rounds;                     /* rounds run, the last changing nothing */
    size_t changed_years;              /* other years with at least one changed table */
} kh_across_stats_t;

/* Caller owns result; free with kh_across_destroy(). k is the run's
 * threshold: k <= 0 turns disclosure control off, and 7.4 with it (no year
 * is read or changed). */
kh_across_t *kh_across_new(int k);

/* Frees everything and sets *a to NULL; accepts NULL. */
void kh_across_destroy(kh_across_t **a);

/* The run's year R after steps 7.1-7.3: rows[t] (n[t] of them, sorted by
 * key as the aggregator builds them) are borrowed and changed in place;
 * primary[t] (may be NULL) are step 7.1's masks for 7.3's narrow count.
 * Call once, before kh_across_apply(). Returns 0 or -EINVAL. */
int kh_across_set_run(kh_across_t *a, int ref_year, kh_indrow_t *const rows[KH_IND_COUNT],
                      const size_t n[KH_IND_COUNT], const uint32_t *const primary[KH_IND_COUNT]);

/* Adds one stored row of another reference year (copied), as the store
 * gives them: per (year, table) in key order. Rows of R itself are
 * refused (-EINVAL): R's stored tables are being replaced. */
int kh_across_add_row(kh_across_t *a, int ref_year, kh_indtable_t table, const kh_indrow_t *row);

/* Applies step 7.4. Deterministic: the same years in give the same years
 * out, whatever order the rows of different years were added in. stats
 * may be NULL. Returns 0 or a negative code (kh_strerror()). */
int kh_across_apply(kh_across_t *a, kh_across_stats_t *stats);

/* The other years, ascending (R not included). */
size_t kh_across_nyears(const kh_across_t *a);
int kh_across_year(const kh_across_t *a, size_t i);

/* 1 when kh_across_apply() suppressed a cell in `table` of other year i. */
int kh_across_changed(const kh_across_t *a, size_t i, kh_indtable_t table);

/* The rows of `table` of other year i. Borrowed: valid until
 * kh_across_destroy(). */
const kh_indrow_t *kh_across_rows(const kh_across_t *a, size_t i, kh_indtable_t table, size_t *n);

/* Base and count cells suppressed in rows[0..n) of `table`: by masks[i]
 * when masks is not NULL, else by each row's suppressed_mask. 0 for a
 * table without a disclosure spec. */
size_t kh_across_count(kh_indtable_t table, const kh_indrow_t *rows, size_t n,
                       const uint32_t *masks);

#endif
