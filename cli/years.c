/* years.c - stored years read whole; see years.h. */
#include "cli/years.h"

#include <stdlib.h>
#include <string.h>

#include "aggregate/disclosure.h"
#include "proto/err.h"
#include "proto/util.h"

typedef struct {
    kh_stored_years_t *y;
    int table;
} load_t;

static kh_stored_year_t *year_of(kh_stored_years_t *y, int ref_year)
{
    for (int i = 0; i < y->nyears; i++)
        if (y->years[i].ref_year == ref_year)
            return &y->years[i];
    if (y->nyears == KH_YEARS_MAX)
        return NULL;
    kh_stored_year_t *s = &y->years[y->nyears++];
    memset(s, 0, sizeof *s);
    s->ref_year = ref_year;
    return s;
}

static int load_row(void *ctx, int ref_year, const kh_indrow_t *row)
{
    load_t *l = ctx;
    kh_stored_year_t *s = year_of(l->y, ref_year);
    if (!s)
        return KH_E_UNUSABLE;
    int t = l->table;
    if (s->n[t] == s->cap[t]) {
        s->cap[t] = s->cap[t] ? 2 * s->cap[t] : 1024;
        s->rows[t] = kh_xrealloc(s->rows[t], s->cap[t] * sizeof *s->rows[t]);
    }
    s->rows[t][s->n[t]++] = *row;
    return 0;
}

int kh_stored_years_read(kh_store_t *store, kh_stored_years_t *y)
{
    y->nyears = 0;
    int rc = 0;
    for (int t = 0; rc == 0 && t < KH_IND_COUNT; t++) {
        if (!kh_disclosure_spec((kh_indtable_t)t))
            continue;
        load_t l = {y, t};
        rc = kh_store_each_row(store, (kh_indtable_t)t, 0, load_row, &l);
    }
    for (int i = 1; i < y->nyears; i++) /* years ascending */
        for (int j = i; j > 0 && y->years[j - 1].ref_year > y->years[j].ref_year; j--) {
            kh_stored_year_t tmp = y->years[j];
            y->years[j] = y->years[j - 1];
            y->years[j - 1] = tmp;
        }
    return rc;
}

void kh_stored_years_free(kh_stored_years_t *y)
{
    for (int i = 0; i < y->nyears; i++)
        for (int t = 0; t < KH_IND_COUNT; t++)
            free(y->years[i].rows[t]);
    y->nyears = 0;
}
