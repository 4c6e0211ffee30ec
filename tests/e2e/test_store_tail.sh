# A store whose last pages LMDB left free and unwritten is whole, not
# damaged (issue 13, the soak's night 69): a commit can allocate pages at the
# end of data.mdb and free them again in the same transaction; LMDB then
# returns them to its free list without writing them, while the meta page
# counts them, so the file is shorter than the meta page says. Every command
# must read such a store (`kohort runs` printed nothing and exited 1, calling
# it damaged), and the next run must write it, extending the file. A file
# cut short of pages in use stays refused.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 1500 3
opts=(--allow-synthetic-ids --workers 2 --quiet)
"$KOHORT" run --extracts "$T/ex" --store "$T/st" "${opts[@]}" || fail "first run failed"
dump "$T/st" >"$T/before.csv"

# Runs the Python script on stdin (arguments "$@") with short(store)
# defined: whether the store's data.mdb is shorter than its newer meta page
# says, i.e. lacks pages at its end.
python_short() {
  python3 -c "$(cat <<'PY'
import os, struct
def short(store):
    with open(f"{store}/data.mdb", "rb") as f:
        b0 = f.read(152)
        psize = struct.unpack_from("<I", b0, 40)[0]
        f.seek(psize)
        b1 = f.read(152)
    # the newer meta page (txnid at 144) and its last page number (at 136)
    txnid, last = max((struct.unpack_from("<Q", b, 144)[0], struct.unpack_from("<Q", b, 136)[0])
                      for b in (b0, b1))
    return os.path.getsize(f"{store}/data.mdb") // psize < last + 1
PY
)
$(cat)" "$@"
}

# pages the file lacks at its end: "missing" or "whole"
tail_state() {
  python_short "$1" <<'PY'
import sys
print("missing" if short(sys.argv[1]) else "whole")
PY
}

# LMDB itself, through its C library, in commits of random puts and deletes
# in a database of its own, until a commit leaves the file short
python_short "$T/st" <<'PY' || fail "could not bring the store into the state LMDB leaves"
import ctypes, ctypes.util, random, sys
path = sys.argv[1]
lib = ctypes.CDLL(ctypes.util.find_library("lmdb") or "liblmdb.so.0")
class Val(ctypes.Structure):
    _fields_ = [("size", ctypes.c_size_t), ("data", ctypes.c_char_p)]
lib.mdb_env_set_mapsize.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
env = ctypes.c_void_p()
assert lib.mdb_env_create(ctypes.byref(env)) == 0
lib.mdb_env_set_maxdbs(env, 16)
lib.mdb_env_set_mapsize(env, 1 << 30)
assert lib.mdb_env_open(env, path.encode(), 0x10000, 0o600) == 0  # MDB_NOSYNC
random.seed(13)
for commit in range(1, 20001):
    txn, dbi = ctypes.c_void_p(), ctypes.c_uint()
    assert lib.mdb_txn_begin(env, None, 0, ctypes.byref(txn)) == 0
    assert lib.mdb_dbi_open(txn, b"scratch", 0x40000, ctypes.byref(dbi)) == 0  # MDB_CREATE
    base = random.randrange(100000)
    for i in range(random.randrange(200)):
        k, v = b"r%06d" % (base + i), b"v" * random.randrange(50, 300)
        lib.mdb_put(txn, dbi, ctypes.byref(Val(len(k), k)), ctypes.byref(Val(len(v), v)), 0)
    base = random.randrange(100000)
    for i in range(random.randrange(200)):
        k = b"r%06d" % (base + i)
        lib.mdb_del(txn, dbi, ctypes.byref(Val(len(k), k)), None)
    assert lib.mdb_txn_commit(txn) == 0
    if short(path):
        print(f"after {commit} commits the file is short of the meta page's count")
        break
else:
    sys.exit("LMDB never left unwritten pages at the end of data.mdb")
lib.mdb_env_close(env)
PY
[ "$(tail_state "$T/st")" = missing ] || fail "the store is not in the state under test"
size=$(stat -c %s "$T/st/data.mdb")

# the readers read it, and leave it as it is
"$KOHORT" runs --store "$T/st" --format json >"$T/runs.json" 2>"$T/err" \
  || fail "kohort runs: $(cat "$T/err")"
[ "$(json 'str(len(d)) + d[0]["status"]' <"$T/runs.json")" = 1ok ] || fail "runs: $(cat "$T/runs.json")"
"$KOHORT" quarantine --store "$T/st" --format json | json 'len(d)' >/dev/null \
  || fail "kohort quarantine"
"$KOHORT" metrics --store "$T/st" >"$T/metrics.txt" || fail "kohort metrics"
grep -q '^kohort_ledger_runs{status="ok"} 1$' "$T/metrics.txt" || fail "metrics: $(head -n 8 "$T/metrics.txt")"
"$KOHORT" status --store "$T/st" --json | json 'd' >/dev/null || fail "kohort status"
dump "$T/st" >"$T/read.csv"
cmp -s "$T/before.csv" "$T/read.csv" || fail "the indicators read differently"
"$KOHORT" backup --store "$T/st" --out "$T/backup.mdb" || fail "kohort backup"
[ "$(stat -c %s "$T/st/data.mdb")" = "$size" ] || fail "a reader changed data.mdb"

# the next run writes it and leaves the file whole
"$KOHORT" run --extracts "$T/ex" --store "$T/st" "${opts[@]}" 2>"$T/err" \
  || fail "the run on it failed: $(tail -n 2 "$T/err")"
[ "$(tail_state "$T/st")" = whole ] || fail "the run left pages unwritten at the end"
[ "$("$KOHORT" runs --store "$T/st" --format json | json '",".join(r["status"] for r in d)')" = ok,ok ] \
  || fail "the ledger after the second run"
dump "$T/st" >"$T/after.csv"
cmp -s "$T/before.csv" "$T/after.csv" || fail "the second run changed the indicators"

# pages in use cut off stay refused
cp -a "$T/st" "$T/half"
truncate -s $(( $(stat -c %s "$T/st/data.mdb") / 2 )) "$T/half/data.mdb"
set +e
"$KOHORT" runs --store "$T/half" --format json >/dev/null 2>"$T/err"
rc=$?
set -e
[ $rc -eq 1 ] && grep -q damaged "$T/err" || fail "a store cut to half: exit $rc: $(cat "$T/err")"
echo "store tail: unwritten free pages read and written over; a cut store refused"
