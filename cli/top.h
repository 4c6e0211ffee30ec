/* top.h - `kohort top`: the running import in a terminal, one line per
 * stage (workers grouped, expandable) with rates, backlog, utilisation and
 * memory, and a run line with progress per table and time left (the
 * screen of cli/screen.h). Reads the status snapshot (cli/snapshot.h);
 * refreshes in place with ANSI sequences in
 * raw terminal mode (termios), no curses. */
#ifndef KH_CLI_TOP_H
#define KH_CLI_TOP_H

#include <stdio.h>

#include "cli/snapshot.h"

/* `kohort top [--store DIR]`. Returns the exit status: 0 when quit or the
 * run committed, 1 when the watched run failed. */
int kh_top_main(int argc, char **argv);

#endif
