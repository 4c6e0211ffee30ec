/* keygen.h - `kohort keygen FILE`: a fresh pseudonymisation key for
 * `kohort run --key FILE`. The key file's format and checks are
 * transform/pseudo.c's. */
#ifndef KH_CLI_KEYGEN_H
#define KH_CLI_KEYGEN_H

/* argv[0] is "keygen". Returns the exit status: 0 written, 1 the file could
 * not be written (one sentence on stderr), 2 usage. */
int kh_keygen_main(int argc, char **argv);

#endif
