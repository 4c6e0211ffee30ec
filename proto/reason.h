/* reason.h - the stable reason codes of rejected rows (spec/extracts.md).
 *
 * Codes travel as small integers inside messages and are printed by name in
 * the quarantine. Never renumber or rename one; add new ones at the end. */
#ifndef KH_REASON_H
#define KH_REASON_H

typedef enum {
    KH_R_NONE = 0,
    KH_R_FIELD_COUNT, KH_R_BAD_QUOTING, KH_R_ENCODING, KH_R_LINE_TOO_LONG,
    KH_R_MISSING, KH_R_ID_FORMAT, KH_R_ID_CHECK_DIGIT, KH_R_ID_DATE,
    KH_R_ID_SYNTHETIC, KH_R_ID_H_NUMBER, KH_R_ID_FH_NUMBER, KH_R_BAD_DATE,
    KH_R_END_BEFORE_START, KH_R_UNKNOWN_STATUS, KH_R_BAD_YEAR, KH_R_BAD_KOMMNR,
    KH_R_BAD_AMOUNT, KH_R_BAD_NUS, KH_R_BAD_ORGNR, KH_R_BAD_KJONN,
    KH_R_BAD_LANDBAKGRUNN, KH_R_BAD_SHARE, KH_R_ZERO_PERSONS, KH_R_DUPLICATE,
    KH_R_ID_CYCLE, KH_R_BAD_NAME,
    KH_R_COUNT
} kh_reason_t;

/* The largest code a decoder takes (messages and the quarantine): beyond
 * KH_R_COUNT so that a newer writer's code reads, by name "unknown", but
 * bounded so that a garbled one does not. */
#define KH_REASON_CODE_MAX 1000

/* The code's stable name ("field_count"), or "unknown". Borrowed: static. */
const char *kh_reason_name(int reason);

#endif
