/* backup.h - `kohort backup`: a consistent, compacted copy of a store into
 * one file while runs go on (cli/backup.c); restoring is described in
 * docs/OPERATIONS.md. */
#ifndef KH_CLI_BACKUP_H
#define KH_CLI_BACKUP_H

int kh_backup_main(int argc, char **argv);

#endif
