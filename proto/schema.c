/* schema.c - static descriptions of the register and indicator tables.
 * See schema.h. */
#include "proto/schema.h"

#include <string.h>
#include <strings.h>

/* Columns are indexed by their enum (schema.h), so that a column listed out
 * of order fails to compile rather than to match. */
static const kh_tabledef_t tables[KH_TAB_COUNT] = {
    [KH_TAB_REF_KOMMUNEENDRINGER] = {
        .name = "ref_kommuneendringer", .reference = 1, .ncols = 3,
        .cols = {
            [KH_REF_KOMMUNEENDRINGER_GAMMEL] = {"gammel", KH_COL_INT, 0},
            [KH_REF_KOMMUNEENDRINGER_NY] = {"ny", KH_COL_INT, 0},
            [KH_REF_KOMMUNEENDRINGER_DATO] = {"dato", KH_COL_DATE, 0}},
        .nkeys = 2, .keys = {KH_REF_KOMMUNEENDRINGER_GAMMEL, KH_REF_KOMMUNEENDRINGER_NY}},
    [KH_TAB_REF_MONITOR] = {
        .name = "ref_monitor", .reference = 1, .ncols = 3,
        .cols = {
            [KH_REF_MONITOR_LANDBAKGRUNN] = {"landbakgrunn", KH_COL_INT, 0},
            [KH_REF_MONITOR_KJONN] = {"kjonn", KH_COL_INT, 0},
            [KH_REF_MONITOR_ANDEL] = {"andel", KH_COL_DEC, 0}},
        .nkeys = 2, .keys = {KH_REF_MONITOR_LANDBAKGRUNN, KH_REF_MONITOR_KJONN}},
    [KH_TAB_REF_NASJONAL] = {
        .name = "ref_nasjonal", .reference = 1, .ncols = 2,
        .cols = {
            [KH_REF_NASJONAL_AAR] = {"aar", KH_COL_INT, 0},
            [KH_REF_NASJONAL_ANDEL] = {"andel", KH_COL_DEC, 0}},
        .nkeys = 1, .keys = {KH_REF_NASJONAL_AAR}},
    [KH_TAB_REF_KOSTNADER] = {
        .name = "ref_kostnader", .reference = 1, .ncols = 5,
        .cols = {
            [KH_REF_KOSTNADER_KOMMNR] = {"kommnr", KH_COL_INT, 0},
            [KH_REF_KOSTNADER_AAR] = {"aar", KH_COL_INT, 0},
            [KH_REF_KOSTNADER_UTGIFTER_TOTALT] = {"utgifter_totalt", KH_COL_DEC, 0},
            [KH_REF_KOSTNADER_UTGIFTER_ADMIN] = {"utgifter_admin", KH_COL_DEC, 0},
            [KH_REF_KOSTNADER_PERSONER_MALGRUPPE] = {"personer_malgruppe", KH_COL_DEC, 0}},
        .nkeys = 2, .keys = {KH_REF_KOSTNADER_KOMMNR, KH_REF_KOSTNADER_AAR}},
    [KH_TAB_ID_HISTORIKK] = {
        .name = "id_historikk", .ncols = 2,
        .cols = {
            [KH_ID_HISTORIKK_GAMMELT_ID] = {"gammelt_id", KH_COL_ID, 0},
            [KH_ID_HISTORIKK_NYTT_ID] = {"nytt_id", KH_COL_ID, 0}}},
    [KH_TAB_F_INTRO] = {
        .name = "f_intro", .required = 1, .ncols = 4,
        .cols = {
            [KH_F_INTRO_FNR] = {"fnr", KH_COL_ID, 0},
            [KH_F_INTRO_STARTDATO] = {"startdato", KH_COL_DATE, 0},
            [KH_F_INTRO_AVGANGSDATO] = {"avgangsdato", KH_COL_DATE, 1},
            [KH_F_INTRO_SLUTTSTATUS] = {"sluttstatus", KH_COL_INT, 1}}},
    [KH_TAB_BOSATTE] = {
        .name = "bosatte", .required = 1, .ncols = 3,
        .cols = {
            [KH_BOSATTE_FNR] = {"fnr", KH_COL_ID, 0},
            [KH_BOSATTE_AAR] = {"aar", KH_COL_INT, 0},
            [KH_BOSATTE_KOMMNR] = {"kommnr", KH_COL_INT, 0}}},
    [KH_TAB_BEFOLKNING] = {
        .name = "befolkning", .required = 1, .ncols = 4,
        .cols = {
            [KH_BEFOLKNING_FNR] = {"fnr", KH_COL_ID, 0},
            [KH_BEFOLKNING_KJONN] = {"kjonn", KH_COL_INT, 0},
            [KH_BEFOLKNING_FODSELSDATO] = {"fodselsdato", KH_COL_DATE, 0},
            [KH_BEFOLKNING_LANDBAKGRUNN] = {"landbakgrunn", KH_COL_INT, 0}}},
    [KH_TAB_UTDANNING] = {
        .name = "utdanning", .required = 1, .ncols = 3,
        .cols = {
            [KH_UTDANNING_FNR] = {"fnr", KH_COL_ID, 0},
            [KH_UTDANNING_AAR] = {"aar", KH_COL_INT, 0},
            [KH_UTDANNING_NUS2000] = {"nus2000", KH_COL_INT, 0}}},
    [KH_TAB_SHJ] = {
        .name = "shj", .required = 1, .ncols = 3,
        .cols = {
            [KH_SHJ_FNR] = {"fnr", KH_COL_ID, 0},
            [KH_SHJ_AAR] = {"aar", KH_COL_INT, 0},
            [KH_SHJ_BELOP] = {"belop", KH_COL_INT, 0}}},
    [KH_TAB_F_JOBBER] = {
        .name = "f_jobber", .required = 1, .ncols = 4,
        .cols = {
            [KH_F_JOBBER_FNR] = {"fnr", KH_COL_ID, 0},
            [KH_F_JOBBER_ORGNR] = {"orgnr", KH_COL_INT, 0},
            [KH_F_JOBBER_STARTDATO] = {"startdato", KH_COL_DATE, 0},
            [KH_F_JOBBER_SLUTTDATO] = {"sluttdato", KH_COL_DATE, 1}}},
    [KH_TAB_REF_KOMMUNENAVN] = {
        .name = "ref_kommunenavn", .reference = 1, .ncols = 2,
        .cols = {
            [KH_REF_KOMMUNENAVN_KOMMNR] = {"kommnr", KH_COL_INT, 0},
            [KH_REF_KOMMUNENAVN_NAVN] = {"navn", KH_COL_TEXT, 0}},
        .nkeys = 1, .keys = {KH_REF_KOMMUNENAVN_KOMMNR}},
};

