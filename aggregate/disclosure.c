/* disclosure.c - primary and secondary suppression for kohort-aggregate.
 * See disclosure.h. A line is a range of an index array: municipality lines
 * are ranges of the rows in (kommnr, key2) order, cohort lines ranges of an
 * index sorted by (key2, kommnr), so a whole pass is linear in the rows. */
#include "disclosure.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../proto/util.h"

#define BIT(c) (UINT32_C(1) << (c))

static const kh_disclosure_spec_t exit_spec = {
    .ncols = KH_EXIT_NCOLS,
    .base = KH_EXIT_EXITS,
    .ncounts = 5,
    .counts = {KH_EXIT_ATTAINED, KH_EXIT_TO_WORK, KH_EXIT_TO_EDUCATION,
               KH_EXIT_PARENTAL_LEAVE, KH_EXIT_EXTENDED},
    .dependants = {
        [KH_EXIT_ATTAINED] = BIT(KH_EXIT_ATTAINED_SHARE) | BIT(KH_EXIT_ATTAINED_SHARE_ADJUSTED) |
                             BIT(KH_EXIT_RESIDUAL),
        [KH_EXIT_PARENTAL_LEAVE] = BIT(KH_EXIT_ATTAINED_SHARE_ADJUSTED),
        [KH_EXIT_EXTENDED] = BIT(KH_EXIT_EXTENDED_SHARE),
    },
};

static const kh_disclosure_spec_t status_spec = {
    .ncols = KH_STATUS_NCOLS,
    .base = KH_STATUS_PERSONS,
    .ncounts = 4,
    .counts = {KH_STATUS_WORK, KH_STATUS_EDUCATION, KH_STATUS_WORK_OR_EDUCATION,
               KH_STATUS_SA_RECIPIENTS},
    .dependants = {
        [KH_STATUS_WORK_OR_EDUCATION] = BIT(KH_STATUS_WORK_OR_EDUCATION_SHARE),
        [KH_STATUS_SA_RECIPIENTS] = BIT(KH_STATUS_SA_SHARE) | BIT(KH_STATUS_SA_TOTAL) |
                                    BIT(KH_STATUS_SA_MEAN_PER_RECIPIENT),
    },
};

const kh_disclosure_spec_t *kh_disclosure_spec(kh_indtable_t table)
{
    switch (table) {
    case KH_IND_EXIT: return &exit_spec;
    case KH_IND_STATUS: return &status_spec;
    default: return NULL;
    }
}

/* The working state of one application. */
typedef struct {
    const kh_indrow_t *rows;
    size_t n;
    const kh_disclosure_spec_t *spec;
    uint32_t *masks;
    uint32_t whole_row;          /* every column's bit */
    size_t *cohort_order;        /* row indexes by (key2, kommnr) */
    size_t *muni_starts;         /* nmuni + 1 offsets into row order */
    size_t nmuni;
    size_t *cohort_starts;       /* ncohort + 1 offsets into cohort_order */
    size_t ncohort;
} control_t;

/* Suppressing a base takes the whole row; anything else its dependants. */
static void suppress(control_t *ctl, size_t row, int col)
{
    if (col == ctl->spec->base)
        ctl->masks[row] = ctl->whole_row;
    else
        ctl->masks[row] |= BIT(col) | ctl->spec->dependants[col];
}

static int spec_usable(const kh_disclosure_spec_t *spec)
{
    if (!spec || spec->ncols <= 0 || spec->ncols > KH_IND_MAX_COLS || spec->ncounts < 0 ||
        spec->ncounts > KH_DISCLOSURE_MAX_COUNTS || spec->base < 0 || spec->base >= spec->ncols)
        return 0;
    for (int i = 0; i < spec->ncounts; i++)
        if (spec->counts[i] < 0 || spec->counts[i] >= spec->ncols)
            return 0;
    return 1;
}

static int rows_sorted(const kh_indrow_t *rows, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        const kh_indrow_t *a = &rows[i - 1], *b = &rows[i];
        if (a->kommnr > b->kommnr || (a->kommnr == b->kommnr && a->key2 >= b->key2))
            return 0;
    }
    return 1;
}

/* 1 when a count (or the base itself) may not be shown: 0 < c < k or
 * 0 < base - c < k. */
static int count_too_small(int64_t count, int64_t base, int k)
{
    int64_t rest = base - count;
    return (count > 0 && count < k) || (rest > 0 && rest < k);
}

static void apply_primary(control_t *ctl, int k, kh_disclosure_stats_t *stats)
{
    const kh_disclosure_spec_t *spec = ctl->spec;
    for (size_t r = 0; r < ctl->n; r++) {
        int64_t base = ctl->rows[r].value[spec->base];
        if (base < k) {
            suppress(ctl, r, spec->base);
            stats->primary_rows++;
            continue;
        }
        for (int i = 0; i < spec->ncounts; i++) {
            int col = spec->counts[i];
            if (count_too_small(ctl->rows[r].value[col], base, k)) {
                suppress(ctl, r, col);
                stats->primary_cells++;
            }
        }
    }
}

/* One line (row indexes `idx[0..len)` in ascending (kommnr, key2) order):
 * when exactly one value of `col` is suppressed, suppress the smallest
 * unsuppressed one, the first in line order on a tie. Returns 1 when it
 * suppressed something. */
