/* store.c - LMDB layout and record codecs of the store. See store.h.
 *
 * Values are MessagePack. A ledger entry embeds the RESULT message encoding
 * of msg.c for its counts, so that the ledger and the message share one
 * checked codec. */
#define _GNU_SOURCE
#include "store.h"

#ifndef KH_VERSION
#define KH_VERSION "unknown" /* the Makefile gives the VERSION file */
#endif

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <lmdb.h>
#include <msgpack.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "err.h"
#include "fault.h"
#include "log.h"
#include "redact.h"
#include "util.h"

enum { DB_META, DB_EXIT, DB_STATUS, DB_COST, DB_REFERENCE, DB_RUNS, DB_QUARANTINE,
       DB_FOLLOWUP, DB_COUNT };
/* ind_db() maps exit, status and cost by their order in kh_indtable_t. */
_Static_assert(KH_IND_EXIT == 0 && DB_EXIT + KH_IND_STATUS == DB_STATUS &&
                   DB_EXIT + KH_IND_COST == DB_COST,
               "exit, status and cost databases follow kh_indtable_t");
/* A quarantine key holds the table in one byte; a stored row's suppressed
 * mask is 32 bits, one per column. */
_Static_assert(KH_TAB_COUNT <= 256, "a table number fits the quarantine key's byte");
_Static_assert(KH_IND_MAX_COLS <= 32, "a row's suppressed mask has a bit per column");
static const char *const db_names[DB_COUNT] = {"meta", "exit", "status", "cost",
                                               "reference", "runs", "quarantine", "followup"};
/* A store written before table followup existed has no such database; it
 * is read as empty and created by the next write. */
#define DB_OPTIONAL(i) ((i) == DB_FOLLOWUP)

struct kh_store {
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    int absent[DB_COUNT];   /* an optional database the store does not have */
    int write;
    uint64_t limit;       /* the map may grow up to this many bytes */
};

#define INITIAL_MAP ((uint64_t)8 << 20)

static int fault_code;

