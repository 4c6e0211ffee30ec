/* status.h - `kohort status`: the running import once, as the screen of
 * `kohort top` or as JSON for scripts. Reads the status snapshot
 * (cli/snapshot.h). */
#ifndef KH_CLI_STATUS_H
#define KH_CLI_STATUS_H

/* `kohort status [--store DIR] [--json]`. Returns the exit status. */
int kh_status_main(int argc, char **argv);

#endif
