/* fuzz_msg.c - libFuzzer target for the message decoder (proto/msg.c and
 * its per-kind codecs): any bytes either decode into a message that packs
 * back (kh_msg_pack) into bytes that decode again to the same whole message
 * (kh_msg_equal), of every kind, or are rejected with KH_E_DECODE - never a
 * crash, a leak or an unchecked length. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "proto/err.h"
#include "proto/msg.h"

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
    /* what decodes must survive a round trip through the packers whole */
    kh_packed_t p = {NULL, 0};
    kh_msg_pack(&p, &m);
    if (!p.data)
        abort();
    kh_msg_t again;
    if (kh_msg_unpack(p.data, p.len, &again) != 0)
        abort();
    if (!kh_msg_equal(&m, &again))
        abort();
    kh_msg_free(&again);
    free(p.data);
    kh_msg_free(&m);
    return 0;
}
