/* fileid.h - which file, in which state: what tells that a file on disk is
 * still the one another process read. kohort-ingest records it when it
 * opens an extract file; a validator that reads a batch's bytes from the
 * same file (a RANGE message) compares it before and after, so that a file
 * changed during the run fails the run instead of being read half old,
 * half new. */
#ifndef KH_FILEID_H
#define KH_FILEID_H

#include <stdint.h>
#include <sys/stat.h>

typedef struct {
    uint64_t dev, ino;      /* the file itself (a new file under the old name differs) */
    uint64_t size;
    int64_t mtime_ns;       /* its last modification, */
    int64_t ctime_ns;       /* and the inode's, which no one can set back */
} kh_fileid_t;

/* Fills *id from the open file `fd`. Returns 0 or -errno. */
int kh_fileid_get(int fd, kh_fileid_t *id);

/* Fills *id from what fstat() or stat() gave. */
void kh_fileid_of(const struct stat *st, kh_fileid_t *id);

/* 1 when both describe the same file in the same state. */
int kh_fileid_same(const kh_fileid_t *a, const kh_fileid_t *b);

#endif
