/* schema.h - the tables kohort reads and writes, and their columns.
 *
 * Every stage shares this description: the register tables of
 * spec/extracts.md with their canonical columns and value types, the
 * indicator tables of spec/indicators.md with their printed columns, and the
 * person facts the linker hands to the aggregator. Static data only. */
#ifndef KH_SCHEMA_H
#define KH_SCHEMA_H

#include <stdint.h>
#include <stddef.h>

/* A missing value ("empty field") in any int64 column. */
#define KH_NULL INT64_MIN
/* The `*` wildcard of ref_monitor's landbakgrunn and kjonn columns. */
#define KH_STAR (-1)

/* Register tables, in the order ingest sends them: reference tables and
 * identity history first, then the programme table, then the population
 * tables (the linker needs f_intro complete before it can drop rows of
 * people out of scope). A table added later goes at the end (after the
 * population tables: ref_kommunenavn is needed only by the sink), so that
 * the numbers of the others, which stored ledger entries and quarantine keys
 * hold, never change. */
typedef enum {
    KH_TAB_REF_KOMMUNEENDRINGER = 0,
    KH_TAB_REF_MONITOR,
    KH_TAB_REF_NASJONAL,
    KH_TAB_REF_KOSTNADER,
    KH_TAB_ID_HISTORIKK,
    KH_TAB_F_INTRO,
    KH_TAB_BOSATTE,
    KH_TAB_BEFOLKNING,
    KH_TAB_UTDANNING,
    KH_TAB_SHJ,
    KH_TAB_F_JOBBER,
    KH_TAB_REF_KOMMUNENAVN,
    KH_TAB_COUNT
} kh_table_t;

/* The tables a store written before ref_kommunenavn existed counts. */
#define KH_TAB_COUNT_V1 KH_TAB_REF_KOMMUNENAVN

/* One field of a CSV record: borrowed bytes, not NUL-terminated. */
typedef struct {
    const char *data;
    size_t len;
} kh_field_t;

/* Value types of a validated column.
 *  KH_COL_ID   national id: the 11 digits as int64 before the anonymiser,
 *              a 16-byte pseudonym after it.
 *  KH_COL_DATE days since 1970-01-01 (proto/date.h), KH_NULL when empty.
 *  KH_COL_INT  an integer (year, code, amount); KH_NULL when empty,
 *              KH_STAR for `*` where the table allows it.
 *  KH_COL_DEC  a non-negative decimal kept as text, normalised to digits
 *              with at most one '.' (a ',' separator becomes '.'), so that
 *              exact arithmetic stays possible downstream.
 *  KH_COL_TEXT UTF-8 text as given (trimmed): a municipality's name.
 * DEC and TEXT columns travel as texts, the others as int64 values. */
typedef enum { KH_COL_ID = 0, KH_COL_DATE, KH_COL_INT, KH_COL_DEC, KH_COL_TEXT } kh_coltype_t;

#define KH_COL_IS_TEXT(type) ((type) == KH_COL_DEC || (type) == KH_COL_TEXT)

/* ref_kommunenavn's navn: at most this many characters (code points), so
 * at most KH_NAVN_BYTES bytes with its NUL. */
#define KH_NAVN_MAX_CHARS 100
#define KH_NAVN_BYTES (4 * KH_NAVN_MAX_CHARS + 1)

typedef struct {
    const char *name;      /* lower-case header name as in extracts.md */
    kh_coltype_t type;
    int optional;          /* 1: the field may be empty */
} kh_column_t;

#define KH_MAX_COLS 8
#define KH_MAX_KEYS 2

typedef struct {
    const char *name;      /* "f_intro": file name without .csv */
    int required;          /* 1: the file must be present */
    int reference;         /* 1: reference table (no personal data) */
    int ncols;
    kh_column_t cols[KH_MAX_COLS];
    /* A reference table's key: the columns whose values may occur together
     * in one row only (a second row is a duplicate), in comparison order.
     * 0 keys for the other tables. The validator and the linker judge
     * duplicates by these. */
    int nkeys;
    int keys[KH_MAX_KEYS];
} kh_tabledef_t;

