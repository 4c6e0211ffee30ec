/* disclosure.c - primary and secondary suppression for kohort-aggregate.
 * See disclosure.h. The lines come from lines.c, each a range of an index
 * array, so a whole pass is linear in the rows. */
#include "aggregate/disclosure.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "proto/util.h"

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
    /* municipality lines (cohort varies), then cohort lines (kommnr varies) */
    .lines = {.ndims = 2, .nkinds = 2, .vary = {1, 0}},
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
    .lines = {.ndims = 2, .nkinds = 2, .vary = {1, 0}},
};

static const kh_disclosure_spec_t followup_spec = {
    .ncols = KH_FOLLOWUP_NCOLS,
    .base = KH_FOLLOWUP_PERSONS,
    .ncounts = 5,
    .counts = {KH_FOLLOWUP_WORK, KH_FOLLOWUP_EDUCATION, KH_FOLLOWUP_WORK_OR_EDUCATION,
               KH_FOLLOWUP_SA_RECIPIENTS, KH_FOLLOWUP_MOVED},
    .dependants = {
        [KH_FOLLOWUP_WORK_OR_EDUCATION] = BIT(KH_FOLLOWUP_WORK_OR_EDUCATION_SHARE),
        [KH_FOLLOWUP_SA_RECIPIENTS] = BIT(KH_FOLLOWUP_SA_SHARE),
        [KH_FOLLOWUP_MOVED] = BIT(KH_FOLLOWUP_MOVED_SHARE),
    },
    /* spec 8: municipality lines fix (kommnr, horizon, kjonn) and vary the
     * cohort, cohort lines vary kommnr, gender lines vary kjonn; lines.c
     * visits each kind by its fixed keys in print order */
    .lines = {.ndims = 4, .nkinds = 3, .vary = {1, 0, 3}},
};

