/* fileid.c - a file's identity and state. See fileid.h. */
#define _POSIX_C_SOURCE 200809L
#include "proto/fileid.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

void kh_fileid_of(const struct stat *st, kh_fileid_t *id)
{
    id->dev = (uint64_t)st->st_dev;
    id->ino = (uint64_t)st->st_ino;
    id->size = (uint64_t)st->st_size;
    id->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
    id->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

int kh_fileid_get(int fd, kh_fileid_t *id)
{
    struct stat st;
    memset(id, 0, sizeof *id);
    if (fstat(fd, &st) != 0)
        return -errno;
    kh_fileid_of(&st, id);
    return 0;
}

int kh_fileid_same(const kh_fileid_t *a, const kh_fileid_t *b)
{
    return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
           a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}
