# `kohort check` applies the row rules without a store: per file the rows,
# the accepted and the rejected by reason, agreeing with what a run's
# validators rejected; exit 1 when a file is unusable; nothing is written.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 4000 8
cp -r "$T/ex" "$T/ex.before"
"$KOHORT" check --extracts "$T/ex" --allow-synthetic-ids >"$T/check.txt" || fail "check failed"
diff -r "$T/ex" "$T/ex.before" >/dev/null || fail "check changed the extract"
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --quiet
"$KOHORT" runs --store "$T/st" --format json >"$T/runs.json"
"$KOHORT" quarantine --store "$T/st" >"$T/q.csv"
python3 - "$T/check.txt" "$T/runs.json" "$T/q.csv" <<'PY'
import collections, csv, json, sys
lines = open(sys.argv[1]).read().splitlines()[1:]
run = json.load(open(sys.argv[2]))[0]["tables"]
q = list(csv.DictReader(open(sys.argv[3])))
# the validators' rejects: everything but the linker's judgements of people
linker = {"duplicate", "id_cycle"}
by_file = collections.defaultdict(collections.Counter)
for r in q:
    table = r["file"].split(".")[0]
    if r["reason"] in linker and not table.startswith("ref_"):
        continue
    by_file[r["file"]][r["reason"]] += 1
assert len(lines) == len(run), (lines, list(run))
for line in lines:
    f = line.split()
    name, rows, accepted, rejected = f[0], int(f[1]), int(f[2]), int(f[3])
    reasons = collections.Counter({k: int(v) for k, v in (x.split("=") for x in f[4:])})
    t = run[name.split(".")[0]]
    assert rows == t["read"], (name, rows, t)
    assert rows == accepted + rejected, line
    assert reasons == by_file[name], (name, reasons, by_file[name])
PY
# unusable: exit 1 with the file named
rm "$T/ex/befolkning.csv"
set +e
"$KOHORT" check --extracts "$T/ex" --allow-synthetic-ids >/dev/null 2>"$T/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "missing file: exit $rc"
grep -q "befolkning.csv" "$T/err" || fail "missing file not named: $(cat "$T/err")"
[ ! -e "$T/st2" ] || fail "check wrote a store"
