/* err.h - kohort's error codes and the one function that explains them.
 *
 * A function that can fail returns int: 0 on success, -errno for a system
 * error, or a project code below -1000. LMDB and ZeroMQ codes are converted
 * at the boundary (kh_err_from_mdb). Every stage uses these. KH_STOP, the
 * one positive code, is not an error: what a callback returns to end an
 * iteration early (the iterator then returns it). */
#ifndef KH_ERR_H
#define KH_ERR_H

enum {
    KH_OK = 0,
    KH_STOP = 1,              /* a callback's "stop here", not an error */
    KH_E_BASE = -1000,
    KH_E_DECODE = -1001,      /* a message failed a length or type check */
    KH_E_PROTOCOL = -1002,    /* a well-formed message out of place */
    KH_E_UNUSABLE = -1003,    /* an extract file cannot be used */
    KH_E_MDB = -1004,         /* an LMDB error without a closer code */
    KH_E_MAP_FULL = -1005,    /* the store reached its size limit */
    KH_E_BUSY = -1006,        /* another run holds the store */
    KH_E_RECONCILE = -1007,   /* counts do not add up */
    KH_E_USAGE = -1008,       /* bad option or configuration */
    KH_E_TIMEOUT = -1009,     /* no progress within the time limit */
    KH_E_SCHEMA = -1010,      /* the store has an unknown schema version */
    KH_E_NOTFOUND = -1011,    /* no such run, table or record */
    KH_E_INTERRUPTED = -1012, /* stopped by a signal */
    KH_E_STAGE = -1013,       /* a stage process failed */
    KH_E_KEY = -1014,         /* the key file is unusable */
    KH_E_SOLVER = -1015,      /* the linear-programming solver failed */
    KH_E_PROTECT = -1016,     /* step 7.3 found no cells that protect a cell */
    KH_E_DAMAGED = -1050,     /* the store's files are damaged or not a store */
    KH_E_MODE = -1051,        /* the store's files have the wrong type, mode or owner */
};

/* A sentence fragment explaining `code` (project, -errno or 0).
 * Borrowed: static or thread-local storage, valid until the next call. */
const char *kh_strerror(int code);

/* Convert an LMDB return code into a kohort code (0 stays 0). */
int kh_err_from_mdb(int rc);

#endif
