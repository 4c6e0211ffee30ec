/* check.h - `kohort check`: the row rules applied to an extract directory
 * in-process, without a store (cli/check.c). */
#ifndef KH_CLI_CHECK_H
#define KH_CLI_CHECK_H

int kh_check_main(int argc, char **argv);

#endif
