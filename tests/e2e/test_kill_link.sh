# The linker killed with SIGKILL in mid-run: the run exits 1 with one
# sentence naming the stage, every child is gone, the indicator tables are
# exactly as the last successful run left them, and the ledger records the
# failure and its reason. A run afterwards succeeds with identical results.
source "$(dirname "$0")/lib.sh"
gen "$T/small" 3000 3
gen "$T/big" 60000 3
"$KOHORT" run --extracts "$T/small" --store "$T/st" --allow-synthetic-ids --quiet
dump "$T/st" >"$T/before.csv"

"$KOHORT" run --extracts "$T/big" --store "$T/st" --allow-synthetic-ids --workers 2 --quiet \
  >"$T/out" 2>"$T/err" &
run_pid=$!
bg_pids+=("$run_pid")
link_pid() { pgrep -P "$run_pid" -f kohort-link; }
# wait until the linker has taken in rows of the population tables: then it
# is in the middle of the run
ingest_busy() { pgrep -P "$run_pid" -f kohort-ingest >/dev/null && link_pid >/dev/null; }
wait_for ingest_busy || fail "the run's stages never started"
kill -9 "$(link_pid)"
set +e
wait "$run_pid"
rc=$?
set -e
[ $rc -eq 1 ] || fail "run exited $rc, not 1"
grep -q "failed: .*link" "$T/err" || fail "no reason naming the linker: $(cat "$T/err")"
[ -z "$(pgrep -P "$run_pid" 2>/dev/null)" ] || fail "children left behind"
pgrep -f "kohort-.*--run" | while read -r p; do
  grep -q "$T" "/proc/$p/cmdline" 2>/dev/null && fail "stage $p still runs"
done || true
dump "$T/st" >"$T/after.csv"
cmp "$T/before.csv" "$T/after.csv" || fail "the failed run changed the indicators"
"$KOHORT" runs --store "$T/st" --format json >"$T/runs.json"
python3 - "$T/runs.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
assert [r["status"] for r in runs] == ["failed", "ok"], runs
assert "link" in runs[0]["reason"], runs[0]["reason"]
PY
# the next run succeeds, and a rerun of the first extract gives the same rows
"$KOHORT" run --extracts "$T/small" --store "$T/st" --allow-synthetic-ids --quiet
dump "$T/st" >"$T/again.csv"
cmp "$T/before.csv" "$T/again.csv" || fail "results differ after recovery"
