/* store.c - opening the LMDB store: its files checked before LMDB maps
 * them, a damaged map reported rather than crashed on, the run lock, the
 * transactions the other parts share (storedb.h), and the backup. The
 * records are in store_rows.c (indicator rows, reference figures, the
 * commit) and store_ledger.c (the ledger and the quarantine). See store.h. */
#define _GNU_SOURCE
#include "proto/store.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <lmdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "proto/err.h"
#include "proto/fault.h"
#include "proto/storedb.h"
#include "proto/util.h"

static const char *const db_names[DB_COUNT] = {"meta", "exit", "status", "cost",
                                               "reference", "runs", "quarantine", "followup"};
/* A store written before table followup existed has no such database; it
 * is read as empty and created by the next write. */
#define DB_OPTIONAL(i) ((i) == DB_FOLLOWUP)

#define INITIAL_MAP ((uint64_t)8 << 20)

/* ---- checking before opening ------------------------------------------------- */

/* 0 when `sb` is this user's and nobody else may touch it. */
static int private_to_us(const struct stat *sb)
{
    return sb->st_uid == geteuid() && (sb->st_mode & 077) == 0;
}

/* The names a store directory may hold besides the store itself. */
static int store_file(const char *name)
{
    return strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, "run.lock") == 0 ||
           strcmp(name, "lock.mdb") == 0 || strncmp(name, "run.status", 10) == 0;
}

static int dir_has_other_files(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    struct dirent *e;
    int other = 0;
    while (!other && (e = readdir(d)) != NULL)
        other = !store_file(e->d_name);
    closedir(d);
    return other;
}

/* LMDB's meta page (lmdb.h 0.9, 64-bit): the page header is 16 bytes, then
 * magic, version, address, mapsize, two 48-byte database records (the free
 * list's, whose md_pad is the page size, and the main database's; md_root
 * is the last field of each), the last page number and the txnid. */
#define META_MAGIC 0xBEEFC0DEu
#define META_PSIZE_AT 40
#define META_FREE_ROOT_AT 80
#define META_MAIN_ROOT_AT 128
#define META_LAST_PG_AT 136
#define META_TXNID_AT 144
#define NO_PAGE UINT64_MAX /* md_root of an empty database */

typedef struct {
    int valid;
    uint32_t psize;
    uint64_t last_pg, txnid, root[2];
} meta_t;

static meta_t read_meta(int fd, off_t at)
{
    meta_t m = {0, 0, 0, 0, {0, 0}};
    uint8_t b[META_TXNID_AT + 8];
    if (pread(fd, b, sizeof b, at) != (ssize_t)sizeof b)
        return m;
    uint32_t magic, version;
    memcpy(&magic, b + 16, 4);
    memcpy(&version, b + 20, 4);
    memcpy(&m.psize, b + META_PSIZE_AT, 4);
    memcpy(&m.root[0], b + META_FREE_ROOT_AT, 8);
    memcpy(&m.root[1], b + META_MAIN_ROOT_AT, 8);
    memcpy(&m.last_pg, b + META_LAST_PG_AT, 8);
    memcpy(&m.txnid, b + META_TXNID_AT, 8);
    m.valid = magic == META_MAGIC && version == 1 && m.psize >= 512 && m.psize <= 65536 &&
              (m.psize & (m.psize - 1)) == 0 && m.last_pg >= 1;
    return m;
}

/* Pages the newer meta page counts that data.mdb does not hold: pages
 * from..last (none when from > last). LMDB leaves them so when a commit's
 * highest pages were allocated and freed again in the same transaction
 * ("loose" pages): they go back to the free list unwritten while the meta
 * page counts them. Such a file is whole, as LMDB never reads a free page;
 * kh_store_open() tells it from a truncated one by the free list. */
typedef struct {
    uint64_t from, last;
} tail_t;

/* data.mdb against its meta pages: both must be LMDB's, and the file must
 * hold both root pages; pages missing at its end are left in *tail for
 * the free list to vouch for. Checked before LMDB maps the file: a
 * truncated map is a SIGBUS at the first read past its end. */
