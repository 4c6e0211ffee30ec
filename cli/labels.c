/* labels.c - labels and units of the indicator columns; see labels.h. One
 * table per indicator table, in the schema's column order (a static assert
 * keeps the counts in step). */
#include "cli/labels.h"

#include <string.h>

static const kh_label_t exit_labels[] = {
    {"exits", "persons"},
    {"attained work or education at exit", "persons"},
    {"went to work", "persons"},
    {"went to education", "persons"},
    {"goal attainment at exit", "share"},
    {"on parental leave at exit", "persons"},
    {"goal attainment, parental leave left out", "share"},
    {"mean programme length", "days"},
    {"programme extended beyond two years", "persons"},
    {"share extended", "share"},
    {"predicted goal attainment", "share"},
    {"attainment above prediction", "share"},
};
static const kh_label_t status_labels[] = {
    {"persons still living in the municipality", "persons"},
    {"in work", "persons"},
    {"in education", "persons"},
    {"in work or education", "persons"},
    {"share in work or education", "share"},
    {"social assistance recipients", "persons"},
    {"share on social assistance", "share"},
    {"social assistance paid", "NOK"},
    {"social assistance per recipient", "NOK"},
};
static const kh_label_t cost_labels[] = {
    {"spending per person in the target group", "NOK"},
    {"spending index (mean of the year = 100)", "index"},
    {"administration index (mean of the year = 100)", "index"},
    {"spending per attained exit", "NOK"},
};
static const kh_label_t followup_labels[] = {
    {"persons living in Norway", "persons"},
    {"in work (November)", "persons"},
    {"in education", "persons"},
    {"in work or education", "persons"},
    {"share in work or education", "share"},
    {"social assistance recipients", "persons"},
    {"share on social assistance", "share"},
    {"moved from the municipality", "persons"},
    {"share moved", "share"},
};
_Static_assert(sizeof exit_labels / sizeof exit_labels[0] == KH_EXIT_NCOLS, "exit labels");
_Static_assert(sizeof status_labels / sizeof status_labels[0] == KH_STATUS_NCOLS, "status labels");
_Static_assert(sizeof cost_labels / sizeof cost_labels[0] == KH_COST_NCOLS, "cost labels");
_Static_assert(sizeof followup_labels / sizeof followup_labels[0] == KH_FOLLOWUP_NCOLS,
               "followup labels");

const kh_label_t *kh_label_column(kh_indtable_t table, int col)
{
    static const kh_label_t unknown = {"value", ""};
    const kh_indtabledef_t *def = kh_schema_indtable(table);
    if (!def || col < 0 || col >= def->ncols)
        return &unknown;
    switch (table) {
    case KH_IND_EXIT: return &exit_labels[col];
    case KH_IND_STATUS: return &status_labels[col];
    case KH_IND_COST: return &cost_labels[col];
    case KH_IND_FOLLOWUP: return &followup_labels[col];
    default: return &unknown;
    }
}

const char *kh_label_key(const char *key)
{
    static const struct { const char *key, *label; } keys[] = {
        {"ref_year", "reference year"}, {"kommnr", "municipality"}, {"cohort", "exit cohort"},
        {"year", "year"}, {"horizon", "years after exit"}, {"kjonn", "gender"},
        {"contents", "indicator"},
    };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (strcmp(keys[i].key, key) == 0)
            return keys[i].label;
    return key;
}

const char *kh_label_key_value(const char *key, int v)
{
    if (strcmp(key, "kommnr") == 0 && v == 0)
        return "all municipalities";
    if (strcmp(key, "cohort") == 0 && v == 0)
        return "all cohorts";
    if (strcmp(key, "kjonn") == 0) {
        static const char *const kjonn[] = {"men and women", "men", "women"};
        if (v >= 0 && v <= 2)
            return kjonn[v];
        if (v == 9)
            return "gender unknown";
    }
    if (strcmp(key, "horizon") == 0) {
        static const char *const horizon[] = {NULL, "1 year after exit", "2 years after exit", NULL,
                                              NULL, "5 years after exit"};
        if (v >= 1 && v <= 5)
            return horizon[v];
    }
    return NULL;
}
