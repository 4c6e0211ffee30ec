/* msg.h - the message schema between kohort's processes and its MessagePack
 * codec. This is the only code that packs or unpacks messages.
 *
 * Every message is one MessagePack array: [kind, run id, table, sequence
 * number, body...]. Rows travel in batches held by column (bins of
 * little-endian fixed-width values), never one message per row. A decoder
 * checks every type and length before it trusts it; a message that fails a
 * check is rejected whole with KH_E_DECODE. */
#ifndef KH_MSG_H
#define KH_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "proto/fileid.h"
#include "proto/rows.h"
#include "proto/schema.h"

#define KH_RUN_ID_MAX 40
#define KH_NAME_MAX 64
#define KH_FILE_MAX 128
#define KH_REASON_MAX 512
/* Extra columns are allowed; this bounds what a decoder believes (a header
 * line of 2^20 fields is at least 1 MiB, the default line limit). */
#define KH_MAX_HEADER_FIELDS (1 << 20)

typedef enum {
    KH_MSG_RAW = 1,   /* ingest -> validate: raw records of one table */
    KH_MSG_ROWS,      /* validate -> anonymise -> link: validated rows */
    KH_MSG_EOT,       /* ingest -> ... -> link: end of a table */
    KH_MSG_REJECTS,   /* validate, link -> sink: rejected rows */
    KH_MSG_ACK,       /* link -> ingest: a batch (or an end-of-table) taken in */
    KH_MSG_PERSONS,   /* link -> aggregate: person facts */
    KH_MSG_REFDATA,   /* link -> aggregate: reference rows */
    KH_MSG_LEDGER,    /* link -> aggregate -> sink: the run's counts */
    KH_MSG_INDROWS,   /* aggregate -> sink: rows of one indicator table */
    KH_MSG_STATS,     /* every stage -> run: counters and state */
    KH_MSG_RESULT,    /* sink -> run: committed (or not) */
    KH_MSG_FAIL,      /* any stage -> run: a fatal error, one sentence */
    KH_MSG_RESEND,    /* run -> ingest: a worker died; send everything unacknowledged again */
    KH_MSG_RANGE,     /* ingest -> validate: where raw records of one table lie in their file */
    KH_MSG_KIND_MAX
} kh_msgkind_t;

/* The envelope of every message. */
typedef struct {
    kh_msgkind_t kind;
    char run[KH_RUN_ID_MAX];
    int32_t table;      /* kh_table_t, kh_indtable_t, or -1 */
    uint64_t seq;       /* batch number within the table (0-based) */
} kh_env_t;

/* Which file a table came from and how its header names the columns.
 * Travels with every batch so that any stage can name a column. */
typedef struct {
    char file[KH_FILE_MAX];             /* name on disk: "f_intro.csv.gz" */
    int32_t header_nfields;             /* fields in the header line */
    int32_t colmap[KH_MAX_COLS];        /* canonical column -> header field index */
    char colname[KH_MAX_COLS][KH_NAME_MAX]; /* canonical column -> name as in the header */
} kh_tablemeta_t;

/* Raw records of one table, as ingest split them. Owns its memory. */
typedef struct {
    kh_tablemeta_t meta;
    uint32_t nrows, cap;
    uint32_t *lines;    /* physical line where each record starts */
    uint8_t *flags;     /* KH_RAW_TOO_LONG, KH_RAW_OUT_OF_SCOPE */
    uint32_t *offs;     /* nrows + 1 offsets into data */
    char *data;
    size_t len, data_cap;
} kh_raw_t;

#define KH_RAW_TOO_LONG 1u
/* The record's person id is in no f_intro row and connected to none through
 * id_historikk (ingest/scope.h): once judged, the row may be dropped. */
#define KH_RAW_OUT_OF_SCOPE 2u

/* Caller owns result; free with kh_raw_destroy(). */
kh_raw_t *kh_raw_new(void);
void kh_raw_destroy(kh_raw_t **raw);
void kh_raw_clear(kh_raw_t *raw);
/* Appends one record (copied). */
void kh_raw_append(kh_raw_t *raw, uint32_t line, uint8_t flags, const char *data, size_t len);
/* Room for `rows` records and `bytes` of data. */
void kh_raw_reserve(kh_raw_t *raw, uint32_t rows, size_t bytes);
/* Appends one record by its flags alone: a RANGE batch in the making,
 * whose records stay in their file (only nrows and flags are kept).
 * Inline: ingest calls it for every record. */
static inline void kh_raw_append_flags(kh_raw_t *raw, uint8_t flags)
{
    if (raw->nrows == raw->cap)
        kh_raw_reserve(raw, raw->nrows + 1, 0);
    raw->flags[raw->nrows++] = flags;
}

/* A batch of raw records that stayed in their file: a plain (not gzip)
 * extract file, which the validator reads and splits itself
 * (transform/rangeread.h), so that the bytes never cross a socket. Ingest
 * split the file first: the range starts and ends at record boundaries,
 * and what it found travels along to be checked against. Owns `flags`. */