static int check_data_file(const char *data, const struct stat *sb, tail_t *tail)
{
    if (sb->st_size < 2 * 512)
        return KH_E_DAMAGED; /* zero length: never made into a new store */
    int fd = open(data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    meta_t m0 = read_meta(fd, 0);
    meta_t m1 = read_meta(fd, m0.valid ? (off_t)m0.psize : 4096);
    /* the size after the meta pages: a writer writes a commit's pages
     * before its meta page, and never shrinks the file */
    struct stat now;
    int st = fstat(fd, &now);
    close(fd);
    if (st != 0)
        return KH_E_DAMAGED;
    if (!m0.valid || !m1.valid || m0.psize != m1.psize)
        return KH_E_DAMAGED;
    const meta_t *cur = m0.txnid >= m1.txnid ? &m0 : &m1;
    uint64_t pages = (uint64_t)now.st_size / cur->psize;
    for (int i = 0; i < 2; i++)
        if (cur->root[i] != NO_PAGE && cur->root[i] >= pages)
            return KH_E_DAMAGED;
    if (pages < cur->last_pg + 1) {
        tail->from = pages;
        tail->last = cur->last_pg;
    }
    return 0;
}

/* The store's files as its owner left them: a directory of this user with
 * mode 0700 (writable by the owner for a writer), regular files of mode
 * 0600, no symbolic links, a data.mdb its meta pages agree with. Modes are
 * refused, never changed. A writer creates a store only in a missing or
 * empty directory. Returns 0 (with the pages data.mdb lacks at its end in
 * *tail), KH_E_NOTFOUND (no store, reading), KH_E_MODE, KH_E_DAMAGED or
 * -errno. */
static int check_files(const char *path, int write, tail_t *tail)
{
    struct stat sb;
    if (lstat(path, &sb) != 0) {
        if (errno == ENOENT)
            return write ? 0 : KH_E_NOTFOUND;
        return -errno;
    }
    if (S_ISLNK(sb.st_mode) && stat(path, &sb) != 0)
        return -errno;
    if (!S_ISDIR(sb.st_mode) || !private_to_us(&sb) ||
        (write && (sb.st_mode & 0700) != 0700))
        return KH_E_MODE;
    static const char *const names[] = {"lock.mdb", "data.mdb"};
    for (int i = 0; i < 2; i++) {
        char file[4200];
        snprintf(file, sizeof file, "%s/%s", path, names[i]);
        if (lstat(file, &sb) != 0) {
            if (errno != ENOENT)
                return -errno;
            if (i == 1 && !write)
                return KH_E_NOTFOUND;
            if (i == 1 && dir_has_other_files(path))
                return KH_E_DAMAGED; /* not ours: never a store over it */
            continue;
        }
        if (!S_ISREG(sb.st_mode) || !private_to_us(&sb) || sb.st_nlink != 1)
            return KH_E_MODE;
        if (i == 1)
            return check_data_file(file, &sb, tail);
    }
    return 0;
}

/* ---- a damaged map must not crash a command ---------------------------------- */

/* The maps of the open stores: a SIGBUS, or a SIGSEGV inside a map, is a
 * damaged data.mdb (its checks passed but a page lies), reported as one
 * sentence and exit 1 rather than a crash. */
#define MAX_MAPS 8
static struct {
    uintptr_t from, to;
} maps[MAX_MAPS];

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    uintptr_t a = (uintptr_t)si->si_addr;
    int ours = sig == SIGBUS;
    for (int i = 0; i < MAX_MAPS && !ours; i++)
        ours = a >= maps[i].from && a < maps[i].to;
    if (!ours) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    static const char msg[] = "kohort: the store is damaged: a read of data.mdb failed; restore "
                              "it from a backup (see OPERATIONS.md)\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    /* Kept exit from inside proto/ (docs/DECISIONS.md, "proto/ never exits
     * the process"): a signal handler cannot hand an error code back, and
     * returning would fault again on the same page. */
    _exit(1);
}

