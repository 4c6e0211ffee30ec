/* years.h - every stored reference year's rows of the tables that
 * disclosure control protects (exit, status, followup), read whole from a
 * store, years ascending: what `kohort audit` judges, and what the linear
 * programs' measuring tool (tools/bench/lpcompare.c) solves. */
#ifndef KH_YEARS_H
#define KH_YEARS_H

#include <stddef.h>

#include "proto/schema.h"
#include "proto/store.h"

#define KH_YEARS_MAX 64

/* One year's rows, per table in key order (n 0 for a table not read). */
typedef struct {
    int ref_year;
    kh_indrow_t *rows[KH_IND_COUNT];
    size_t n[KH_IND_COUNT], cap[KH_IND_COUNT];
} kh_stored_year_t;

typedef struct {
    kh_stored_year_t years[KH_YEARS_MAX];
    int nyears;
} kh_stored_years_t;

/* Reads every year into *y (overwritten). Returns 0 or a negative code
 * (KH_E_UNUSABLE for more than KH_YEARS_MAX years); free with
 * kh_stored_years_free() either way. */
int kh_stored_years_read(kh_store_t *store, kh_stored_years_t *y);

void kh_stored_years_free(kh_stored_years_t *y);

#endif
