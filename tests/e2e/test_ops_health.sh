# Health and the ledger's metrics when things go wrong: /health turns 503
# when no stage made progress for half the stall timeout and back to 200 when
# rows flow again; a run whose linker is killed fails (exit 1) and its metrics
# file and `kohort metrics` say so while keeping the time of the last
# success; a `kohort run` killed outright leaves a snapshot that `kohort
# status` does not count as a run in progress.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ops.sh"
export KOHORT_RUNS_DIR="$T/runs"
gen "$T/ex" 300000
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
url="http://127.0.0.1:$port"

stage_pid() {
  status_json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print([s["pid"] for s in d["stages"] if s["stage"] == sys.argv[1] and s["worker"] == int(sys.argv[2])][0])' "$1" "${2:-0}"
}
health_is() { [ "$(curl -s -o "$T/health" -w '%{http_code}' "$url/health")" = "$1" ]; }

# 1. a good run: the ledger has a success
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 2 --quiet >"$T/out1" 2>"$T/err1" \
  || fail "the first run failed: $(cat "$T/err1")"
[ ! -s "$T/out1" ] || fail "--quiet printed: $(cat "$T/out1")"
first_ok=$("$KOHORT" runs --store "$T/st" --format json | json 'd[0]["finished"]')

# 2. a stall: the linker stopped, /health 503 after half the stall timeout
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 2 --stall-timeout 8 \
  --metrics "127.0.0.1:$port" --quiet >"$T/out2" 2>"$T/err2" &
run_pid=$!
bg_pids+=("$run_pid")
hold_link || fail "the linker could not be held: $(tail -n 3 "$T"/err*)"
wait_for health_is 200 || fail "/health is not 200 at first: $(cat "$T/health")"
WAIT_TRIES=400 wait_for health_is 503 || { kill -CONT "$link_pid"; fail "/health never turned 503"; }
grep -q "no stage made progress" "$T/health" || fail "/health says: $(cat "$T/health")"
curl -s "$url/metrics" >"$T/stalled.prom"
kill -CONT "$link_pid"
grep -qx 'kohort_run_healthy 0' "$T/stalled.prom" || fail "/metrics does not show the stall"
rc=0
wait "$run_pid" || rc=$?
[ $rc -eq 0 ] || fail "the stalled run did not recover: exit $rc: $(cat "$T/err2")"

# 3. a stage killed: exit 1, the metrics say the last run failed
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 2 \
  --metrics-file "$T/kohort.prom" --quiet >"$T/out3" 2>"$T/err3" &
run_pid=$!
bg_pids+=("$run_pid")
hold_link || fail "the linker could not be held: $(tail -n 3 "$T"/err*)"
wait_for has_stage ingest || fail "ingest never started"
kill -KILL "$link_pid"
rc=0
wait "$run_pid" || rc=$?
[ $rc -eq 1 ] || fail "a run with a killed stage exited $rc: $(tail -n 3 "$T/err3") $(tail -n 3 "$T/out3")"
grep -q "failed: stage link.0 .* killed by signal 9" "$T/err3" || fail "no reason: $(cat "$T/err3")"
"$KOHORT" metrics --store "$T/st" >"$T/ledger.prom"
for f in "$T/ledger.prom" "$T/kohort.prom"; do
  grep -qx 'kohort_last_run_success 0' "$f" || fail "$f: the last run is not failed"
  grep -qx 'kohort_ledger_runs{status="failed"} 1' "$f" || fail "$f: no failed run counted"
  grep -qx 'kohort_ledger_runs{status="ok"} 2' "$f" || fail "$f: two good runs"
done
grep -qx 'kohort_run_phase{phase="failed"} 1' "$T/kohort.prom" || fail "the file's run is not failed"
grep -qx 'kohort_run_healthy 0' "$T/kohort.prom" || fail "the failed run is healthy"
python3 - "$T/ledger.prom" "$("$KOHORT" runs --store "$T/st" --format json | json 'd[1]["finished"]')" <<'PY'
import calendar, sys, time
want = calendar.timegm(time.strptime(sys.argv[2], "%Y-%m-%dT%H:%M:%SZ"))
for line in open(sys.argv[1]):
    if line.startswith("kohort_last_success_timestamp_seconds "):
        got = float(line.split()[1])
        assert abs(got - want) < 1.01, (got, want)
        break
else:
    raise SystemExit("no kohort_last_success_timestamp_seconds")
PY
[ "$first_ok" ] || fail "no first run"

# 4. `kohort run` killed outright: its snapshot does not count as a run
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 2 --quiet >/dev/null 2>"$T/err4" &
run_pid=$!
bg_pids+=("$run_pid")
link_or_ended() { has_stage link || ! kill -0 "$run_pid" 2>/dev/null; }
if ! { wait_for link_or_ended && kill -0 "$run_pid" 2>/dev/null; }; then
  rc=0
  wait "$run_pid" || rc=$?
  fail "the fourth run ended early (exit $rc): $(cat "$T/err4")"
fi
kill -KILL "$run_pid"
wait "$run_pid" 2>/dev/null || true
[ -e "$T/st/run.status" ] || fail "the killed run left no snapshot to test with"
status_json | json 'd["running"]' | grep -qx False || fail "a dead run counts as running"
"$KOHORT" status --json | json 'd["running"]' | grep -qx False || fail "a dead run is found without --store"
[ -z "$(ls -A "$KOHORT_RUNS_DIR")" ] || fail "the dead run's pointer stayed: $(ls "$KOHORT_RUNS_DIR")"
"$KOHORT" top --store "$T/st" | grep -q "no import is running" || fail "top watches a dead run"
