/* audit.h - `kohort audit`: the outsider's attack on a store's tables
 * (spec/interface.md), with the constraint code of step 7.3. */
#ifndef KH_CLI_AUDIT_H
#define KH_CLI_AUDIT_H

/* Exit status: 0 nothing disclosed and no cross-year exposure, 1 otherwise
 * or when the store cannot be read, 2 usage. */
int kh_audit_main(int argc, char **argv);

#endif