/* Column indexes within each table's canonical order. */
enum { KH_F_INTRO_FNR, KH_F_INTRO_STARTDATO, KH_F_INTRO_AVGANGSDATO, KH_F_INTRO_SLUTTSTATUS };
enum { KH_BOSATTE_FNR, KH_BOSATTE_AAR, KH_BOSATTE_KOMMNR };
enum { KH_SHJ_FNR, KH_SHJ_AAR, KH_SHJ_BELOP };
enum { KH_UTDANNING_FNR, KH_UTDANNING_AAR, KH_UTDANNING_NUS2000 };
enum { KH_F_JOBBER_FNR, KH_F_JOBBER_ORGNR, KH_F_JOBBER_STARTDATO, KH_F_JOBBER_SLUTTDATO };
enum { KH_BEFOLKNING_FNR, KH_BEFOLKNING_KJONN, KH_BEFOLKNING_FODSELSDATO, KH_BEFOLKNING_LANDBAKGRUNN };
enum { KH_ID_HISTORIKK_GAMMELT_ID, KH_ID_HISTORIKK_NYTT_ID };
enum { KH_REF_MONITOR_LANDBAKGRUNN, KH_REF_MONITOR_KJONN, KH_REF_MONITOR_ANDEL };
enum { KH_REF_NASJONAL_AAR, KH_REF_NASJONAL_ANDEL };
enum { KH_REF_KOSTNADER_KOMMNR, KH_REF_KOSTNADER_AAR, KH_REF_KOSTNADER_UTGIFTER_TOTALT,
       KH_REF_KOSTNADER_UTGIFTER_ADMIN, KH_REF_KOSTNADER_PERSONER_MALGRUPPE };
enum { KH_REF_KOMMUNEENDRINGER_GAMMEL, KH_REF_KOMMUNEENDRINGER_NY, KH_REF_KOMMUNEENDRINGER_DATO };
enum { KH_REF_KOMMUNENAVN_KOMMNR, KH_REF_KOMMUNENAVN_NAVN };

/* Borrowed: static, valid for the life of the process. */
const kh_tabledef_t *kh_schema_table(kh_table_t table);

/* 1 for a population table: a person's rows after f_intro (bosatte on, not
 * a reference table), kept only for people in scope; person id first. */
int kh_schema_is_population(kh_table_t table);

/* The table whose file name (without .csv / .csv.gz) is `name`, or -1. */
int kh_schema_table_by_name(const char *name);

/* Index of column `name` (matched case-insensitively, length `len`) in
 * `table`'s canonical order, or -1. */
int kh_schema_column(kh_table_t table, const char *name, size_t len);

/* ---- Person facts: what the linker hands to the aggregator ---------------
 * Table `followup` (spec/indicators.md 8) looks at status years Y = C + h
 * for these horizons h, in this order. */
#define KH_FOLLOWUP_NHORIZONS 3
extern const int kh_followup_horizons[KH_FOLLOWUP_NHORIZONS];   /* 1, 2, 5 */

/* Facts of one status year Y, as bits of kh_person_t.followup[]. Every
 * other bit is 0; without KH_FU_IN_NORWAY every bit is 0. */
#define KH_FU_IN_NORWAY 0x01u   /* a bosatte row for Y (any municipality) */
#define KH_FU_MOVED 0x02u       /* that row's carried-forward code is not H */
#define KH_FU_WORK 0x04u        /* a job overlapping November of Y */
#define KH_FU_EDUCATION 0x08u   /* a utdanning row for Y with level 3-8 */
#define KH_FU_SA 0x10u          /* summed shj for Y above 0 */
#define KH_FU_ALL 0x1fu

/* One record per placed person: a participant whose latest exit falls in the
 * cohort window and whose home municipality could be carried forward. */
typedef struct {
    int32_t cohort;        /* exit year C */
    int32_t home;          /* municipality H, carried forward to R's codes */
    int32_t status;        /* sluttstatus of the latest exit */
    int32_t start_date;    /* startdato, days since 1970-01-01 */
    int32_t exit_date;     /* avgangsdato, days since 1970-01-01 */
    int32_t resident;      /* 1: lives in H on 1 January of R */
    int32_t work;          /* 1: a job overlapping year R */
    int32_t education;     /* 1: utdanning row for R with level 3-8 */
    int64_t sa_amount;     /* summed shj belop for R, NOK */
    int32_t landbakgrunn;  /* befolkning country code, -1 when no row */
    int32_t kjonn;         /* befolkning 1/2, -1 when no row */
    uint8_t followup[KH_FOLLOWUP_NHORIZONS]; /* KH_FU_* bits per horizon of
                                              kh_followup_horizons; 0 when
                                              C + h > R or not in Norway */
} kh_person_t;

