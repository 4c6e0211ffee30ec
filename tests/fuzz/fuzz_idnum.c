/* fuzz_idnum.c - libFuzzer target for the validator's row rules: arbitrary
 * bytes go to the id, orgnr and masking functions of transform/idnum.c and,
 * split on ';', to kh_rules_check() with a fixed (reversed) header mapping.
 *
 * Build: clang -fsanitize=fuzzer,address,undefined tests/fuzz/fuzz_idnum.c
 *        transform/rules.c transform/idnum.c proto/{date,schema,reason,err,util}.c
 * Checks the invariants that must hold for any input, not only memory
 * safety: an accepted id reads back as the input, a mask never shows more
 * than 5 bytes, a reject value is NUL-terminated, and a record the plain
 * path accepts is accepted by the full path (split, then rules, under the
 * canonical header) with the same values. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/csvfield.h"
#include "proto/reason.h"
#include "proto/schema.h"
#include "transform/idnum.h"
#include "transform/rules.h"

#define MAX_FIELDS 12

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_fnr(const char *s, size_t len, int flags)
{
    int64_t id = -1;
    int reason = kh_idnum_check_fnr(s, len, flags, &id);
    if (reason < 0 || reason >= KH_R_COUNT)
        abort();
    /* the memo, fresh and then holding this id, answers the same */
    kh_idnum_memo_t memo;
    memset(&memo, 0, sizeof memo);
    for (int round = 0; round < 2; round++) {
        int64_t memo_id = -1;
        if (kh_idnum_check_fnr_memo(&memo, s, len, flags, &memo_id) != reason || memo_id != id)
            abort();
    }
    if (reason == KH_R_NONE) {
        char back[32];
        snprintf(back, sizeof back, "%011lld", (long long)id);
        if (len != 11 || memcmp(back, s, 11) != 0)
            abort();
    }
}

static void check_mask(const char *s, size_t len, size_t outcap)
{
    char out[KH_IDNUM_MASK_MAX + 8];
    size_t n = kh_idnum_mask(s, len, out, outcap);
    if (outcap == 0)
        return;
    if (n >= outcap || n > KH_IDNUM_MASK_MAX || out[n] != '\0' || strlen(out) != n)
        abort();
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)out[i] > 0x7e || (unsigned char)out[i] < 0x21)
            abort();
        if (out[i] != '*')
            shown++;
    }
    if (shown > 5 || (len > 0 && len <= 3 && shown > 0))
        abort();
}

static void check_rules(kh_table_t table, const kh_field_t *fields, int nfields,
                        const kh_rules_opts_t *opts, kh_refdup_t *dups)
{
    const kh_tabledef_t *def = kh_schema_table(table);
    int colmap[KH_MAX_COLS];
    for (int c = 0; c < def->ncols; c++)
        colmap[c] = def->ncols - 1 - c;
    int64_t values[KH_MAX_COLS];
    const char *texts[KH_MAX_COLS];
    char textbuf[KH_RULES_TEXTCAP];
    kh_reject_t rej;
    kh_rules_record_t in = {table, fields, nfields, def->ncols, colmap, opts};
    kh_rules_out_t out = {values, textbuf, sizeof textbuf, texts, &rej, NULL};
    int rc = kh_rules_check(&in, &out);
    if (rc == 0) {
        for (int c = 0; c < def->ncols; c++)
            if (def->cols[c].type == KH_COL_DEC && strlen(texts[c]) > KH_RULES_DEC_MAX)
                abort();
        if (kh_refdup_seen(dups, table, values) == 1)
            kh_refdup_reject(table, fields, colmap, &rej);
        return;
    }
    if (rc != 1 || rej.reason <= KH_R_NONE || rej.reason >= KH_R_COUNT)
        abort();
    if (memchr(rej.value, '\0', sizeof rej.value) == NULL)
        abort();
    if (rej.field == KH_RULES_NO_FIELD) {
        if (rej.reason != KH_R_FIELD_COUNT || rej.value[0] != '\0')
            abort();
        return;
    }
    if (rej.field < 0 || rej.field >= nfields)
        abort();
    for (int c = 0; c < def->ncols; c++) {
        if (colmap[c] == rej.field && def->cols[c].type == KH_COL_ID) {
            char masked[KH_REJECT_VALUE_CAP];
            kh_idnum_mask(fields[rej.field].data, fields[rej.field].len, masked, sizeof masked);
            if (strcmp(masked, rej.value) != 0)
                abort();
        }
    }
}

static void check_plain(kh_table_t table, const char *s, size_t len, const kh_rules_opts_t *opts)
{
    static kh_idnum_memo_t memo; /* kept from input to input, as in the validator */
    kh_rules_plain_fn fn = kh_rules_plain_for(table);
    const kh_tabledef_t *def = kh_schema_table(table);
    int64_t fast[KH_MAX_COLS], slow[KH_MAX_COLS];
    kh_rules_out_t fast_out = {fast, NULL, 0, NULL, NULL, &memo};
    if (!fn || fn(s, len, opts, &fast_out) != 0)
        return;
    char *scratch = malloc(len + 1);
    kh_field_t fields[MAX_FIELDS];
    int nfields = 0, identity[KH_MAX_COLS];
    for (int c = 0; c < KH_MAX_COLS; c++)
        identity[c] = c;
    if (!kh_csv_utf8_valid(s, len) ||
        kh_csv_split(s, len, scratch, fields, MAX_FIELDS, &nfields) != 0)
        abort();
    const char *texts[KH_MAX_COLS];
    char textbuf[KH_RULES_TEXTCAP];
    kh_reject_t rej;
    kh_rules_record_t in = {table, fields, nfields, def->ncols, identity, opts};
    kh_rules_out_t out = {slow, textbuf, sizeof textbuf, texts, &rej, NULL};
    if (kh_rules_check(&in, &out) != 0 ||
        memcmp(fast, slow, (size_t)def->ncols * sizeof *fast) != 0)
        abort();
    free(scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static kh_refdup_t *dups;
    static unsigned calls;
    /* A fresh key set now and then keeps memory bounded in long runs. */
    if (++calls % 100000 == 0)
        kh_refdup_destroy(&dups);
    if (!dups)
        dups = kh_refdup_new();
    if (size < 1)
        return 0;
    /* First byte: table, options and mask room; the rest is the record. */
    unsigned ctl = data[0];
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    int flags = (int)(ctl & 3);
    check_fnr(s, len, flags);
    int64_t orgnr;
    (void)kh_idnum_check_orgnr(s, len, &orgnr);
    check_mask(s, len, ctl % 16);
    check_mask(s, len, KH_IDNUM_MASK_MAX + 8);

    kh_field_t fields[MAX_FIELDS];
    int nfields = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len && nfields < MAX_FIELDS; i++) {
        if (i == len || s[i] == ';') {
            fields[nfields].data = s + start;
            fields[nfields].len = i - start;
            nfields++;
            start = i + 1;
        }
    }
    kh_rules_opts_t opts = {(int)(ctl & 1), (int)((ctl >> 1) & 1)};
    check_rules((kh_table_t)((ctl >> 2) % KH_TAB_COUNT), fields, nfields, &opts, dups);
    check_plain((kh_table_t)((ctl >> 2) % KH_TAB_COUNT), s, len, &opts);
    return 0;
}