typedef struct {
    kh_tablemeta_t meta;        /* meta.file: the file's name in the extract directory */
    kh_fileid_t id;             /* the file as ingest opened it */
    uint64_t off, len;          /* the bytes [off, off + len) of the file */
    uint32_t line;              /* the physical line at off */
    uint64_t line_limit;        /* the splitter's line limit (csvsplit.h) */
    uint32_t nrows;             /* records ingest found in the range */
    uint8_t *flags;             /* nrows flags, as kh_raw_t.flags */
} kh_range_t;

/* Caller owns result; free with kh_range_destroy() (accepts NULL). */
kh_range_t *kh_range_new(uint32_t nrows);
void kh_range_destroy(kh_range_t **range);

/* End of a table: what the sender sent of it. */
typedef struct {
    uint64_t batches;
    uint64_t rows;       /* records read from the file */
    uint64_t bytes;      /* bytes of the file on disk */
    uint32_t crc32;      /* CRC-32 of the file's (decompressed) content */
    int32_t present;     /* 0: an optional file that was absent */
    char file[KH_FILE_MAX];
} kh_eot_t;

/* One rejected row, as the quarantine keeps it. */
typedef struct {
    uint32_t line;
    int32_t reason;                 /* kh_reason_t */
    char column[KH_NAME_MAX];       /* header name; empty for whole-row reasons */
    char value[KH_NAME_MAX];        /* masked when it is an id; empty from the linker */
} kh_rejected_t;

typedef struct {
    char file[KH_FILE_MAX];
    uint32_t n, cap;
    kh_rejected_t *items;             /* owned */
} kh_rejects_t;

void kh_rejects_init(kh_rejects_t *r, const char *file);
void kh_rejects_free(kh_rejects_t *r);
kh_rejected_t *kh_rejects_add(kh_rejects_t *r);

/* Reference rows the aggregator needs (texts are normalised decimals). */
typedef struct { int32_t landbakgrunn, kjonn; char andel[KH_NAME_MAX]; } kh_ref_monitor_t;
typedef struct { int32_t year; char andel[KH_NAME_MAX]; } kh_ref_national_t;
typedef struct { int32_t kommnr, year; char total[KH_NAME_MAX], admin[KH_NAME_MAX], persons[KH_NAME_MAX]; } kh_ref_cost_t;
/* A municipality's name from ref_kommunenavn (linker -> aggregator -> sink,
 * stored with the run's reference year for the output commands). */
typedef struct { int32_t kommnr; char navn[KH_NAVN_BYTES]; } kh_ref_name_t;

typedef struct {
    uint32_t nmonitor, nnational, ncost, nnames;
    kh_ref_monitor_t *monitor;
    kh_ref_national_t *national;
    kh_ref_cost_t *cost;
    kh_ref_name_t *names;      /* by kommnr, each code once */
} kh_refdata_t;

void kh_refdata_free(kh_refdata_t *r);

/* Per-table counts of the run ledger. */
typedef struct {
    int32_t present;
    uint64_t batches, read, accepted, rejected, out_of_scope, bytes;
    uint32_t crc32;      /* CRC-32 of the file's (decompressed) content */
    char file[KH_FILE_MAX];
} kh_tablecount_t;

/* What disclosure control did to one indicator table of the run's year
 * (spec/indicators.md 7): base and count cells suppressed by each step, a
 * row suppressed whole counting as its base and every count cell. */
typedef struct {
    int32_t present;     /* 1: the table is under disclosure control */
    uint64_t primary, lines, protection, across_years, narrow;
} kh_suppression_t;

/* More reference years than a store can hold (query takes 1900..2100). */
#define KH_LEDGER_MAX_YEARS 256

typedef struct {
    int32_t ref_year, cohort_from, cohort_to;
    uint64_t participants, placed, no_home, ambiguous_kommune;
    kh_tablecount_t tables[KH_TAB_COUNT];
    /* Filled by the aggregator (has_suppression 1); absent from the ledger
     * the linker sends, from failed runs and from records written before
     * step 7.4 existed. */
    int32_t has_suppression;
    kh_suppression_t suppression[KH_IND_COUNT];
    uint64_t suppressed_elsewhere;   /* base/count cells of other years newly suppressed */
    uint32_t nchanged_years;         /* other reference years this run rewrote (7.4) */
    int32_t changed_years[KH_LEDGER_MAX_YEARS];
} kh_ledger_t;

/* Stage states, as top and status show them. */
typedef enum { KH_ST_STARTING = 0, KH_ST_READY, KH_ST_WAITING, KH_ST_WORKING,
               KH_ST_DRAINING, KH_ST_DONE, KH_ST_FAILED, KH_ST_COUNT } kh_state_t;
const char *kh_state_name(int state);