static void guard_map(MDB_env *env, uint64_t limit, int add)
{
    MDB_envinfo info;
    if (mdb_env_info(env, &info) != 0)
        return;
    uintptr_t from = (uintptr_t)info.me_mapaddr;
    for (int i = 0; i < MAX_MAPS; i++) {
        if (add && maps[i].from == 0) {
            maps[i].from = from;
            /* the map may grow in place up to the limit */
            maps[i].to = from + (uintptr_t)(limit > info.me_mapsize ? limit : info.me_mapsize);
            break;
        }
        if (!add && maps[i].from == from) {
            maps[i].from = maps[i].to = 0;
            break;
        }
    }
    static int installed;
    if (add && !installed) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_fault;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGBUS, &sa, NULL);
        sigaction(SIGSEGV, &sa, NULL);
        installed = 1;
    }
}

/* ---- pages LMDB left unwritten at the end of data.mdb ------------------------ */

/* 1 when every page of tail is on the free list of the newest meta page
 * (a cursor on LMDB's database 0: keys are txnids, values lists of page
 * numbers, the count first). The store is mapped and guarded by then: a
 * read past the end of a truly truncated file is a damaged store. */
static int tail_is_free(MDB_env *env, const tail_t *tail)
{
    /* pages a commit since the check has written are there now */
    int fd;
    struct stat sb;
    MDB_stat ms;
    if (mdb_env_get_fd(env, &fd) != 0 || fstat(fd, &sb) != 0 || mdb_env_stat(env, &ms) != 0)
        return 0;
    uint64_t from = (uint64_t)sb.st_size / ms.ms_psize;
    if (from < tail->from)
        from = tail->from;
    if (from > tail->last)
        return 1;
    uint64_t n = tail->last - from + 1;
    if (n > ((uint64_t)1 << 24))
        return 0;
    unsigned char *seen = kh_xcalloc((size_t)n, 1);
    uint64_t found = 0;
    MDB_txn *txn;
    MDB_cursor *cur;
    if (mdb_txn_begin(env, NULL, MDB_RDONLY, &txn) == 0) {
        if (mdb_cursor_open(txn, 0, &cur) == 0) {
            MDB_val k, v;
            for (int rc = mdb_cursor_get(cur, &k, &v, MDB_FIRST); rc == 0;
                 rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
                size_t words = v.mv_size / sizeof(uint64_t);
                uint64_t count = 0;
                if (words)
                    memcpy(&count, v.mv_data, sizeof count);
                for (uint64_t i = 1; i <= count && i < words; i++) {
                    uint64_t pg;
                    memcpy(&pg, (const char *)v.mv_data + i * sizeof pg, sizeof pg);
                    if (pg >= from && pg <= tail->last && !seen[pg - from]) {
                        seen[pg - from] = 1;
                        found++;
                    }
                }
            }
            mdb_cursor_close(cur);
        }
        mdb_txn_abort(txn);
    }
    free(seen);
    return found == n;
}

/* A writer extends data.mdb to every page the meta page counts, so that
 * the check before mapping finds the file whole again: the pages added are
 * free (zeros, never read), and LMDB writes them when it uses them. */
static void cover_pages(kh_store_t *s)
{
    MDB_envinfo info;
    MDB_stat st;
    int fd;
    struct stat sb;
    if (!s->write || mdb_env_info(s->env, &info) != 0 || mdb_env_stat(s->env, &st) != 0 ||
        mdb_env_get_fd(s->env, &fd) != 0 || fstat(fd, &sb) != 0)
        return;
    off_t need = (off_t)(info.me_last_pgno + 1) * (off_t)st.ms_psize;
    if (sb.st_size < need) {
        int r = ftruncate(fd, need); /* on failure the next writer tries again */
        (void)r;
    }
}

int kh_sdb_commit(kh_store_t *s, MDB_txn *txn)
{
    int rc = mdb_txn_commit(txn);
    if (rc == 0)
        cover_pages(s);
    return rc;
}

/* ---- opening ----------------------------------------------------------------- */

static int ensure_dir(const char *path)
{
    if (mkdir(path, 0700) == 0 || errno == EEXIST)
        return 0;
    return -errno;
}

