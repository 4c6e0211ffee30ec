/* query.h - the store's read-only commands (cli/query.c). Each takes argv
 * with argv[0] the command name and returns the exit status. */
#ifndef KH_CLI_QUERY_H
#define KH_CLI_QUERY_H

int kh_query_main(int argc, char **argv);
int kh_runs_main(int argc, char **argv);
int kh_quarantine_main(int argc, char **argv);

#endif
