/* msg_samples.h - one sample message of every kind (proto/msg.h), packed,
 * for test_msg.c: each field holds a value of its own so that a codec that
 * drops or swaps one shows. Header-only (static inline functions) so that a test
 * program includes it once. */
#ifndef KH_MSG_SAMPLES_H
#define KH_MSG_SAMPLES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/msg.h"
#include "proto/reason.h"

static inline kh_tablemeta_t sample_meta(kh_table_t t)
{
    kh_tablemeta_t m;
    memset(&m, 0, sizeof m);
    const kh_tabledef_t *def = kh_schema_table(t);
    snprintf(m.file, sizeof m.file, "%s.csv.gz", def->name);
    m.header_nfields = def->ncols + 2;
    for (int c = 0; c < def->ncols; c++) {
        m.colmap[c] = def->ncols - c; /* reversed, with an extra field first */
        snprintf(m.colname[c], sizeof m.colname[c], "%s", def->cols[c].name);
    }
    return m;
}

static inline kh_ledger_t sample_ledger_full(void)
{
    kh_ledger_t l;
    memset(&l, 0, sizeof l);
    l.ref_year = 2024;
    l.cohort_from = 2017;
    l.cohort_to = 2024;
    l.participants = 1001;
    l.placed = 990;
    l.no_home = 7;
    l.ambiguous_kommune = 4;
    for (int t = 0; t < KH_TAB_COUNT; t++) {
        kh_tablecount_t *tc = &l.tables[t];
        tc->present = t % 3 != 0;
        tc->batches = 10u + (unsigned)t;
        tc->read = 1000u * (unsigned)t + 1;
        tc->accepted = 900u * (unsigned)t;
        tc->rejected = 3u * (unsigned)t;
        tc->out_of_scope = (unsigned)t;
        tc->bytes = (uint64_t)1 << (20 + t);
        tc->crc32 = 0xdeadbeefu - (unsigned)t;
        snprintf(tc->file, sizeof tc->file, "%s.csv", kh_schema_table((kh_table_t)t)->name);
    }
    l.has_suppression = 1;
    l.suppression[KH_IND_EXIT] = (kh_suppression_t){1, 10, 2, 3, 4, 1};
    l.suppression[KH_IND_FOLLOWUP] = (kh_suppression_t){1, 7, 0, 0, 5, 0};
    l.suppressed_elsewhere = 9;
    l.nchanged_years = 2;
    l.changed_years[0] = 2022;
    l.changed_years[1] = 2023;
    return l;
}

/* The RANGE sample's body (KH_TAB_BOSATTE): every 64-bit field beyond 32
 * bits, the range ending exactly at the file's end (the largest the decoder
 * takes), all four flag combinations. Caller owns result. */
static inline kh_range_t *sample_range(void)
{
    static const uint8_t flags[] = {0, KH_RAW_TOO_LONG, KH_RAW_OUT_OF_SCOPE,
                                    KH_RAW_TOO_LONG | KH_RAW_OUT_OF_SCOPE, 0};
    kh_range_t *r = kh_range_new((uint32_t)sizeof flags);
    r->meta = sample_meta(KH_TAB_BOSATTE);
    /* a plain file's name (only those go as ranges), its bytes as decoded */
    memset(r->meta.file, 0, sizeof r->meta.file);
    snprintf(r->meta.file, sizeof r->meta.file, "bosatte.csv");
    r->id.dev = 0x0000fd0100000803u;
    r->id.ino = 0x123456789au;
    r->id.size = (uint64_t)5 << 32;
    r->id.mtime_ns = 1764670500123456789;
    r->id.ctime_ns = 1764670501987654321;
    r->off = ((uint64_t)5 << 32) - 1048583u;
    r->len = 1048583u;
    r->line = 70001;
    r->line_limit = ((uint64_t)1 << 33) + 7;
    memcpy(r->flags, flags, sizeof flags);
    return r;
}

