/* relations.c - the outsider's relations within a row; see relations.h.
 * The column relations are those of spec/indicators.md 7.3: to_work,
 * to_education <= attained <= to_work + to_education, attained +
 * parental_leave <= exits; work, education <= work_or_education <= work +
 * education. */
#include "aggregate/relations.h"

#include "aggregate/disclosure.h"

#define LE(a, b) {2, {a, b}, {1, -1}}

static const kh_relation_t exit_rel[] = {
    LE(KH_EXIT_ATTAINED, KH_EXIT_EXITS),
    LE(KH_EXIT_TO_WORK, KH_EXIT_EXITS),
    LE(KH_EXIT_TO_EDUCATION, KH_EXIT_EXITS),
    LE(KH_EXIT_PARENTAL_LEAVE, KH_EXIT_EXITS),
    LE(KH_EXIT_EXTENDED, KH_EXIT_EXITS),
    LE(KH_EXIT_TO_WORK, KH_EXIT_ATTAINED),
    LE(KH_EXIT_TO_EDUCATION, KH_EXIT_ATTAINED),
    {3, {KH_EXIT_ATTAINED, KH_EXIT_TO_WORK, KH_EXIT_TO_EDUCATION}, {1, -1, -1}},
    {3, {KH_EXIT_ATTAINED, KH_EXIT_PARENTAL_LEAVE, KH_EXIT_EXITS}, {1, 1, -1}},
};

static const kh_relation_t status_rel[] = {
    LE(KH_STATUS_WORK, KH_STATUS_PERSONS),
    LE(KH_STATUS_EDUCATION, KH_STATUS_PERSONS),
    LE(KH_STATUS_WORK_OR_EDUCATION, KH_STATUS_PERSONS),
    LE(KH_STATUS_SA_RECIPIENTS, KH_STATUS_PERSONS),
    LE(KH_STATUS_WORK, KH_STATUS_WORK_OR_EDUCATION),
    LE(KH_STATUS_EDUCATION, KH_STATUS_WORK_OR_EDUCATION),
    {3, {KH_STATUS_WORK_OR_EDUCATION, KH_STATUS_WORK, KH_STATUS_EDUCATION}, {1, -1, -1}},
};

static const kh_relation_t followup_rel[] = {
    LE(KH_FOLLOWUP_WORK, KH_FOLLOWUP_PERSONS),
    LE(KH_FOLLOWUP_EDUCATION, KH_FOLLOWUP_PERSONS),
    LE(KH_FOLLOWUP_WORK_OR_EDUCATION, KH_FOLLOWUP_PERSONS),
    LE(KH_FOLLOWUP_SA_RECIPIENTS, KH_FOLLOWUP_PERSONS),
    LE(KH_FOLLOWUP_MOVED, KH_FOLLOWUP_PERSONS),
    LE(KH_FOLLOWUP_WORK, KH_FOLLOWUP_WORK_OR_EDUCATION),
    LE(KH_FOLLOWUP_EDUCATION, KH_FOLLOWUP_WORK_OR_EDUCATION),
    {3, {KH_FOLLOWUP_WORK_OR_EDUCATION, KH_FOLLOWUP_WORK, KH_FOLLOWUP_EDUCATION}, {1, -1, -1}},
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

size_t kh_relations(kh_indtable_t table, const kh_relation_t **out)
{
    switch (table) {
    case KH_IND_EXIT: *out = exit_rel; return N(exit_rel);
    case KH_IND_STATUS: *out = status_rel; return N(status_rel);
    case KH_IND_FOLLOWUP: *out = followup_rel; return N(followup_rel);
    default: *out = NULL; return 0;
    }
}

double kh_relations_lower(kh_indtable_t table, int col)
{
    const kh_disclosure_spec_t *spec = kh_disclosure_spec(table);
    return spec && col == spec->base ? 1.0 : 0.0;
}

int kh_relations_below_exits(kh_indtable_t table, const kh_indrow_t *row)
{
    return table == KH_IND_STATUS || (table == KH_IND_FOLLOWUP && row->key4 == 0);
}

size_t kh_relations_exit_row(const kh_indrow_t *exit, size_t n, int32_t kommnr, int32_t key2)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (exit[mid].kommnr < kommnr || (exit[mid].kommnr == kommnr && exit[mid].key2 < key2))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && exit[lo].kommnr == kommnr && exit[lo].key2 == key2 ? lo : SIZE_MAX;
}