const kh_tabledef_t *kh_schema_table(kh_table_t table)
{
    if ((int)table < 0 || table >= KH_TAB_COUNT)
        return NULL;
    return &tables[table];
}

int kh_schema_is_population(kh_table_t table)
{
    return table > KH_TAB_F_INTRO && table < KH_TAB_COUNT && !tables[table].reference;
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

/* Scales: shares 4, one-decimal figures 1, counts and NOK 0 (schema.h). */
static const kh_indtabledef_t indtables[KH_IND_COUNT] = {
    [KH_IND_EXIT] = {
        .name = "exit", .key2 = "cohort", .ncols = KH_EXIT_NCOLS,
        .cols = {
            [KH_EXIT_EXITS] = {"exits", 0},
            [KH_EXIT_ATTAINED] = {"attained", 0},
            [KH_EXIT_TO_WORK] = {"to_work", 0},
            [KH_EXIT_TO_EDUCATION] = {"to_education", 0},
            [KH_EXIT_ATTAINED_SHARE] = {"attained_share", 4},
            [KH_EXIT_PARENTAL_LEAVE] = {"parental_leave", 0},
            [KH_EXIT_ATTAINED_SHARE_ADJUSTED] = {"attained_share_adjusted", 4},
            [KH_EXIT_MEAN_DURATION_DAYS] = {"mean_duration_days", 1},
            [KH_EXIT_EXTENDED] = {"extended", 0},
            [KH_EXIT_EXTENDED_SHARE] = {"extended_share", 4},
            [KH_EXIT_PREDICTED_SHARE] = {"predicted_share", 4},
            [KH_EXIT_RESIDUAL] = {"residual", 4}}},
    [KH_IND_STATUS] = {
        .name = "status", .key2 = "cohort", .ncols = KH_STATUS_NCOLS,
        .cols = {
            [KH_STATUS_PERSONS] = {"persons", 0},
            [KH_STATUS_WORK] = {"work", 0},
            [KH_STATUS_EDUCATION] = {"education", 0},
            [KH_STATUS_WORK_OR_EDUCATION] = {"work_or_education", 0},
            [KH_STATUS_WORK_OR_EDUCATION_SHARE] = {"work_or_education_share", 4},
            [KH_STATUS_SA_RECIPIENTS] = {"sa_recipients", 0},
            [KH_STATUS_SA_SHARE] = {"sa_share", 4},
            [KH_STATUS_SA_TOTAL] = {"sa_total", 0},
            [KH_STATUS_SA_MEAN_PER_RECIPIENT] = {"sa_mean_per_recipient", 0}}},
    [KH_IND_COST] = {
        .name = "cost", .key2 = "year", .ncols = KH_COST_NCOLS,
        .cols = {
            [KH_COST_COST_PER_PERSON] = {"cost_per_person", 0},
            [KH_COST_COST_INDEX] = {"cost_index", 1},
            [KH_COST_ADMIN_INDEX] = {"admin_index", 1},
            [KH_COST_COST_PER_ATTAINED] = {"cost_per_attained", 0}}},
    [KH_IND_FOLLOWUP] = {
        .name = "followup", .key2 = "cohort", .key3 = "horizon", .key4 = "kjonn",
        .ncols = KH_FOLLOWUP_NCOLS,
        .cols = {
            [KH_FOLLOWUP_PERSONS] = {"persons", 0},
            [KH_FOLLOWUP_WORK] = {"work", 0},
            [KH_FOLLOWUP_EDUCATION] = {"education", 0},
            [KH_FOLLOWUP_WORK_OR_EDUCATION] = {"work_or_education", 0},
            [KH_FOLLOWUP_WORK_OR_EDUCATION_SHARE] = {"work_or_education_share", 4},
            [KH_FOLLOWUP_SA_RECIPIENTS] = {"sa_recipients", 0},
            [KH_FOLLOWUP_SA_SHARE] = {"sa_share", 4},
            [KH_FOLLOWUP_MOVED] = {"moved", 0},
            [KH_FOLLOWUP_MOVED_SHARE] = {"moved_share", 4}}},
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
