# Legal or merely odd input gets a clear outcome at once: 300 and 100 000
# header columns (extra columns are allowed); a FIFO or a directory named
# like a table is refused naming it (run and check, never a hang); an empty
# or all-rejected bosatte fails with a sentence saying so and a ledger where
# read = accepted + rejected; amounts whose sums or quotients would not fit
# 64 bits are rejected rows (bad_amount), not a failed run.
source "$(dirname "$0")/lib.sh"
gen "$T/base" 1500 12
fresh() { rm -rf "$T/$1"; cp -r "$T/base" "$T/$1"; }
run() {
  local name=$1; shift
  timeout 120 "$KOHORT" run --extracts "$T/$name" --store "$T/st.$name" --allow-synthetic-ids \
    --workers 2 --quiet "$@" >"$T/$name.out" 2>"$T/$name.err"
}
reconciles() {
  "$KOHORT" runs --store "$T/st.$1" --format json | python3 -c '
import json, sys
r = json.load(sys.stdin)[0]
for n, t in r["tables"].items():
    assert t["read"] == t["accepted"] + t["rejected"], (n, t)'
}
# wide headers: extra columns, rows as wide
fresh wide
python3 - "$T/wide" <<'PY'
import sys
d = sys.argv[1]
def widen(name, extra):
    lines = open(f"{d}/{name}", encoding="utf-8", errors="surrogateescape").read().splitlines()
    head = lines[0] + "".join(f";{i:x}" for i in range(extra))
    rows = [l + ";" * extra for l in lines[1:]]
    open(f"{d}/{name}", "w", encoding="utf-8", errors="surrogateescape").write("\n".join([head] + rows) + "\n")
widen("shj.csv", 300)
widen("ref_nasjonal.csv", 100000)
PY
run wide || fail "wide headers: $(tail -n 2 "$T/wide.err")"
reconciles wide || fail "wide headers: counts do not reconcile"

# not regular files
for kind in fifo dir; do
  fresh $kind
  rm "$T/$kind/bosatte.csv"
  if [ $kind = fifo ]; then mkfifo "$T/$kind/bosatte.csv"; else mkdir "$T/$kind/bosatte.csv"; fi
  set +e
  run $kind; rc=$?
  timeout 20 "$KOHORT" check --extracts "$T/$kind" --allow-synthetic-ids >/dev/null 2>"$T/$kind.check"
  crc=$?
  set -e
  [ $rc -eq 1 ] || fail "$kind: run exit $rc: $(tail -n 2 "$T/$kind.err")"
  grep -q "bosatte.csv is not a regular file" "$T/$kind.err" || fail "$kind: $(tail -n 1 "$T/$kind.err")"
  [ $crc -eq 1 ] || fail "$kind: check exit $crc"
  grep -q "bosatte.csv is not a regular file" "$T/$kind.check" || fail "$kind check: $(cat "$T/$kind.check")"
done

# empty and all-rejected bosatte
fresh empty; head -n 1 "$T/base/bosatte.csv" >"$T/empty/bosatte.csv"
fresh rejected
awk -F';' 'BEGIN{OFS=";"} NR==1{print; next} {$3="x"; print}' "$T/base/bosatte.csv" >"$T/rejected/bosatte.csv"
for name in empty rejected; do
  set +e; run $name; rc=$?; set -e
  [ $rc -eq 1 ] || fail "$name bosatte: exit $rc"
  grep -q "failed: bosatte.csv has no accepted row" "$T/$name.err" || fail "$name bosatte: $(tail -n 1 "$T/$name.err")"
  reconciles $name || fail "$name bosatte: the ledger does not reconcile"
done

# amounts out of range: rejected rows, the run goes on
fresh range
python3 - "$T/range" <<'PY'
import sys
d = sys.argv[1]
intro = open(f"{d}/f_intro.csv", encoding="latin-1").read().splitlines()
fnr = intro[1].split(";")[0]
with open(f"{d}/shj.csv", "a", encoding="latin-1") as f:
    for y in range(2017, 2025):
        for _ in range(12):
            f.write(f"{fnr};{y};999999999999999999;0301\n")
kost = open(f"{d}/ref_kostnader.csv", encoding="latin-1").read().splitlines()
kost = [l if i == 0 or not l.split(";")[1] == "2024" else ";".join(l.split(";")[:4] + ["0.00000000000000000001"])
        for i, l in enumerate(kost)]
open(f"{d}/ref_kostnader.csv", "w", encoding="latin-1").write("\n".join(kost) + "\n")
PY
run range || fail "amounts out of range failed the run: $(tail -n 1 "$T/range.err")"
reconciles range
"$KOHORT" quarantine --store "$T/st.range" >"$T/range.q"
n=$(grep -c ",shj.csv,.*,belop,bad_amount," "$T/range.q" || true); [ "$n" -ge 96 ] || fail "huge shj rows not rejected ($n): $(grep shj.csv "$T/range.q" | head -3)"
grep -q ',ref_kostnader.csv,.*,personer_malgruppe,bad_amount,' "$T/range.q" || fail "tiny personer_malgruppe not rejected"
echo "legal input: wide, fifo, dir, empty, rejected, range"
