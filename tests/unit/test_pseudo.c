/* test_pseudo.c - the pseudonyms (transform/pseudo.c) are HMAC-SHA256 of the
 * id's 8 little-endian bytes, cut to 16 bytes: equal to libsodium's
 * crypto_auth_hmacsha256 for many ids and keys, cached or not; different
 * keys give different pseudonyms; key files are refused when others may
 * read them. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto/err.h"
#include "transform/pseudo.h"

static void expected(const uint8_t key[KH_KEY_LEN], int64_t id, uint8_t out[16])
{
    uint8_t msg[8], mac[32];
    for (int i = 0; i < 8; i++)
        msg[i] = (uint8_t)((uint64_t)id >> (8 * i));
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, KH_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, msg, sizeof msg);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, mac, 16);
}

static void test_equals_libsodium_hmac(void **state)
{
    (void)state;
    assert_true(sodium_init() >= 0);
    for (int k = 0; k < 8; k++) {
        uint8_t key[KH_KEY_LEN];
        for (int i = 0; i < KH_KEY_LEN; i++)
            key[i] = (uint8_t)(k * 37 + i * 11);
        kh_pseudo_t *p = kh_pseudo_new(key);
        for (int64_t n = 0; n < 20000; n++) {
            /* ids of 11 digits, repeated so that the cache answers too */
            int64_t id = 1000000000LL + (n % 5000) * 7919 + k;
            uint8_t got[16], want[16];
            kh_pseudo_of(p, id, got);
            expected(key, id, want);
            assert_memory_equal(got, want, 16);
        }
        kh_pseudo_destroy(&p);
        assert_null(p);
    }
}

static void test_keys_differ(void **state)
{
    (void)state;
    uint8_t k1[KH_KEY_LEN] = {1}, k2[KH_KEY_LEN] = {2}, a[16], b[16];
    kh_pseudo_t *p1 = kh_pseudo_new(k1), *p2 = kh_pseudo_new(k2);
    kh_pseudo_of(p1, 1234567890LL, a);
    kh_pseudo_of(p2, 1234567890LL, b);
    assert_memory_not_equal(a, b, 16);
    kh_pseudo_destroy(&p1);
    kh_pseudo_destroy(&p2);
}

static void test_key_files(void **state)
{
    (void)state;
    char dir[] = "/tmp/kohort-pseudo-XXXXXX", path[64], why[256];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/key", dir);
    assert_int_equal(kh_pseudo_write_key(path, why, sizeof why), 0);
    uint8_t key[KH_KEY_LEN];
    assert_int_equal(kh_pseudo_read_key(path, key, why, sizeof why), 0);
    assert_int_not_equal(kh_pseudo_write_key(path, why, sizeof why), 0); /* never overwrites */
    chmod(path, 0640);
    assert_int_equal(kh_pseudo_read_key(path, key, why, sizeof why), KH_E_KEY);
    assert_non_null(strstr(why, "read by others"));
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equals_libsodium_hmac),
        cmocka_unit_test(test_keys_differ),
        cmocka_unit_test(test_key_files),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
