/* fuzz_msg.c - libFuzzer target for the message decoder (proto/msg.c): any
 * bytes either decode into a message that packs back into bytes that decode
 * again to the same kind, or are rejected with KH_E_DECODE - never a crash,
 * a leak or an unchecked length. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    kh_msg_t m;
    int rc = kh_msg_unpack((const char *)data, size, &m);
    if (rc != 0) {
        if (rc != KH_E_DECODE)
            abort();
        return 0;
    }
    /* what decodes must survive a round trip through the packers */
    kh_packed_t p = {NULL, 0};
    switch (m.env.kind) {
    case KH_MSG_RAW: kh_msg_pack_raw(&p, &m.env, m.raw); break;
    case KH_MSG_ROWS: kh_msg_pack_rows(&p, &m.env, &m.meta, m.rows, m.rejected); break;
    case KH_MSG_EOT: kh_msg_pack_eot(&p, &m.env, &m.eot); break;
    case KH_MSG_REJECTS: kh_msg_pack_rejects(&p, &m.env, &m.rejects); break;
    case KH_MSG_LEDGER: kh_msg_pack_ledger(&p, &m.env, &m.ledger); break;
    case KH_MSG_STATS: kh_msg_pack_stats(&p, &m.env, &m.stats); break;
    case KH_MSG_PERSONS: kh_msg_pack_persons(&p, &m.env, m.persons, m.npersons, m.last); break;
    case KH_MSG_INDROWS: kh_msg_pack_indrows(&p, &m.env, m.ref_year, m.indrows, m.nindrows, m.last); break;
    case KH_MSG_REFDATA: kh_msg_pack_refdata(&p, &m.env, &m.ref); break;
    default: break;
    }
    if (p.data) {
        kh_msg_t again;
        if (kh_msg_unpack(p.data, p.len, &again) != 0 || again.env.kind != m.env.kind)
            abort();
        kh_msg_free(&again);
        free(p.data);
    }
    kh_msg_free(&m);
    return 0;
}