/* ---- Indicator tables ------------------------------------------------------ */
typedef enum { KH_IND_EXIT = 0, KH_IND_STATUS, KH_IND_COST, KH_IND_FOLLOWUP,
               KH_IND_COUNT } kh_indtable_t;

/* A stored cell is an int64 scaled by 10^scale (shares scale 4, one-decimal
 * figures scale 1, counts and NOK scale 0), or absent (suppressed or
 * unavailable). */
typedef struct {
    const char *name;
    int scale;
} kh_indcol_t;

#define KH_IND_MAX_COLS 16

typedef struct {
    const char *name;      /* "exit", "status", "cost", "followup" */
    const char *key2;      /* name of the second key column: "cohort" or "year" */
    const char *key3, *key4; /* followup's "horizon" and "kjonn"; NULL elsewhere */
    int ncols;             /* value columns, without `suppressed` */
    kh_indcol_t cols[KH_IND_MAX_COLS];
} kh_indtabledef_t;

enum { KH_EXIT_EXITS, KH_EXIT_ATTAINED, KH_EXIT_TO_WORK, KH_EXIT_TO_EDUCATION,
       KH_EXIT_ATTAINED_SHARE, KH_EXIT_PARENTAL_LEAVE, KH_EXIT_ATTAINED_SHARE_ADJUSTED,
       KH_EXIT_MEAN_DURATION_DAYS, KH_EXIT_EXTENDED, KH_EXIT_EXTENDED_SHARE,
       KH_EXIT_PREDICTED_SHARE, KH_EXIT_RESIDUAL, KH_EXIT_NCOLS };
enum { KH_STATUS_PERSONS, KH_STATUS_WORK, KH_STATUS_EDUCATION, KH_STATUS_WORK_OR_EDUCATION,
       KH_STATUS_WORK_OR_EDUCATION_SHARE, KH_STATUS_SA_RECIPIENTS, KH_STATUS_SA_SHARE,
       KH_STATUS_SA_TOTAL, KH_STATUS_SA_MEAN_PER_RECIPIENT, KH_STATUS_NCOLS };
enum { KH_COST_COST_PER_PERSON, KH_COST_COST_INDEX, KH_COST_ADMIN_INDEX,
       KH_COST_COST_PER_ATTAINED, KH_COST_NCOLS };
enum { KH_FOLLOWUP_PERSONS, KH_FOLLOWUP_WORK, KH_FOLLOWUP_EDUCATION,
       KH_FOLLOWUP_WORK_OR_EDUCATION, KH_FOLLOWUP_WORK_OR_EDUCATION_SHARE,
       KH_FOLLOWUP_SA_RECIPIENTS, KH_FOLLOWUP_SA_SHARE, KH_FOLLOWUP_MOVED,
       KH_FOLLOWUP_MOVED_SHARE, KH_FOLLOWUP_NCOLS };

/* Number of key columns of `table` after ref_year: 4 for followup (kommnr,
 * cohort, horizon, kjonn), else 2. */
int kh_schema_indkeys(kh_indtable_t table);

/* Borrowed: static. */
const kh_indtabledef_t *kh_schema_indtable(kh_indtable_t table);

/* One indicator row: key, cells (present[i] == 0 means empty), suppressed flag. */
typedef struct {
    int32_t kommnr;        /* 0 = all municipalities (printed 0000) */
    int32_t key2;          /* cohort or year; 0 = all cohorts (0000) */
    int32_t key3;          /* followup's horizon (1, 2, 5); 0 in other tables */
    int32_t key4;          /* followup's kjonn (0 = all, 1, 2, 9); 0 in other tables */
    int32_t suppressed;    /* 1 when any cell was suppressed */
    uint32_t suppressed_mask; /* bit i: cell i is empty because it was suppressed
                                 (not merely unavailable) */
    uint8_t present[KH_IND_MAX_COLS];
    int64_t value[KH_IND_MAX_COLS];
} kh_indrow_t;

#endif
