# A full run on a generated extract: exit 0, a summary, indicators in all
# four tables, a ledger entry whose counts reconcile per file
# (read = accepted + rejected), and a quarantine naming file, line, reason.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 5000
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 2 >"$T/out" 2>"$T/err" \
  || { cat "$T/err"; fail "run exited $?"; }
grep -q "ok: reference year 2024" "$T/out" || fail "no summary: $(cat "$T/out")"
for t in exit status cost followup; do
  n=$("$KOHORT" query --store "$T/st" --table $t --format csv | wc -l)
  [ "$n" -gt 2 ] || fail "table $t has no rows"
done
"$KOHORT" runs --store "$T/st" --format json >"$T/runs.json"
python3 - "$T/runs.json" "$T/ex" <<'PY'
import json, os, sys, zlib
runs = json.load(open(sys.argv[1]))
for name, t in runs[0]["tables"].items():
    # the ledger keeps each file's size and the CRC-32 of its content
    path = os.path.join(sys.argv[2], t["file"])
    assert t["bytes"] == os.path.getsize(path), (name, t)
    assert t["crc32"] == "%08x" % zlib.crc32(open(path, "rb").read()), (name, t)
assert len(runs) == 1 and runs[0]["status"] == "ok" and runs[0]["reason"] is None, runs
r = runs[0]
for name, t in r["tables"].items():
    assert t["read"] == t["accepted"] + t["rejected"], (name, t)
    assert t["out_of_scope"] <= t["accepted"], (name, t)
for name in ("f_intro", "bosatte", "shj", "utdanning", "f_jobber", "befolkning"):
    assert name in r["tables"], name
p = r["persons"]
assert p["participants"] > 0 and p["placed"] > 0, p
assert r["ref_year"] == 2024 and r["cohorts"] == [2017, 2024], r
PY
"$KOHORT" quarantine --store "$T/st" >"$T/q.csv"
head -n 1 "$T/q.csv" | grep -qx "run,file,line,column,reason,value" || fail "quarantine header"
[ "$(wc -l <"$T/q.csv")" -gt 10 ] || fail "quarantine is empty"
# the quarantine holds exactly the rejected rows the ledger counts
python3 - "$T/runs.json" "$T/q.csv" <<'PY'
import csv, json, sys
r = json.load(open(sys.argv[1]))[0]
rows = list(csv.DictReader(open(sys.argv[2])))
total = sum(t["rejected"] for t in r["tables"].values())
assert len(rows) == total, (len(rows), total)
PY
# the runtime directory is gone
! ls -d /tmp/kohort-?????? 2>/dev/null | xargs -r -n1 sh -c 'test -S "$0/stats"' || true
