/* keygen.c - `kohort keygen`. See keygen.h. */
#include "cli/keygen.h"

#include <stdio.h>
#include <string.h>

#include "cli/common.h"
#include "proto/msg.h"
#include "transform/pseudo.h"

int kh_keygen_main(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        if (argc == 2 && strcmp(argv[1], "--help") == 0) {
            printf("usage: kohort keygen FILE\n"
                   "Writes a fresh pseudonymisation key (mode 0600) for kohort run --key FILE.\n");
            return 0;
        }
        return kh_cli_usage("usage: kohort keygen FILE");
    }
    char why[KH_REASON_MAX];
    if (kh_pseudo_write_key(argv[1], why, sizeof why) != 0) {
        fprintf(stderr, "kohort: %s\n", why);
        return 1;
    }
    return 0;
}
