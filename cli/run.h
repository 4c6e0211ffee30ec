/* run.h - `kohort run`, the nightly import (cli/run.c). */
#ifndef KH_CLI_RUN_H
#define KH_CLI_RUN_H

/* argv[0] is "run". Returns the exit status (0, 1, 2, 3). */
int kh_run_main(int argc, char **argv);

#endif