int kh_store_lock(const char *path)
{
    int rc = ensure_dir(path);
    if (rc)
        return rc;
    char lock[4096];
    snprintf(lock, sizeof lock, "%s/run.lock", path);
    int fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        return e == EWOULDBLOCK ? KH_E_BUSY : -e;
    }
    return fd;
}

int kh_store_locked(const char *path)
{
    char lock[4096];
    snprintf(lock, sizeof lock, "%s/run.lock", path);
    int fd = open(lock, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    int held = flock(fd, LOCK_SH | LOCK_NB) != 0;
    close(fd);
    return held;
}

int kh_store_open(const char *path, int write, uint64_t max_bytes, kh_store_t **out)
{
    *out = NULL;
    tail_t tail = {1, 0};
    int crc = check_files(path, write, &tail);
    if (crc)
        return crc;
    if (write) {
        int rc = ensure_dir(path);
        if (rc)
            return rc;
        if (kh_fault_hit("eacces"))
            return -EACCES;
    }
    kh_store_t *s = kh_xcalloc(1, sizeof *s);
    s->write = write;
    s->limit = max_bytes ? max_bytes : KH_STORE_DEFAULT_MAX;
    /* LMDB takes the larger of this and the size the store already has */
    uint64_t initial = INITIAL_MAP < s->limit ? INITIAL_MAP : s->limit;
    int rc = mdb_env_create(&s->env);
    if (rc == 0)
        rc = mdb_env_set_maxdbs(s->env, DB_COUNT + 2);
    if (rc == 0)
        rc = mdb_env_set_mapsize(s->env, write ? initial : s->limit);
    if (rc == 0)
        rc = mdb_env_set_maxreaders(s->env, 126);
    if (rc == 0)
        rc = mdb_env_open(s->env, path, write ? 0 : MDB_RDONLY, 0600);
    if (rc == 0)
        guard_map(s->env, s->limit, 1);
    if (rc) {
        int code = kh_err_from_mdb(rc);
        mdb_env_close(s->env);
        free(s);
        return code;
    }
    if (tail.from <= tail.last) {
        if (!tail_is_free(s->env, &tail)) {
            guard_map(s->env, s->limit, 0);
            mdb_env_close(s->env);
            free(s);
            return KH_E_DAMAGED;
        }
        cover_pages(s);
    }
    MDB_txn *txn;
    rc = mdb_txn_begin(s->env, NULL, write ? 0 : MDB_RDONLY, &txn);
    for (int i = 0; rc == 0 && i < DB_COUNT; i++) {
        rc = mdb_dbi_open(txn, db_names[i], write ? MDB_CREATE : 0, &s->dbi[i]);
        if (rc == MDB_NOTFOUND && !write && DB_OPTIONAL(i)) {
            s->absent[i] = 1;
            rc = 0;
        } else if (rc == MDB_NOTFOUND && !write) {
            rc = KH_E_SCHEMA; /* not a kohort store */
        }
    }
    if (rc == 0) {
        MDB_val k = {14, (void *)"schema_version"}, v;
        int got = mdb_get(txn, s->dbi[DB_META], &k, &v);
        if (got == MDB_NOTFOUND && write) {
            char ver[8];
            int n = snprintf(ver, sizeof ver, "%d", KH_STORE_SCHEMA_VERSION);
            v.mv_size = (size_t)n;
            v.mv_data = ver;
            rc = mdb_put(txn, s->dbi[DB_META], &k, &v, 0);
        } else if (got == 0) {
            int ver = v.mv_size == 1 ? ((char *)v.mv_data)[0] - '0' : -1;
            if (ver < KH_STORE_SCHEMA_OLDEST || ver > KH_STORE_SCHEMA_VERSION)
                rc = KH_E_SCHEMA;
            else if (ver < KH_STORE_SCHEMA_VERSION && write) {
                /* older records stay readable; the newer ones this writer
                 * adds are not readable by the older version, which the
                 * version tells it */
                char now[2] = {(char)('0' + KH_STORE_SCHEMA_VERSION), 0};
                MDB_val nv = {1, now};
                rc = mdb_put(txn, s->dbi[DB_META], &k, &nv, 0);
            }
        } else {
            rc = got == MDB_NOTFOUND ? KH_E_SCHEMA : got;
        }
    }
    /* a read-only transaction is committed too: aborting it would close the
     * database handles it opened */
    if (rc == 0)
        rc = write ? kh_sdb_commit(s, txn) : mdb_txn_commit(txn);
    else
        mdb_txn_abort(txn);
    if (rc) {
        int code = rc < -1000 && rc > -2000 ? rc : kh_err_from_mdb(rc);
        guard_map(s->env, s->limit, 0);
        mdb_env_close(s->env);
        free(s);
        return code;
    }
    *out = s;
    return 0;
}

void kh_store_close(kh_store_t **sp)
{
    if (!sp || !*sp)
        return;
    guard_map((*sp)->env, (*sp)->limit, 0);
    mdb_env_close((*sp)->env);
    free(*sp);
    *sp = NULL;
}

/* ---- transactions ------------------------------------------------------------ */

void kh_sdb_put_be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

unsigned kh_sdb_get_be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

int kh_sdb_begin_write(kh_store_t *s, MDB_txn **txn)
{
    int rc = mdb_txn_begin(s->env, NULL, 0, txn);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(s->env, 0);
        rc = mdb_txn_begin(s->env, NULL, 0, txn);
    }
    return rc;
}