void kh_store_fault_next_commit(int code)
{
    fault_code = code;
}

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
 * magic, version, address, mapsize, two 48-byte database records (the
 * first's md_pad is the page size), the last page number and the txnid. */
#define META_MAGIC 0xBEEFC0DEu
#define META_PSIZE_AT 40
#define META_LAST_PG_AT 136
#define META_TXNID_AT 144

typedef struct {
    int valid;
    uint32_t psize;
    uint64_t last_pg, txnid;
} meta_t;

static meta_t read_meta(int fd, off_t at)
{
    meta_t m = {0, 0, 0, 0};
    uint8_t b[META_TXNID_AT + 8];
    if (pread(fd, b, sizeof b, at) != (ssize_t)sizeof b)
        return m;
    uint32_t magic, version;
    memcpy(&magic, b + 16, 4);
    memcpy(&version, b + 20, 4);
    memcpy(&m.psize, b + META_PSIZE_AT, 4);
    memcpy(&m.last_pg, b + META_LAST_PG_AT, 8);
    memcpy(&m.txnid, b + META_TXNID_AT, 8);
    m.valid = magic == META_MAGIC && version == 1 && m.psize >= 512 && m.psize <= 65536 &&
              (m.psize & (m.psize - 1)) == 0 && m.last_pg >= 1;
    return m;
}

/* data.mdb against its meta pages: both must be LMDB's, and the file must
 * hold every page the newer one counts. Checked before LMDB maps the file:
 * a truncated map is a SIGBUS at the first read past its end. */
static int check_data_file(const char *data, const struct stat *sb)
{
    if (sb->st_size < 2 * 512)
        return KH_E_DAMAGED; /* zero length: never made into a new store */
    int fd = open(data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return -errno;
    meta_t m0 = read_meta(fd, 0);
    meta_t m1 = read_meta(fd, m0.valid ? (off_t)m0.psize : 4096);
    close(fd);
    if (!m0.valid || !m1.valid || m0.psize != m1.psize)
        return KH_E_DAMAGED;
    const meta_t *cur = m0.txnid >= m1.txnid ? &m0 : &m1;
    if ((uint64_t)sb->st_size / cur->psize < cur->last_pg + 1)
        return KH_E_DAMAGED;
    return 0;
}

/* The store's files as its owner left them: a directory of this user with
 * mode 0700 (writable by the owner for a writer), regular files of mode
 * 0600, no symbolic links, a data.mdb its meta pages agree with. Modes are
 * refused, never changed. A writer creates a store only in a missing or
 * empty directory. Returns 0, KH_E_NOTFOUND (no store, reading), KH_E_MODE,
 * KH_E_DAMAGED or -errno. */
static int check_files(const char *path, int write)
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
            return check_data_file(file, &sb);
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
    int crc = check_files(path, write);
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
        rc = mdb_txn_commit(txn);
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

/* ---- keys -------------------------------------------------------------------- */

static void put_be16(uint8_t *p, unsigned v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static unsigned get_be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* The database of indicator table t. */
static int ind_db(int t)
{
    return t == KH_IND_FOLLOWUP ? DB_FOLLOWUP : DB_EXIT + t;
}

/* Indicator key: ref_year, then the table's key columns in print order
 * (kh_schema_indkeys()), each big-endian 16 bits, so byte order is print
 * order. Returns the key length (6 or 10). */
static size_t ind_key(uint8_t key[10], int t, int ref_year, const kh_indrow_t *row)
{
    put_be16(key, (unsigned)ref_year);
    put_be16(key + 2, (unsigned)row->kommnr);
    put_be16(key + 4, (unsigned)row->key2);
    if (kh_schema_indkeys((kh_indtable_t)t) == 2)
        return 6;
    put_be16(key + 6, (unsigned)row->key3);
    put_be16(key + 8, (unsigned)row->key4);
    return 10;
}

static size_t ind_key_len(int t)
{
    return kh_schema_indkeys((kh_indtable_t)t) == 2 ? 6 : 10;
}

/* quarantine: run id, NUL, table, line (big-endian) */
static size_t q_key(uint8_t *key, const char *run, int table, uint32_t line)
{
    size_t n = strlen(run);
    memcpy(key, run, n);
    key[n] = 0;
    key[n + 1] = (uint8_t)table;
    key[n + 2] = (uint8_t)(line >> 24);
    key[n + 3] = (uint8_t)(line >> 16);
    key[n + 4] = (uint8_t)(line >> 8);
    key[n + 5] = (uint8_t)line;
    return n + 6;
}

/* ---- value codecs --------------------------------------------------------------- */

static void pack_indrow(msgpack_sbuffer *sb, const kh_indrow_t *row, int ncols)
{
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 2 + (size_t)ncols);
    msgpack_pack_int(&pk, row->suppressed);
    msgpack_pack_uint32(&pk, row->suppressed_mask);
    for (int c = 0; c < ncols; c++) {
        if (row->present[c])
            msgpack_pack_int64(&pk, row->value[c]);
        else
            msgpack_pack_nil(&pk);
    }
}

static int unpack_indrow(const MDB_val *v, kh_indrow_t *row, int ncols)
{
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    int rc = KH_E_DECODE;
    if (msgpack_unpack_next(&up, v->mv_data, v->mv_size, &off) == MSGPACK_UNPACK_SUCCESS &&
        up.data.type == MSGPACK_OBJECT_ARRAY && up.data.via.array.size == 2 + (uint32_t)ncols) {
        const msgpack_object *o = up.data.via.array.ptr;
        rc = 0;
        row->suppressed = o[0].type == MSGPACK_OBJECT_POSITIVE_INTEGER && o[0].via.u64 == 1;
        if (o[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER && o[1].via.u64 < (1u << KH_IND_MAX_COLS))
            row->suppressed_mask = (uint32_t)o[1].via.u64;
        else
            rc = KH_E_DECODE;
        for (int c = 0; c < ncols; c++) {
            const msgpack_object *x = &o[2 + c];
            row->present[c] = 1;
            if (x->type == MSGPACK_OBJECT_NIL)
                row->present[c] = 0;
            else if (x->type == MSGPACK_OBJECT_POSITIVE_INTEGER && x->via.u64 <= INT64_MAX)
                row->value[c] = (int64_t)x->via.u64;
            else if (x->type == MSGPACK_OBJECT_NEGATIVE_INTEGER)
                row->value[c] = x->via.i64;
            else
                rc = KH_E_DECODE;
        }
    }
    msgpack_unpacked_destroy(&up);
    return rc;
}

static void pack_runrec(msgpack_sbuffer *sb, const kh_runrec_t *rec)
{
    kh_env_t env;
    kh_packed_t res;
    kh_env_set(&env, KH_MSG_RESULT, rec->run, -1, 0);
    char reason[KH_REASON_MAX];
    kh_redact_copy(rec->reason, strnlen(rec->reason, sizeof rec->reason), reason, sizeof reason);
    kh_msg_pack_result(&res, &env, rec->ok, reason, &rec->ledger);
    msgpack_packer pk;
    msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
    msgpack_pack_array(&pk, 6);
    msgpack_pack_int(&pk, 1);
    msgpack_pack_int64(&pk, rec->started_ms);
    msgpack_pack_int64(&pk, rec->finished_ms);
    msgpack_pack_int32(&pk, rec->min_cell);
    msgpack_pack_bin(&pk, res.len);
    msgpack_pack_bin_body(&pk, res.data, res.len);
    /* the kohort that wrote the entry (records of older versions lack it) */
    msgpack_pack_str(&pk, strlen(KH_VERSION));
    msgpack_pack_str_body(&pk, KH_VERSION, strlen(KH_VERSION));
    free(res.data);
}

static int unpack_runrec(const MDB_val *v, kh_runrec_t *rec)
{
    memset(rec, 0, sizeof *rec);
    msgpack_unpacked up;
    msgpack_unpacked_init(&up);
    size_t off = 0;
    int rc = KH_E_DECODE;
    if (msgpack_unpack_next(&up, v->mv_data, v->mv_size, &off) == MSGPACK_UNPACK_SUCCESS &&
        up.data.type == MSGPACK_OBJECT_ARRAY &&
        (up.data.via.array.size == 5 || up.data.via.array.size == 6)) {
        const msgpack_object *o = up.data.via.array.ptr;
        if (o[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
            o[2].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
            (o[3].type == MSGPACK_OBJECT_POSITIVE_INTEGER) && o[4].type == MSGPACK_OBJECT_BIN) {
            rec->started_ms = (int64_t)o[1].via.u64;
            rec->finished_ms = (int64_t)o[2].via.u64;
            rec->min_cell = (int32_t)o[3].via.u64;
            if (up.data.via.array.size == 6 && o[5].type == MSGPACK_OBJECT_STR &&
                o[5].via.str.size < sizeof rec->version)
                snprintf(rec->version, sizeof rec->version, "%.*s", (int)o[5].via.str.size,
                         o[5].via.str.ptr);
            kh_msg_t m;
            if (kh_msg_unpack(o[4].via.bin.ptr, o[4].via.bin.size, &m) == 0 &&
                m.env.kind == KH_MSG_RESULT) {
                snprintf(rec->run, sizeof rec->run, "%s", m.env.run);
                rec->ok = m.ok;
                snprintf(rec->reason, sizeof rec->reason, "%s", m.reason);
                rec->ledger = m.ledger;
                kh_msg_free(&m);
                rc = 0;
            }
        }
    }
    msgpack_unpacked_destroy(&up);
    return rc;
}

/* ---- writing ------------------------------------------------------------------ */

/* Begins a write transaction; another process may have grown the map. */
static int begin_write(kh_store_t *s, MDB_txn **txn)
{
    int rc = mdb_txn_begin(s->env, NULL, 0, txn);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(s->env, 0);
        rc = mdb_txn_begin(s->env, NULL, 0, txn);
    }
    return rc;
}

/* After a write failed with a full map: grows the map (doubling, up to the
 * limit) and returns 1 when the write is worth trying again. Called with no
 * transaction open, as mdb_env_set_mapsize() requires. */
static int grow_map(kh_store_t *s)
{
    MDB_envinfo info;
    if (mdb_env_info(s->env, &info) != 0 || info.me_mapsize >= s->limit)
        return 0;
    uint64_t next = (uint64_t)info.me_mapsize * 2;
    if (next > s->limit)
        next = s->limit;
    return mdb_env_set_mapsize(s->env, next) == 0;
}

static int put_sbuf(MDB_txn *txn, MDB_dbi dbi, void *key, size_t klen, msgpack_sbuffer *sb)
{
    MDB_val k = {klen, key}, v = {sb->size, sb->data};
    return mdb_put(txn, dbi, &k, &v, 0);
}

/* Packs a quarantine text with every digit run that may be an id masked:
 * whatever a stage sent, no id reaches the store (redact.h). */
static void pack_masked(msgpack_packer *pk, const char *s)
{
    char buf[KH_REASON_MAX];
    size_t n = kh_redact_copy(s, strlen(s), buf, sizeof buf);
    msgpack_pack_str(pk, n);
    msgpack_pack_str_body(pk, buf, n);
}

static int put_rejects_once(kh_store_t *s, const char *run, int table, const kh_rejects_t *rej,
                            uint32_t *added)
{
    uint32_t fresh = 0;
    MDB_txn *txn;
    int rc = begin_write(s, &txn);
    if (rc)
        return kh_err_from_mdb(rc);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    for (uint32_t i = 0; rc == 0 && i < rej->n; i++) {
        const kh_rejected_t *r = &rej->items[i];
        uint8_t key[KH_RUN_ID_MAX + 8];
        size_t klen = q_key(key, run, table, r->line);
        msgpack_sbuffer_clear(&sb);
        msgpack_packer pk;
        msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
        msgpack_pack_array(&pk, 4);
        pack_masked(&pk, rej->file);
        msgpack_pack_int32(&pk, r->reason);
        pack_masked(&pk, r->column);
        pack_masked(&pk, r->value);
        MDB_val k = {klen, key}, v = {sb.size, sb.data};
        rc = mdb_put(txn, s->dbi[DB_QUARANTINE], &k, &v, MDB_NOOVERWRITE);
        if (rc == 0)
            fresh++;
        else if (rc == MDB_KEYEXIST)
            rc = 0;
    }
    msgpack_sbuffer_destroy(&sb);
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    rc = kh_err_from_mdb(mdb_txn_commit(txn));
    if (rc == 0 && added)
        *added = fresh;
    return rc;
}

/* Deletes every key starting with `prefix` (plen bytes). Re-seeks after each
 * delete rather than trusting the cursor position a delete leaves. */
static int delete_prefix(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t plen)
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

/* Keeps the quarantine of the newest KH_STORE_KEEP_QUARANTINE runs. */
static int prune_quarantine(kh_store_t *s, MDB_txn *txn)
{
    MDB_cursor *cur;
    int rc = mdb_cursor_open(txn, s->dbi[DB_RUNS], &cur);
    if (rc)
        return rc;
    MDB_val k, v;
    int seen = 0;
    char old[64];
    for (rc = mdb_cursor_get(cur, &k, &v, MDB_LAST); rc == 0;
         rc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
        if (++seen <= KH_STORE_KEEP_QUARANTINE || k.mv_size >= sizeof old)
            continue;
        memcpy(old, k.mv_data, k.mv_size);
        old[k.mv_size] = 0;
        int drc = delete_prefix(txn, s->dbi[DB_QUARANTINE], old, k.mv_size + 1);
        if (drc) {
            rc = drc;
            break;
        }
    }
    mdb_cursor_close(cur);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int put_run(kh_store_t *s, MDB_txn *txn, const kh_runrec_t *rec)
{
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    pack_runrec(&sb, rec);
    int rc = put_sbuf(txn, s->dbi[DB_RUNS], (void *)rec->run, strlen(rec->run), &sb);
    msgpack_sbuffer_destroy(&sb);
    return rc;
}

/* 1 when the ledger already holds an ok entry for `run`: the store decides
 * a run's outcome, and a committed run stays committed whatever a
 * supervisor that lost track of it writes later. */
static int committed_in(kh_store_t *s, MDB_txn *txn, const char *run)
{
    MDB_val k = {strlen(run), (void *)run}, v;
    if (mdb_get(txn, s->dbi[DB_RUNS], &k, &v) != 0)
        return 0;
    kh_runrec_t *old = kh_xmalloc(sizeof *old);
    int ok = unpack_runrec(&v, old) == 0 && old->ok;
    free(old);
    return ok;
}

static int put_run_once(kh_store_t *s, const kh_runrec_t *rec)
{
    MDB_txn *txn;
    int rc = begin_write(s, &txn);
    if (rc)
        return kh_err_from_mdb(rc);
    if (!rec->ok && committed_in(s, txn, rec->run)) {
        mdb_txn_abort(txn);
        return 0;
    }
    rc = put_run(s, txn, rec);
    if (rc == 0)
        rc = prune_quarantine(s, txn);
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    return kh_err_from_mdb(mdb_txn_commit(txn));
}

/* Replaces the rows of `table` of `year` by rows[0..n). */
static int replace_rows(kh_store_t *s, MDB_txn *txn, msgpack_sbuffer *sb, int table, int year,
                        const kh_indrow_t *rows, size_t n)
{
    const kh_indtabledef_t *def = kh_schema_indtable((kh_indtable_t)table);
    uint8_t prefix[2];
    put_be16(prefix, (unsigned)year);
    int rc = delete_prefix(txn, s->dbi[ind_db(table)], prefix, 2);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        uint8_t key[10];
        size_t klen = ind_key(key, table, year, &rows[i]);
        msgpack_sbuffer_clear(sb);
        pack_indrow(sb, &rows[i], def->ncols);
        rc = put_sbuf(txn, s->dbi[ind_db(table)], key, klen, sb);
    }
    return rc;
}

static int commit_once(kh_store_t *s, const kh_runrec_t *rec, kh_indrow_t *const rows[KH_IND_COUNT],
                       const size_t nrows[KH_IND_COUNT], const kh_refdata_t *ref,
                       const kh_store_year_t *others, size_t nothers)
{
    MDB_txn *txn;
    int rc = begin_write(s, &txn);
    if (rc)
        return kh_err_from_mdb(rc);
    int year = rec->ledger.ref_year;
    uint8_t prefix[2];
    put_be16(prefix, (unsigned)year);
    msgpack_sbuffer sb;
    msgpack_sbuffer_init(&sb);
    for (int t = 0; rc == 0 && t < KH_IND_COUNT; t++)
        rc = replace_rows(s, txn, &sb, t, year, rows[t], nrows[t]);
    for (size_t y = 0; rc == 0 && y < nothers; y++)
        for (int t = 0; rc == 0 && t < KH_IND_COUNT; t++)
            if (others[y].replace[t])
                rc = replace_rows(s, txn, &sb, t, others[y].ref_year, others[y].rows[t],
                                  others[y].nrows[t]);
    if (rc == 0)
        rc = delete_prefix(txn, s->dbi[DB_REFERENCE], prefix, 2);
    for (uint32_t i = 0; rc == 0 && ref && i < ref->nnational; i++) {
        /* reference key: ref_year, kind 'N' (national attainment), year */
        uint8_t key[5];
        put_be16(key, (unsigned)year);
        key[2] = 'N';
        put_be16(key + 3, (unsigned)ref->national[i].year);
        MDB_val k = {5, key}, v = {strlen(ref->national[i].andel), ref->national[i].andel};
        rc = mdb_put(txn, s->dbi[DB_REFERENCE], &k, &v, 0);
    }
    msgpack_sbuffer_destroy(&sb);
    if (rc == 0)
        rc = put_run(s, txn, rec);
    if (rc == 0)
        rc = prune_quarantine(s, txn);
    if (rc == 0 && fault_code) {
        rc = fault_code;
        fault_code = 0;
        mdb_txn_abort(txn);
        return rc;
    }
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    return kh_err_from_mdb(mdb_txn_commit(txn));
}

/* LMDB reports a short write as EIO; on a full disk that is what a write
 * that ran out of room looks like. Said as what it is when the store's
 * file system has (almost) no room left. */
static int disk_error(kh_store_t *s, int rc)
{
    const char *path = NULL;
    struct statvfs vfs;
    if (rc == -EIO && mdb_env_get_path(s->env, &path) == 0 && path && statvfs(path, &vfs) == 0 &&
        (uint64_t)vfs.f_bavail * vfs.f_frsize < ((uint64_t)1 << 20))
        return -ENOSPC;
    return rc;
}

int kh_store_put_rejects(kh_store_t *s, const char *run, int table, const kh_rejects_t *rej,
                         uint32_t *added)
{
    int rc;
    while ((rc = put_rejects_once(s, run, table, rej, added)) == KH_E_MAP_FULL && grow_map(s))
        ;
    return disk_error(s, rc);
}

int kh_store_put_run(kh_store_t *s, const kh_runrec_t *rec)
{
    int rc;
    while ((rc = put_run_once(s, rec)) == KH_E_MAP_FULL && grow_map(s))
        ;
    return disk_error(s, rc);
}

int kh_store_commit(kh_store_t *s, const kh_runrec_t *rec, kh_indrow_t *const rows[KH_IND_COUNT],
                    const size_t nrows[KH_IND_COUNT], const kh_refdata_t *ref,
                    const kh_store_year_t *others, size_t nothers)
{
    for (size_t i = 0; i < nothers; i++) {
        if (others[i].ref_year == rec->ledger.ref_year || others[i].ref_year < 1 ||
            others[i].ref_year > 9999)
            return -EINVAL;
        for (size_t j = 0; j < i; j++)
            if (others[j].ref_year == others[i].ref_year)
                return -EINVAL;
    }
    int rc;
    while ((rc = commit_once(s, rec, rows, nrows, ref, others, nothers)) == KH_E_MAP_FULL &&
           grow_map(s))
        ;
    return disk_error(s, rc);
}

/* ---- reading ------------------------------------------------------------------ */

static int read_txn(kh_store_t *s, MDB_txn **txn)
{
    int rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
    if (rc == MDB_MAP_RESIZED) {
        mdb_env_set_mapsize(s->env, 0);
        rc = mdb_txn_begin(s->env, NULL, MDB_RDONLY, txn);
    }
    return kh_err_from_mdb(rc);
}

int kh_store_each_row(kh_store_t *s, kh_indtable_t table, int ref_year, kh_store_row_cb cb, void *ctx)
{
    const kh_indtabledef_t *def = kh_schema_indtable(table);
    if (!def)
        return -EINVAL;
    if (s->absent[ind_db(table)])
        return 0;
    size_t klen = ind_key_len(table);
    MDB_txn *txn;
    int rc = read_txn(s, &txn);
    if (rc)
        return rc;
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, s->dbi[ind_db(table)], &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    uint8_t prefix[2];
    put_be16(prefix, (unsigned)ref_year);
    MDB_val k = {2, prefix}, v;
    int mrc = ref_year ? mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE)
                       : mdb_cursor_get(cur, &k, &v, MDB_FIRST);
    rc = 0;
    for (; mrc == 0 && rc == 0; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != klen)
            continue;
        const uint8_t *kp = k.mv_data;
        int year = (int)get_be16(kp);
        if (ref_year && year != ref_year)
            break;
        kh_indrow_t row;
        memset(&row, 0, sizeof row);
        row.kommnr = (int32_t)get_be16(kp + 2);
        row.key2 = (int32_t)get_be16(kp + 4);
        if (klen == 10) {
            row.key3 = (int32_t)get_be16(kp + 6);
            row.key4 = (int32_t)get_be16(kp + 8);
        }
        rc = unpack_indrow(&v, &row, def->ncols);
        if (rc == 0)
            rc = cb(ctx, year, &row);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}

int kh_store_newest_year(kh_store_t *s, int *year)
{
    *year = 0;
    MDB_txn *txn;
    int rc = read_txn(s, &txn);
    if (rc)
        return rc;
    for (int t = 0; t < KH_IND_COUNT; t++) {
        MDB_cursor *cur;
        if (s->absent[ind_db(t)] || mdb_cursor_open(txn, s->dbi[ind_db(t)], &cur))
            continue;
        MDB_val k, v;
        if (mdb_cursor_get(cur, &k, &v, MDB_LAST) == 0 && k.mv_size == ind_key_len(t)) {
            int y = (int)get_be16(k.mv_data);
            if (y > *year)
                *year = y;
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    return 0;
}

int kh_store_each_run(kh_store_t *s, kh_store_run_cb cb, void *ctx)
{
    MDB_txn *txn;
    int rc = read_txn(s, &txn);
    if (rc)
        return rc;
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, s->dbi[DB_RUNS], &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    MDB_val k, v;
    int mrc;
    rc = 0;
    for (mrc = mdb_cursor_get(cur, &k, &v, MDB_LAST); mrc == 0 && rc == 0;
         mrc = mdb_cursor_get(cur, &k, &v, MDB_PREV)) {
        kh_runrec_t *rec = kh_xmalloc(sizeof *rec);
        rc = unpack_runrec(&v, rec);
        if (rc == 0)
            rc = cb(ctx, rec);
        free(rec);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}

int kh_store_each_reject(kh_store_t *s, const char *run, kh_store_q_cb cb, void *ctx)
{
    MDB_txn *txn;
    int rc = read_txn(s, &txn);
    if (rc)
        return rc;
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, s->dbi[DB_QUARANTINE], &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    size_t plen = strlen(run) + 1;
    MDB_val k = {plen, (void *)run}, v;
    int mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = 0;
    for (; mrc == 0 && rc == 0; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != plen + 5 || memcmp(k.mv_data, run, plen) != 0)
            break;
        const uint8_t *kp = (const uint8_t *)k.mv_data + plen;
        kh_qrec_t q;
        memset(&q, 0, sizeof q);
        q.table = kp[0];
        q.rej.line = (uint32_t)kp[1] << 24 | (uint32_t)kp[2] << 16 | (uint32_t)kp[3] << 8 | kp[4];
        msgpack_unpacked up;
        msgpack_unpacked_init(&up);
        size_t off = 0;
        rc = KH_E_DECODE;
        if (msgpack_unpack_next(&up, v.mv_data, v.mv_size, &off) == MSGPACK_UNPACK_SUCCESS &&
            up.data.type == MSGPACK_OBJECT_ARRAY && up.data.via.array.size == 4) {
            const msgpack_object *o = up.data.via.array.ptr;
            if (o[0].type == MSGPACK_OBJECT_STR && o[1].type == MSGPACK_OBJECT_POSITIVE_INTEGER &&
                o[2].type == MSGPACK_OBJECT_STR && o[3].type == MSGPACK_OBJECT_STR) {
                snprintf(q.file, sizeof q.file, "%.*s", (int)o[0].via.str.size, o[0].via.str.ptr);
                q.rej.reason = (int32_t)o[1].via.u64;
                snprintf(q.rej.column, sizeof q.rej.column, "%.*s", (int)o[2].via.str.size,
                         o[2].via.str.ptr);
                snprintf(q.rej.value, sizeof q.rej.value, "%.*s", (int)o[3].via.str.size,
                         o[3].via.str.ptr);
                rc = 0;
            }
        }
        msgpack_unpacked_destroy(&up);
        if (rc == 0)
            rc = cb(ctx, &q);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc;
}

int kh_store_each_national(kh_store_t *s, int ref_year,
                           int (*cb)(void *ctx, int year, const char *andel), void *ctx)
{
    MDB_txn *txn;
    int rc = read_txn(s, &txn);
    if (rc)
        return rc;
    MDB_cursor *cur;
    rc = mdb_cursor_open(txn, s->dbi[DB_REFERENCE], &cur);
    if (rc) {
        mdb_txn_abort(txn);
        return kh_err_from_mdb(rc);
    }
    uint8_t prefix[3];
    put_be16(prefix, (unsigned)ref_year);
    prefix[2] = 'N';
    MDB_val k = {3, prefix}, v;
    int mrc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
    rc = 0;
    for (; mrc == 0 && rc == 0; mrc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        if (k.mv_size != 5 || memcmp(k.mv_data, prefix, 3) != 0)
            break;
        char andel[KH_NAME_MAX];
        snprintf(andel, sizeof andel, "%.*s", (int)v.mv_size, (const char *)v.mv_data);
        rc = cb(ctx, (int)get_be16((const uint8_t *)k.mv_data + 3), andel);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
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
