/* deadrun.h - a `kohort run` killed without a chance to clean up (SIGKILL,
 * a crash, a power cut) leaves its status snapshot, its pointer in the
 * runs directory, its runtime directory with sockets, and a quarantine
 * without a ledger entry. The next run on the store and `kohort status`
 * recognise such a run (its snapshot names a pid that is gone), record it
 * in the ledger as failed and clear what it left. */
#ifndef KH_CLI_DEADRUN_H
#define KH_CLI_DEADRUN_H

#include <stddef.h>

#include "cli/runstate.h"
#include "proto/store.h"

/* Fills rec's counts from what the stages of `s` reported (rows read by
 * ingest, accepted and rejected by the validators). */
void kh_deadrun_counts(kh_runrec_t *rec, const kh_runstate_t *s);

/* Looks for a dead run on `store`. The caller holds the store's run lock,
 * so no live run can be writing it. Returns 1 when one was found and
 * cleared (one sentence in `msg`), 0 when there was none, or a negative
 * code (the ledger could not be written; `msg` says so). */
int kh_deadrun_recover(const char *store, char *msg, size_t cap);

#endif
