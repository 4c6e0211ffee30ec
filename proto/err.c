/* err.c - kh_strerror() for project, system and converted library codes. */
#include "proto/err.h"

#include <lmdb.h>
#include <string.h>

const char *kh_strerror(int code)
{
    switch (code) {
    case KH_OK: return "success";
    case KH_STOP: return "stopped by a callback";
    case KH_E_DECODE: return "malformed message";
    case KH_E_PROTOCOL: return "unexpected message";
    case KH_E_UNUSABLE: return "unusable extract file";
    case KH_E_MDB: return "store error";
    case KH_E_MAP_FULL: return "the store reached its size limit";
    case KH_E_BUSY: return "the store is busy with another run";
    case KH_E_RECONCILE: return "counts do not reconcile";
    case KH_E_USAGE: return "usage error";
    case KH_E_TIMEOUT: return "no progress within the time limit";
    case KH_E_SCHEMA: return "the store has an unknown schema version";
    case KH_E_NOTFOUND: return "not found";
    case KH_E_INTERRUPTED: return "interrupted";
    case KH_E_STAGE: return "a stage process failed";
    case KH_E_KEY: return "unusable key";
    case KH_E_SOLVER: return "the linear-programming solver failed";
    case KH_E_PROTECT: return "no further suppression protects a cell against arithmetic";
    case KH_E_DAMAGED:
        return "the store is damaged or is not a kohort store (restore it from a backup: "
               "see OPERATIONS.md)";
    case KH_E_MODE:
        return "the store's directory or files have the wrong type, mode or owner (the "
               "directory must be this user's with mode 0700, its files regular files with "
               "mode 0600; no symbolic links)";
    default: break;
    }
    if (code < 0 && code > KH_E_BASE)
        return strerror(-code);
    return "unknown error";
}

int kh_err_from_mdb(int rc)
{
    if (rc == 0)
        return 0;
    if (rc > 0)
        return -rc; /* LMDB passes errno values through */
    switch (rc) {
    case MDB_MAP_FULL: return KH_E_MAP_FULL;
    case MDB_NOTFOUND: return KH_E_NOTFOUND;
    case MDB_VERSION_MISMATCH: return KH_E_SCHEMA;
    case MDB_INVALID:
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_BAD_TXN: return KH_E_DAMAGED;
    default: return KH_E_MDB;
    }
}