int kh_sdb_read_txn(kh_store_t *s, MDB_txn **txn)
{
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(s->env, 0);
        rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
    }
    return kh_err_from_mdb(rc);
}

int kh_sdb_read_open(kh_store_t *s, int db, MDB_txn **txn, MDB_cursor **cur)
{
    int rc = kh_sdb_read_txn(s, txn);
    if (rc)
        return rc;
    rc = mdb_cursor_open(*txn, s->dbi[db], cur);
    if (rc) {
        mdb_txn_abort(*txn);
        return kh_err_from_mdb(rc);
    }
    return 0;
}

void kh_sdb_read_close(MDB_txn *txn, MDB_cursor *cur)
{
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
}

int kh_sdb_grow_map(kh_store_t *s)
{
    MDB_envinfo info;
    if (mdb_env_info(s->env, &info) != 0 || info.me_mapsize >= s->limit)
        return 0;
    uint64_t next = (uint64_t)info.me_mapsize * 2;
    if (next > s->limit)
        next = s->limit;
    return mdb_env_set_mapsize(s->env, next) == 0;
}

int kh_sdb_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const kh_pk_t *p)
{
    MDB_val k = {klen, (void *)key}, v = {p->sb.size, p->sb.data};
    return mdb_put(txn, dbi, &k, &v, 0);
}

/* Re-seeks after each delete rather than trusting the cursor position a
 * delete leaves. */
int kh_sdb_delete_prefix(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t plen)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, dbi, &cur);
    if (rc)
        return rc;
    for (;;) {
        MDB_val k = {plen, (void *)prefix}, v;
        rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
        if (rc || k.mv_size < plen || memcmp(k.mv_data, prefix, plen) != 0)
            break;
        rc = mdb_cursor_del(cur, 0);
        if (rc)
            break;
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* LMDB reports a short write as EIO; on a full disk that is what a write
 * that ran out of room looks like. Said as what it is when the store's
 * file system has (almost) no room left. */
int kh_sdb_disk_error(kh_store_t *s, int rc)
{
    const char *path = NULL;
    struct statvfs vfs;
    if (rc == -EIO && mdb_env_get_path(s->env, &path) == 0 && path && statvfs(path, &vfs) == 0 &&
        (uint64_t)vfs.f_bavail * vfs.f_frsize < ((uint64_t)1 << 20))
        return -ENOSPC;
    return rc;
}

/* ---- backup ------------------------------------------------------------------- */

int kh_store_backup(kh_store_t *s, const char *out)
{
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", out, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    /* one read transaction: a consistent copy while a run writes */
    int rc = kh_err_from_mdb(mdb_env_copyfd2(s->env, fd, MDB_CP_COMPACT));
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, out) != 0)
        rc = -errno;
    if (rc)
        unlink(tmp);
    return rc;
}