/* Packs the sample of `kind` into *out (caller owns out->data). */
static inline void sample_pack(kh_msgkind_t kind, kh_packed_t *out)
{
    kh_env_t env;
    switch (kind) {
    case KH_MSG_RAW: {
        kh_env_set(&env, kind, "20261202T101500Z-1a2b", KH_TAB_F_INTRO, 3);
        kh_raw_t *raw = kh_raw_new();
        raw->meta = sample_meta(KH_TAB_F_INTRO);
        kh_raw_append(raw, 2, 0, "a;b;c", 5);
        kh_raw_append(raw, 3, KH_RAW_TOO_LONG, "", 0);
        kh_raw_append(raw, 5, KH_RAW_OUT_OF_SCOPE, "\"x\n;y\";z", 9);
        kh_msg_pack_raw(out, &env, raw);
        kh_raw_destroy(&raw);
        break;
    }
    case KH_MSG_ROWS: {
        /* kostnader has an id-less mix of INT and DEC; f_intro has ID and DATE */
        kh_table_t t = KH_TAB_REF_KOSTNADER;
        kh_env_set(&env, kind, "run-rows", t, 7);
        kh_tablemeta_t meta = sample_meta(t);
        kh_rows_t *rows = kh_rows_new(t, 1);
        const kh_tabledef_t *def = kh_schema_table(t);
        for (uint32_t r = 0; r < 3; r++) {
            int64_t v[KH_MAX_COLS];
            const char *texts[KH_MAX_COLS];
            char buf[KH_MAX_COLS][16];
            for (int c = 0; c < def->ncols; c++) {
                v[c] = 1000 * (int64_t)r + c;
                snprintf(buf[c], sizeof buf[c], "%u.%d", r, c);
                texts[c] = buf[c];
            }
            kh_rows_append(rows, 10 + r, v, texts);
        }
        rows->dropped = 2;
        rows->dropped_aar = 2019;
        kh_msg_pack_rows(out, &env, &meta, rows, 5);
        kh_rows_destroy(&rows);
        break;
    }
    case KH_MSG_EOT: {
        kh_env_set(&env, kind, "run-eot", KH_TAB_BOSATTE, 12);
        kh_eot_t eot = {12, 65537, 1u << 30, 0x1234abcdu, 1, "bosatte.csv"};
        kh_msg_pack_eot(out, &env, &eot);
        break;
    }
    case KH_MSG_REJECTS: {
        kh_env_set(&env, kind, "run-rej", KH_TAB_SHJ, 4);
        kh_rejects_t rej;
        kh_rejects_init(&rej, "shj.csv");
        for (int i = 0; i < 3; i++) {
            kh_rejected_t *r = kh_rejects_add(&rej);
            r->line = 100u + (unsigned)i;
            r->reason = i == 2 ? KH_R_COUNT - 1 : KH_R_FIELD_COUNT + i;
            snprintf(r->column, sizeof r->column, "%s", i ? "belop" : "");
            snprintf(r->value, sizeof r->value, "%s", i ? "12x" : "");
        }
        kh_msg_pack_rejects(out, &env, &rej);
        kh_rejects_free(&rej);
        break;
    }
    case KH_MSG_ACK:
        kh_env_set(&env, kind, "run-ack", KH_TAB_F_JOBBER, 9);
        kh_msg_pack_ack(out, &env, 1);
        break;
    case KH_MSG_PERSONS: {
        kh_env_set(&env, kind, "run-persons", -1, 1);
        kh_person_t ps[2];
        memset(ps, 0, sizeof ps);
        for (int i = 0; i < 2; i++) {
            ps[i].cohort = 2019 + i;
            ps[i].home = 301 + i;
            ps[i].status = 20 + i;
            ps[i].start_date = 17000 + i;
            ps[i].exit_date = 18000 + i;
            ps[i].resident = 1;
            ps[i].work = i;
            ps[i].education = 1 - i;
            ps[i].sa_amount = (int64_t)1 << (33 + i); /* the one 64-bit field */
            ps[i].landbakgrunn = i ? -1 : 242;
            ps[i].kjonn = i ? -1 : 2;
            for (int h = 0; h < KH_FOLLOWUP_NHORIZONS; h++)
                ps[i].followup[h] = (uint8_t)((h + i) & KH_FU_ALL);
        }
        kh_msg_pack_persons(out, &env, ps, 2, 1);
        break;
    }
    case KH_MSG_REFDATA: {
        kh_env_set(&env, kind, "run-ref", -1, 0);
        kh_ref_monitor_t mon[2] = {{242, 1, "0.25"}, {-1, -1, "0.5"}};
        kh_ref_national_t nat[1] = {{2023, "0.61"}};
        kh_ref_cost_t cost[2] = {{301, 2023, "1000.5", "20", "12"}, {4601, 2022, "7", "0", "1"}};
        kh_ref_name_t names[2] = {{301, "Oslo"}, {5501, "Tromsø - Romsa - Tromssa"}};
        kh_refdata_t ref = {2, 1, 2, 2, mon, nat, cost, names};
        kh_msg_pack_refdata(out, &env, &ref);
        break;
    }
    case KH_MSG_LEDGER: {
        kh_env_set(&env, kind, "run-ledger", -1, 0);
        kh_ledger_t l = sample_ledger_full();
        kh_msg_pack_ledger(out, &env, &l);
        break;
    }
    case KH_MSG_INDROWS: {
        kh_env_set(&env, kind, "run-ind", KH_IND_FOLLOWUP, 2);
        kh_indrow_t rows[2];
        memset(rows, 0, sizeof rows);
        int ncols = kh_schema_indtable(KH_IND_FOLLOWUP)->ncols;
        for (int i = 0; i < 2; i++) {
            rows[i].kommnr = i ? 0 : 301;
            rows[i].key2 = 2020 + i;
            rows[i].key3 = 1 + i;
            rows[i].key4 = 2 - i;
            rows[i].suppressed = i;
            rows[i].suppressed_mask = i ? 0x5u : 0;
            for (int c = 0; c < ncols; c++) {
                rows[i].present[c] = (c + i) % 3 != 0;
                rows[i].value[c] = rows[i].present[c] ? (c % 2 ? -1 : 1) * (int64_t)(c * 12345 + i) : 0;
            }
        }
        kh_msg_pack_indrows(out, &env, 2023, rows, 2, 1);
        break;
    }
    case KH_MSG_STATS: {
        kh_env_set(&env, kind, "run-stats", -1, 77);
        kh_stats_t st;
        memset(&st, 0, sizeof st);
        snprintf(st.stage, sizeof st.stage, "validate");
        st.worker = 3;
        st.pid = 4242;
        st.state = KH_ST_WORKING;
        st.rss_bytes = 123456789;
        st.busy_ns = 987654321;
        st.uptime_ns = 5000000000u;
        for (int t = 0; t < KH_TAB_COUNT; t++) {
            st.tables[t].batches_in = (unsigned)t;
            st.tables[t].rows_in = 10u * (unsigned)t;
            st.tables[t].batches_out = (unsigned)t + 1;
            st.tables[t].rows_out = 9u * (unsigned)t;
            st.tables[t].rows_rejected = (unsigned)t / 2;
            st.tables[t].bytes_read = 4096u * (unsigned)t;
        }
        kh_msg_pack_stats(out, &env, &st);
        break;
    }
    case KH_MSG_RESULT: {
        kh_env_set(&env, kind, "run-result", -1, 0);
        kh_ledger_t l = sample_ledger_full();
        kh_msg_pack_result(out, &env, 0, "kohort-link died (signal 9)", &l);
        break;
    }
    case KH_MSG_FAIL:
        kh_env_set(&env, kind, "run-fail", -1, 0);
        kh_msg_pack_fail(out, &env, "f_intro.csv: required column 'fnr' is missing");
        break;
    case KH_MSG_RESEND:
        kh_env_set(&env, kind, "run-resend", -1, 0);
        kh_msg_pack_resend(out, &env);
        break;
    case KH_MSG_RANGE: {
        kh_env_set(&env, kind, "run-range", KH_TAB_BOSATTE, 6);
        kh_range_t *r = sample_range();
        kh_msg_pack_range(out, &env, r);
        kh_range_destroy(&r);
        break;
    }
    default:
        out->data = NULL;
        out->len = 0;
    }
}

#endif