const kh_disclosure_spec_t *kh_disclosure_spec(kh_indtable_t table)
{
    switch (table) {
    case KH_IND_EXIT: return &exit_spec;
    case KH_IND_STATUS: return &status_spec;
    case KH_IND_FOLLOWUP: return &followup_spec;
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
    kh_lines_t *lines;
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

/* One line: when exactly one value of `col` is suppressed, suppress the
 * smallest unsuppressed one, the first in line order (ascending key) on a
 * tie. Returns 1 when it suppressed something. */
static int check_line(control_t *ctl, kh_line_t line, int col)
{
    size_t nsuppressed = 0, best = 0;
    int have_best = 0;
    for (size_t i = 0; i < line.len; i++) {
        size_t r = line.idx[i];
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

/* Every line of every kind, in the spec's order, for one column. */
static size_t check_column(control_t *ctl, int col)
{
    size_t changed = 0;
    for (int kind = 0; kind < ctl->spec->lines.nkinds; kind++) {
        size_t nlines = kh_lines_count(ctl->lines, kind);
        for (size_t i = 0; i < nlines; i++)
            changed += (size_t)check_line(ctl, kh_lines_get(ctl->lines, kind, i), col);
    }
    return changed;
}

static void apply_secondary(control_t *ctl, kh_disclosure_stats_t *stats)
{
    size_t changed;
    do {
        changed = check_column(ctl, ctl->spec->base);
        for (int i = 0; i < ctl->spec->ncounts; i++)
            changed += check_column(ctl, ctl->spec->counts[i]);
        stats->secondary_cells += changed;
        stats->passes++;
    } while (changed > 0);
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
    if (!spec_usable(spec) || (n > 0 && (!rows || !masks)))
        return -EINVAL;
    kh_lines_t *lines = kh_lines_new(rows, n, &spec->lines);
    if (!lines)
        return -EINVAL;
    if (n > 0)
        memset(masks, 0, n * sizeof *masks);
    if (k > 0 && n > 0) {
        control_t ctl = {
            .rows = rows, .n = n, .spec = spec, .masks = masks,
            .whole_row = spec->ncols == 32 ? UINT32_MAX : BIT(spec->ncols) - 1,
            .lines = lines,
        };
        apply_primary(&ctl, k, stats);
        apply_secondary(&ctl, stats);
        clear_suppressed(rows, n, masks, spec->ncols);
    }
    kh_lines_destroy(&lines);
    return 0;
}

int kh_disclosure_primary(const kh_indrow_t *rows, size_t n, const kh_disclosure_spec_t *spec,
                          int k, uint32_t *masks)
{
    if (!spec_usable(spec) || (n > 0 && (!rows || !masks)))
        return -EINVAL;
    if (n > 0)
        memset(masks, 0, n * sizeof *masks);
    if (k <= 0)
        return 0;
    kh_disclosure_stats_t stats;
    memset(&stats, 0, sizeof stats);
    control_t ctl = {
        .rows = rows, .n = n, .spec = spec, .masks = masks,
        .whole_row = spec->ncols == 32 ? UINT32_MAX : BIT(spec->ncols) - 1,
    };
    apply_primary(&ctl, k, &stats);
    return 0;
}

int kh_disclosure_close(kh_indrow_t *rows, size_t n, const kh_disclosure_spec_t *spec,
                        kh_disclosure_stats_t *stats)
{
    kh_disclosure_stats_t local;
    if (!stats)
        stats = &local;
    memset(stats, 0, sizeof *stats);
    if (!spec_usable(spec) || (n > 0 && !rows))
        return -EINVAL;
    kh_lines_t *lines = kh_lines_new(rows, n, &spec->lines);
    if (!lines)
        return -EINVAL;
    uint32_t *masks = kh_xmalloc((n ? n : 1) * sizeof *masks);
    for (size_t r = 0; r < n; r++)
        masks[r] = rows[r].suppressed_mask;
    control_t ctl = {
        .rows = rows, .n = n, .spec = spec, .masks = masks,
        .whole_row = spec->ncols == 32 ? UINT32_MAX : BIT(spec->ncols) - 1,
        .lines = lines,
    };
    apply_secondary(&ctl, stats);
    clear_suppressed(rows, n, masks, spec->ncols);
    free(masks);
    kh_lines_destroy(&lines);
    return 0;
}

int kh_disclosure_is_cell(const kh_disclosure_spec_t *spec, int c)
{
    if (c == spec->base)
        return 1;
    for (int i = 0; i < spec->ncounts; i++)
        if (spec->counts[i] == c)
            return 1;
    return 0;
}

size_t kh_disclosure_suppress(kh_indrow_t *row, const kh_disclosure_spec_t *spec, int col)
{
    uint32_t whole_row = spec->ncols == 32 ? UINT32_MAX : BIT(spec->ncols) - 1;
    uint32_t add = col == spec->base ? whole_row : BIT(col) | spec->dependants[col];
    uint32_t fresh = add & ~row->suppressed_mask;
    size_t counted = 0;
    for (int c = 0; c < spec->ncols; c++) {
        if (!(fresh & BIT(c)))
            continue;
        row->present[c] = 0;
        counted += (size_t)kh_disclosure_is_cell(spec, c);
    }
    row->suppressed_mask |= add;
    row->suppressed = 1;
    return counted;
}

size_t kh_disclosure_follow_cost(const kh_indrow_t *exit, size_t nexit, kh_indrow_t *cost,
                                 size_t ncost)
{
    const uint32_t bit = BIT(KH_COST_COST_PER_ATTAINED);
    size_t e = 0, changed = 0;
    for (size_t i = 0; i < ncost; i++) {
        kh_indrow_t *row = &cost[i];
        while (e < nexit && (exit[e].kommnr < row->kommnr ||
                             (exit[e].kommnr == row->kommnr && exit[e].key2 < row->key2)))
            e++;
        if (e == nexit || exit[e].kommnr != row->kommnr || exit[e].key2 != row->key2)
            continue;
        if (!(exit[e].suppressed_mask & BIT(KH_EXIT_ATTAINED)) || (row->suppressed_mask & bit))
            continue;
        row->suppressed_mask |= bit;
        row->present[KH_COST_COST_PER_ATTAINED] = 0;
        row->suppressed = 1;
        changed++;
    }
    return changed;
}