static int check_line(control_t *ctl, const size_t *idx, size_t len, int col)
{
    size_t nsuppressed = 0, best = 0;
    int have_best = 0;
    for (size_t i = 0; i < len; i++) {
        size_t r = idx[i];
        if (ctl->masks[r] & BIT(col)) {
            if (++nsuppressed > 1)
                return 0;
        } else if (!have_best || ctl->rows[r].value[col] < ctl->rows[best].value[col]) {
            best = r;
            have_best = 1;
        }
    }
    if (nsuppressed != 1 || !have_best)
        return 0;
    suppress(ctl, best, col);
    return 1;
}

static size_t check_column(control_t *ctl, const size_t *row_order, int col)
{
    size_t changed = 0;
    for (size_t m = 0; m < ctl->nmuni; m++)
        changed += (size_t)check_line(ctl, row_order + ctl->muni_starts[m],
                                      ctl->muni_starts[m + 1] - ctl->muni_starts[m], col);
    for (size_t c = 0; c < ctl->ncohort; c++)
        changed += (size_t)check_line(ctl, ctl->cohort_order + ctl->cohort_starts[c],
                                      ctl->cohort_starts[c + 1] - ctl->cohort_starts[c], col);
    return changed;
}

static void apply_secondary(control_t *ctl, const size_t *row_order, kh_disclosure_stats_t *stats)
{
    size_t changed;
    do {
        changed = check_column(ctl, row_order, ctl->spec->base);
        for (int i = 0; i < ctl->spec->ncounts; i++)
            changed += check_column(ctl, row_order, ctl->spec->counts[i]);
        stats->secondary_cells += changed;
        stats->passes++;
    } while (changed > 0);
}

/* A row's key and index, sorted by (key2, kommnr) for the cohort lines; a
 * key copy keeps qsort free of global context. */
typedef struct {
    int32_t key2, kommnr;
    size_t row;
} cohort_key_t;

static int by_cohort_then_kommnr(const void *pa, const void *pb)
{
    const cohort_key_t *a = pa, *b = pb;
    if (a->key2 != b->key2)
        return a->key2 < b->key2 ? -1 : 1;
    if (a->kommnr != b->kommnr)
        return a->kommnr < b->kommnr ? -1 : 1;
    return 0;
}

/* Offsets where the key changes in `order`, plus the end; returns count. */
static size_t line_starts(const kh_indrow_t *rows, const size_t *order, size_t n, int by_kommnr,
                          size_t *starts)
{
    size_t nlines = 0;
    for (size_t i = 0; i < n; i++) {
        const kh_indrow_t *row = &rows[order[i]];
        const kh_indrow_t *prev = i ? &rows[order[i - 1]] : NULL;
        if (!prev || (by_kommnr ? prev->kommnr != row->kommnr : prev->key2 != row->key2))
            starts[nlines++] = i;
    }
    starts[nlines] = n;
    return nlines;
}

static void build_lines(control_t *ctl, size_t *row_order)
{
    cohort_key_t *keys = kh_xmalloc(ctl->n * sizeof *keys);
    for (size_t i = 0; i < ctl->n; i++) {
        row_order[i] = i;
        keys[i] = (cohort_key_t){ctl->rows[i].key2, ctl->rows[i].kommnr, i};
    }
    qsort(keys, ctl->n, sizeof *keys, by_cohort_then_kommnr);
    for (size_t i = 0; i < ctl->n; i++)
        ctl->cohort_order[i] = keys[i].row;
    free(keys);
    ctl->nmuni = line_starts(ctl->rows, row_order, ctl->n, 1, ctl->muni_starts);
    ctl->ncohort = line_starts(ctl->rows, ctl->cohort_order, ctl->n, 0, ctl->cohort_starts);
}

static void clear_suppressed(kh_indrow_t *rows, size_t n, const uint32_t *masks, int ncols)
{
    for (size_t r = 0; r < n; r++) {
        if (!masks[r])
            continue;
        rows[r].suppressed = 1;
        rows[r].suppressed_mask = masks[r];
        for (int c = 0; c < ncols; c++)
            if (masks[r] & BIT(c))
                rows[r].present[c] = 0;
    }
}

int kh_disclosure_apply(kh_indrow_t *rows, size_t n, const kh_disclosure_spec_t *spec,
                        int k, uint32_t *masks, kh_disclosure_stats_t *stats)
{
    kh_disclosure_stats_t local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!spec_usable(spec) || (n > 0 && (!rows || !masks)) || !rows_sorted(rows, n))
        return -EINVAL;
    if (n > 0)
        memset(masks, 0, n * sizeof *masks);
    if (k <= 0 || n == 0)
        return 0;

    control_t ctl = {
        .rows = rows, .n = n, .spec = spec, .masks = masks,
        .whole_row = spec->ncols == 32 ? UINT32_MAX : BIT(spec->ncols) - 1,
        .cohort_order = kh_xmalloc(n * sizeof(size_t)),
        .muni_starts = kh_xmalloc((n + 1) * sizeof(size_t)),
        .cohort_starts = kh_xmalloc((n + 1) * sizeof(size_t)),
    };
    size_t *row_order = kh_xmalloc(n * sizeof(size_t));
    build_lines(&ctl, row_order);
    apply_primary(&ctl, k, stats);
    apply_secondary(&ctl, row_order, stats);
    clear_suppressed(rows, n, masks, spec->ncols);
    free(row_order);
    free(ctl.cohort_order);
    free(ctl.muni_starts);
    free(ctl.cohort_starts);
    return 0;
}
