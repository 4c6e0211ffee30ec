/* reason.c - names of the reject reason codes. See reason.h. */
#include "proto/reason.h"

static const char *const names[KH_R_COUNT] = {
    "none", "field_count", "bad_quoting", "encoding", "line_too_long",
    "missing", "id_format", "id_check_digit", "id_date",
    "id_synthetic", "id_h_number", "id_fh_number", "bad_date",
    "end_before_start", "unknown_status", "bad_year", "bad_kommnr",
    "bad_amount", "bad_nus", "bad_orgnr", "bad_kjonn",
    "bad_landbakgrunn", "bad_share", "zero_persons", "duplicate",
    "id_cycle", "bad_name",
};

const char *kh_reason_name(int reason)
{
    if (reason < 0 || reason >= KH_R_COUNT)
        return "unknown";
    return names[reason];
}