typedef struct {
    uint64_t batches_in, rows_in, batches_out, rows_out, rows_rejected;
    uint64_t bytes_read;   /* ingest: bytes of the file on disk consumed so far */
} kh_tablestats_t;

typedef struct {
    char stage[KH_NAME_MAX];
    int32_t worker;
    int32_t pid;
    int32_t state;
    uint64_t rss_bytes, busy_ns, uptime_ns;
    kh_tablestats_t tables[KH_TAB_COUNT];
} kh_stats_t;

/* A decoded message. Owned parts are freed by kh_msg_free(). */
typedef struct {
    kh_env_t env;
    kh_tablemeta_t meta;          /* RAW, ROWS */
    kh_raw_t *raw;                /* RAW */
    kh_range_t *range;            /* RANGE */
    kh_rows_t *rows;              /* ROWS */
    uint32_t rejected;            /* ROWS: rows of the input batch the validator rejected */
    kh_eot_t eot;                 /* EOT; ACK of an end-of-table uses eot.rows */
    int32_t ack_eot;              /* ACK: 1 when it acknowledges the end-of-table */
    kh_rejects_t rejects;         /* REJECTS */
    kh_person_t *persons;         /* PERSONS */
    uint32_t npersons;
    int32_t last;                 /* PERSONS, INDROWS: 1 on the last message of the kind */
    int32_t ref_year;             /* INDROWS: the reference year the rows belong to */
    kh_refdata_t ref;             /* REFDATA */
    kh_ledger_t ledger;           /* LEDGER, RESULT */
    kh_indrow_t *indrows;         /* INDROWS */
    uint32_t nindrows;
    kh_stats_t stats;             /* STATS */
    int32_t ok;                   /* RESULT */
    char reason[KH_REASON_MAX];   /* RESULT, FAIL */
} kh_msg_t;

/* A packed message ready to send. Owns its bytes. */
typedef struct {
    char *data;
    size_t len;
} kh_packed_t;

/* Packing: each returns a packed message; caller owns packed->data (free()
 * or hand to kh_sock_send_packed, which takes it over). */
void kh_msg_pack_raw(kh_packed_t *out, const kh_env_t *env, const kh_raw_t *raw);
void kh_msg_pack_range(kh_packed_t *out, const kh_env_t *env, const kh_range_t *range);
void kh_msg_pack_rows(kh_packed_t *out, const kh_env_t *env, const kh_tablemeta_t *meta,
                      const kh_rows_t *rows, uint32_t rejected);
void kh_msg_pack_eot(kh_packed_t *out, const kh_env_t *env, const kh_eot_t *eot);
void kh_msg_pack_rejects(kh_packed_t *out, const kh_env_t *env, const kh_rejects_t *rej);
void kh_msg_pack_ack(kh_packed_t *out, const kh_env_t *env, int eot);
void kh_msg_pack_persons(kh_packed_t *out, const kh_env_t *env, const kh_person_t *p,
                         uint32_t n, int last);
void kh_msg_pack_refdata(kh_packed_t *out, const kh_env_t *env, const kh_refdata_t *ref);
void kh_msg_pack_ledger(kh_packed_t *out, const kh_env_t *env, const kh_ledger_t *ledger);
/* Rows of indicator table env->table of reference year ref_year (the run's
 * year, or another stored year that step 7.4 changed); `last` ends that
 * (year, table). */
void kh_msg_pack_indrows(kh_packed_t *out, const kh_env_t *env, int ref_year,
                         const kh_indrow_t *rows, uint32_t n, int last);
void kh_msg_pack_stats(kh_packed_t *out, const kh_env_t *env, const kh_stats_t *st);
void kh_msg_pack_result(kh_packed_t *out, const kh_env_t *env, int ok, const char *reason,
                        const kh_ledger_t *ledger);
void kh_msg_pack_fail(kh_packed_t *out, const kh_env_t *env, const char *reason);
void kh_msg_pack_resend(kh_packed_t *out, const kh_env_t *env);

/* Decodes one message of `len` bytes into *msg (zeroed first). Returns 0 or
 * KH_E_DECODE; on error *msg holds nothing to free. On success free with
 * kh_msg_free(). */
int kh_msg_unpack(const char *data, size_t len, kh_msg_t *msg);
void kh_msg_free(kh_msg_t *msg);

/* Packs a decoded message again, by its kind (the kh_msg_pack_<kind>() of
 * env.kind). Caller owns out->data, as above. */
void kh_msg_pack(kh_packed_t *out, const kh_msg_t *msg);

/* 1 when two messages kh_msg_unpack() decoded hold the same envelope and
 * the same body, else 0. */
int kh_msg_equal(const kh_msg_t *a, const kh_msg_t *b);

/* Fills an envelope. */
void kh_env_set(kh_env_t *env, kh_msgkind_t kind, const char *run, int table, uint64_t seq);

#endif
