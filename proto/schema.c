/* schema.c - static descriptions of the register and indicator tables.
 * See schema.h. */
#include "schema.h"

#include <string.h>
#include <strings.h>

static const kh_tabledef_t tables[KH_TAB_COUNT] = {
    [KH_TAB_REF_KOMMUNEENDRINGER] = {"ref_kommuneendringer", 0, 1, 3,
        {{"gammel", KH_COL_INT, 0}, {"ny", KH_COL_INT, 0}, {"dato", KH_COL_DATE, 0}}},
    [KH_TAB_REF_MONITOR] = {"ref_monitor", 0, 1, 3,
        {{"landbakgrunn", KH_COL_INT, 0}, {"kjonn", KH_COL_INT, 0}, {"andel", KH_COL_DEC, 0}}},
    [KH_TAB_REF_NASJONAL] = {"ref_nasjonal", 0, 1, 2,
        {{"aar", KH_COL_INT, 0}, {"andel", KH_COL_DEC, 0}}},
    [KH_TAB_REF_KOSTNADER] = {"ref_kostnader", 0, 1, 5,
        {{"kommnr", KH_COL_INT, 0}, {"aar", KH_COL_INT, 0},
         {"utgifter_totalt", KH_COL_DEC, 0}, {"utgifter_admin", KH_COL_DEC, 0},
         {"personer_malgruppe", KH_COL_DEC, 0}}},
    [KH_TAB_ID_HISTORIKK] = {"id_historikk", 0, 0, 2,
        {{"gammelt_id", KH_COL_ID, 0}, {"nytt_id", KH_COL_ID, 0}}},
    [KH_TAB_F_INTRO] = {"f_intro", 1, 0, 4,
        {{"fnr", KH_COL_ID, 0}, {"startdato", KH_COL_DATE, 0},
         {"avgangsdato", KH_COL_DATE, 1}, {"sluttstatus", KH_COL_INT, 1}}},
    [KH_TAB_BOSATTE] = {"bosatte", 1, 0, 3,
        {{"fnr", KH_COL_ID, 0}, {"aar", KH_COL_INT, 0}, {"kommnr", KH_COL_INT, 0}}},
    [KH_TAB_BEFOLKNING] = {"befolkning", 1, 0, 4,
        {{"fnr", KH_COL_ID, 0}, {"kjonn", KH_COL_INT, 0},
         {"fodselsdato", KH_COL_DATE, 0}, {"landbakgrunn", KH_COL_INT, 0}}},
    [KH_TAB_UTDANNING] = {"utdanning", 1, 0, 3,
        {{"fnr", KH_COL_ID, 0}, {"aar", KH_COL_INT, 0}, {"nus2000", KH_COL_INT, 0}}},
    [KH_TAB_SHJ] = {"shj", 1, 0, 3,
        {{"fnr", KH_COL_ID, 0}, {"aar", KH_COL_INT, 0}, {"belop", KH_COL_INT, 0}}},
    [KH_TAB_F_JOBBER] = {"f_jobber", 1, 0, 4,
        {{"fnr", KH_COL_ID, 0}, {"orgnr", KH_COL_INT, 0},
         {"startdato", KH_COL_DATE, 0}, {"sluttdato", KH_COL_DATE, 1}}},
};

const kh_tabledef_t *kh_schema_table(kh_table_t table)
{
    if ((int)table < 0 || table >= KH_TAB_COUNT)
        return NULL;
    return &tables[table];
}

int kh_schema_table_by_name(const char *name)
{
    for (int t = 0; t < KH_TAB_COUNT; t++)
        if (strcmp(tables[t].name, name) == 0)
            return t;
    return -1;
}

int kh_schema_column(kh_table_t table, const char *name, size_t len)
{
    const kh_tabledef_t *def = kh_schema_table(table);
    if (!def)
        return -1;
    for (int c = 0; c < def->ncols; c++)
        if (strlen(def->cols[c].name) == len && strncasecmp(def->cols[c].name, name, len) == 0)
            return c;
    return -1;
}

static const kh_indtabledef_t indtables[KH_IND_COUNT] = {
    [KH_IND_EXIT] = {"exit", "cohort", NULL, NULL, KH_EXIT_NCOLS,
        {{"exits", 0}, {"attained", 0}, {"to_work", 0}, {"to_education", 0},
         {"attained_share", 4}, {"parental_leave", 0}, {"attained_share_adjusted", 4},
         {"mean_duration_days", 1}, {"extended", 0}, {"extended_share", 4},
         {"predicted_share", 4}, {"residual", 4}}},
    [KH_IND_STATUS] = {"status", "cohort", NULL, NULL, KH_STATUS_NCOLS,
        {{"persons", 0}, {"work", 0}, {"education", 0}, {"work_or_education", 0},
         {"work_or_education_share", 4}, {"sa_recipients", 0}, {"sa_share", 4},
         {"sa_total", 0}, {"sa_mean_per_recipient", 0}}},
    [KH_IND_COST] = {"cost", "year", NULL, NULL, KH_COST_NCOLS,
        {{"cost_per_person", 0}, {"cost_index", 1}, {"admin_index", 1},
         {"cost_per_attained", 0}}},
    [KH_IND_FOLLOWUP] = {"followup", "cohort", "horizon", "kjonn", KH_FOLLOWUP_NCOLS,
        {{"persons", 0}, {"work", 0}, {"education", 0}, {"work_or_education", 0},
         {"work_or_education_share", 4}, {"sa_recipients", 0}, {"sa_share", 4},
         {"moved", 0}, {"moved_share", 4}}},
};

const int kh_followup_horizons[KH_FOLLOWUP_NHORIZONS] = {1, 2, 5};

int kh_schema_indkeys(kh_indtable_t table)
{
    return table == KH_IND_FOLLOWUP ? 4 : 2;
}

const kh_indtabledef_t *kh_schema_indtable(kh_indtable_t table)
{
    if ((int)table < 0 || table >= KH_IND_COUNT)
        return NULL;
    return &indtables[table];
}
