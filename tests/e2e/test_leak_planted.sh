# No id anywhere, whatever column it lands in: 11-digit numbers are planted
# in every column of every table (a value where the column wants something
# else, and rows shifted by a column as in `ID1;ID2;0301`), as an extra
# header column, and as a duplicated header column (which fails the run).
# None of them may appear unmasked in the store files, `kohort quarantine`,
# `kohort runs`, stdout, stderr or the stages' logs.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 400 5
python3 - "$T/ex" "$T/planted" <<'PY'
import glob, os, random, sys
ex, out = sys.argv[1], sys.argv[2]
random.seed(13)
planted = []
def pid():
    v = "".join(random.choice("0123456789") for _ in range(11))
    planted.append(v)
    return v
for path in sorted(glob.glob(f"{ex}/*.csv")):
    lines = open(path, encoding="utf-8", errors="surrogateescape").read().splitlines()
    header, first = lines[0], lines[1].split(";")
    n = len(header.split(";"))
    extra = []
    for c in range(n):                      # an id under each column
        row = list(first); row[c] = pid(); extra.append(row)
        row = list(first); row[c] = "x" + pid() + "y"; extra.append(row)
    if n >= 2:                              # shifted: ID1;ID2;rest
        extra.append([pid(), pid()] + first[1:])
        extra.append([pid(), pid()] + first[2:])
    extra.append([pid() + pid()] + first[1:])   # 22 digits in a row
    if os.path.basename(path) == "shj.csv":  # an extra column named by an id
        header += ";" + pid()
        lines = [header] + [l + ";" for l in lines[1:]]
        extra = [r + [""] for r in extra]
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write("\n".join(lines + [";".join(r) for r in extra]) + "\n")
open(out, "w").write("\n".join(planted) + "\n")
PY
set +e
KOHORT_DEBUG=1 "$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids \
  --workers 2 >"$T/run1.out" 2>"$T/run1.err"
rc=$?
set -e
[ $rc -eq 0 ] || fail "the run with planted ids failed ($rc): $(tail -n 3 "$T/run1.err")"
# a duplicated header column named by an id: the run fails naming it masked
cp -r "$T/ex" "$T/ex2"
dup=31018512345
sed -i "1s/\$/;$dup;$dup/" "$T/ex2/bosatte.csv"
echo "$dup" >>"$T/planted"
set +e
KOHORT_DEBUG=1 "$KOHORT" run --extracts "$T/ex2" --store "$T/st" --allow-synthetic-ids \
  --workers 2 >"$T/run2.out" 2>"$T/run2.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "a duplicated header column did not fail the run ($rc)"
grep -q "3101\*\*\*\*\*\*5" "$T/run2.err" || fail "the failure does not name the column masked: $(tail -n 2 "$T/run2.err")"
set +e
"$KOHORT" check --extracts "$T/ex2" --allow-synthetic-ids >"$T/check.out" 2>"$T/check.err"
set -e
for r in $("$KOHORT" runs --store "$T/st" --format json | json '" ".join(x["run"] for x in d)'); do
  "$KOHORT" quarantine --store "$T/st" --run "$r" >>"$T/q.csv"
done
"$KOHORT" runs --store "$T/st" --format json >"$T/runs.json"
"$KOHORT" runs --store "$T/st" >"$T/runs.txt"
[ "$(wc -l <"$T/q.csv")" -gt 50 ] || fail "too few quarantined rows: $(wc -l <"$T/q.csv")"
python3 - "$T" <<'PY'
import glob, sys
T = sys.argv[1]
planted = [l for l in open(f"{T}/planted").read().split() if l]
files = glob.glob(f"{T}/st/*") + [f"{T}/{n}" for n in
        ("run1.out", "run1.err", "run2.out", "run2.err", "check.out", "check.err",
         "q.csv", "runs.json", "runs.txt")]
n = 0
for p in files:
    data = open(p, "rb").read()
    for v in planted:
        assert v.encode() not in data, f"{p}: planted id {v} found"
    n += 1
print(f"{len(planted)} planted ids, {n} files clean")
PY
