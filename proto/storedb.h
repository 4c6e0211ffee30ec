/* storedb.h - the store's databases and transactions, internal to proto/:
 * what store.c (opening, checks, transactions), store_rows.c (indicator
 * rows, reference figures, the commit) and store_ledger.c (the ledger and
 * the quarantine) share. Records are MessagePack, packed and read through
 * codec.h. */
#ifndef KH_STOREDB_H
#define KH_STOREDB_H

#include <lmdb.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/codec.h"
#include "proto/store.h"

enum { DB_META, DB_EXIT, DB_STATUS, DB_COST, DB_REFERENCE, DB_RUNS, DB_QUARANTINE,
       DB_FOLLOWUP, DB_COUNT };

struct kh_store {
    MDB_env *env;
    MDB_dbi dbi[DB_COUNT];
    int absent[DB_COUNT];   /* an optional database the store does not have */
    int write;
    uint64_t limit;         /* the map may grow up to this many bytes */
};

/* Keys hold numbers big-endian, so that byte order is number order. */
void kh_sdb_put_be16(uint8_t *p, unsigned v);
unsigned kh_sdb_get_be16(const uint8_t *p);

/* Begins a write transaction; another process may have grown the map.
 * Returns an LMDB code. */
int kh_sdb_begin_write(kh_store_t *s, MDB_txn **txn);
/* Commits a write transaction, then extends data.mdb to every page the
 * new meta page counts (LMDB may leave its last pages free and unwritten,
 * which the check before mapping would take for a truncated file).
 * Returns an LMDB code. */
int kh_sdb_commit(kh_store_t *s, MDB_txn *txn);
/* Begins a read transaction. Returns 0 or a kohort code. */
int kh_sdb_read_txn(kh_store_t *s, MDB_txn **txn);
/* Begins a read transaction with a cursor on database `db` (DB_*).
 * Returns 0 or a kohort code (then nothing is open); end both with
 * kh_sdb_read_close(). */
int kh_sdb_read_open(kh_store_t *s, int db, MDB_txn **txn, MDB_cursor **cur);
void kh_sdb_read_close(MDB_txn *txn, MDB_cursor *cur);
/* After a write failed with a full map: grows the map (doubling, up to the
 * limit) and returns 1 when the write is worth trying again. Called with no
 * transaction open, as mdb_env_set_mapsize() requires. */
int kh_sdb_grow_map(kh_store_t *s);
/* `rc` as the caller should see it: -ENOSPC for an EIO on a full disk. */
int kh_sdb_disk_error(kh_store_t *s, int rc);
/* Deletes every key starting with `prefix` (plen bytes). Returns an LMDB
 * code. */
int kh_sdb_delete_prefix(MDB_txn *txn, MDB_dbi dbi, const void *prefix, size_t plen);
/* Puts the packed bytes of p under key. Returns an LMDB code. */
int kh_sdb_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const kh_pk_t *p);

/* store_ledger.c: writes the ledger entry of rec->run, and keeps the
 * quarantine of the newest KH_STORE_KEEP_QUARANTINE runs, inside txn.
 * Return LMDB codes. */
int kh_sdb_put_run(kh_store_t *s, MDB_txn *txn, const kh_runrec_t *rec);
int kh_sdb_prune_quarantine(kh_store_t *s, MDB_txn *txn);

#endif
