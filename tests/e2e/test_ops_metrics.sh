# The operator's views of a real run: while it runs, /metrics (Prometheus
# text, the expected names, every stage up), /health 200, and `kohort status
# --json` (with and without --store) naming every stage process; after it,
# no run in progress, the endpoint gone, and the metrics file and `kohort
# metrics` agreeing with the ledger (`kohort runs --format json`).
#
# The run is held in the middle by stopping the linker (SIGSTOP) as soon as
# it is ready, and let go with SIGCONT: the checks never race the run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ops.sh"
export KOHORT_RUNS_DIR="$T/runs"
gen "$T/ex" 300000
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')

stage_pid() {
  status_json | python3 -c 'import json,sys; d=json.load(sys.stdin); print([s["pid"] for s in d["stages"] if s["stage"]==sys.argv[1]][0])' "$1"
}
all_stages() {
  status_json | python3 -c '
import json, sys
d = json.load(sys.stdin)
names = sorted((s["stage"], s["worker"]) for s in d["stages"])
want = sorted([("ingest",0),("validate",0),("validate",1),("anonymise",0),("anonymise",1),("link",0),("aggregate",0),("sink",0)])
sys.exit(0 if d["running"] and names == want else 1)'
}

mkdir -p "$T/textfile"
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 2 --stall-timeout 120 \
  --metrics "127.0.0.1:$port" --metrics-file "$T/textfile/kohort.prom" >"$T/out" 2>"$T/err" &
run_pid=$!
bg_pids+=("$run_pid")

# the anonymisers start once the linker is ready: hold the linker there
hold_link || fail "the linker could not be held"
wait_for all_stages || { status_json; fail "not every stage process is in the status"; }
kill -0 "$run_pid" || fail "the run ended before the checks"

# /metrics while the run lasts
curl -sS -D "$T/headers" "http://127.0.0.1:$port/metrics" >"$T/live.prom" || fail "no /metrics"
grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/headers" || fail "content type: $(cat "$T/headers")"
for name in kohort_stage_received_rows_total kohort_stage_sent_rows_total kohort_stage_rejected_rows_total \
            kohort_stage_busy_seconds_total kohort_stage_resident_memory_bytes kohort_stage_up \
            kohort_run_progress_ratio kohort_run_started_timestamp_seconds kohort_run_healthy; do
  grep -q "^$name[{ ]" "$T/live.prom" || fail "/metrics lacks $name"
done
grep -q '^kohort_stage_received_rows_total{stage="validate",worker="1",table="bosatte"} ' "$T/live.prom" \
  || fail "no per-table series for validate.1"
grep -q '^kohort_run_progress_ratio{table="bosatte"} ' "$T/live.prom" || fail "no progress of bosatte"
for s in ingest validate anonymise link aggregate sink; do
  grep -q "^kohort_stage_up{stage=\"$s\",worker=\"0\"} 1$" "$T/live.prom" || fail "$s is not up in /metrics"
done
# the exposition format: every sample's family declared once, before it
python3 - "$T/live.prom" <<'PY'
import re, sys
typed, seen = {}, set()
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if line.startswith("# TYPE "):
        _, _, name, kind = line.split(" ")
        assert name not in typed, "family twice: " + name
        typed[name] = kind
        continue
    if line.startswith("#") or not line:
        continue
    m = re.match(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (-?[0-9.eE+]+|NaN)$', line)
    assert m, "bad sample: " + line
    assert m.group(1) in typed, "undeclared: " + line
    if typed[m.group(1)] == "counter":
        assert m.group(1).endswith("_total"), m.group(1)
PY
[ "$(curl -sS -o "$T/health" -w '%{http_code}' "http://127.0.0.1:$port/health")" = 200 ] \
  || fail "/health: $(cat "$T/health")"
grep -qx ok "$T/health" || fail "/health body: $(cat "$T/health")"
[ "$(curl -sS -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/nothing")" = 404 ] || fail "404"

# status --json while the run lasts, with --store and found without it
status_json >"$T/status.json"
"$KOHORT" status --json >"$T/status2.json" || fail "status without --store"
python3 - "$T/status.json" "$T/status2.json" "$T/ex" <<'PY'
import json, os, sys
for path in sys.argv[1:3]:
    d = json.load(open(path))
    assert d["running"] is True and d["state"] in ("starting", "running"), d
    assert d["run"] and d["started"].endswith("Z") and d["healthy"] is True, d
    assert d["progress"]["tables"]["bosatte"]["bytes_total"] == os.path.getsize(sys.argv[3] + "/bosatte.csv")
    for s in d["stages"]:
        assert s["pid"] > 0 and s["alive"] and s["state"], s
        for k in ("rows_in", "rows_out", "rows_rejected", "batches_in", "batches_out"):
            assert k in s["counters"], s
assert json.load(open(sys.argv[1]))["run"] == json.load(open(sys.argv[2]))["run"]
PY
"$KOHORT" status --store "$T/st" >"$T/status.txt" || fail "status as text"
grep -q '^validate x2' "$T/status.txt" || fail "status text: $(cat "$T/status.txt")"
[ "$(stat -c %a "$T/st/run.status")" = 600 ] || fail "the snapshot is not owner-only"

# let the run go on to its end
kill -CONT "$link_pid"
rc=0
wait "$run_pid" || rc=$?
[ $rc -eq 0 ] || { tail -n 5 "$T/err"; fail "the run exited $rc"; }

# after it: no run in progress, no snapshot, no endpoint
status_json >"$T/after.json"
json 'd["running"]' <"$T/after.json" | grep -qx False || fail "still running: $(cat "$T/after.json")"
"$KOHORT" status --json | json 'd["running"]' | grep -qx False || fail "still registered"
[ ! -e "$T/st/run.status" ] || fail "the snapshot was left behind"
! curl -s -m 2 "http://127.0.0.1:$port/health" >/dev/null || fail "the endpoint outlived the run"

# the metrics file and `kohort metrics` against the ledger
"$KOHORT" runs --store "$T/st" --format json >"$T/runs.json"
"$KOHORT" metrics --store "$T/st" >"$T/ledger.prom" || fail "kohort metrics"
ls "$T/textfile" | grep -qvx kohort.prom && fail "temporary files left: $(ls "$T/textfile")"
python3 - "$T/runs.json" "$T/ledger.prom" "$T/textfile/kohort.prom" <<'PY'
import calendar, json, re, sys, time
run = json.load(open(sys.argv[1]))[0]
def samples(path):
    out = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        key, value = line.rsplit(" ", 1)
        out[key] = float(value)
    return out
ledger, mfile = samples(sys.argv[2]), samples(sys.argv[3])
finished = calendar.timegm(time.strptime(run["finished"], "%Y-%m-%dT%H:%M:%SZ"))
for s in (ledger, mfile):
    assert s["kohort_last_run_success"] == 1
    assert s['kohort_ledger_runs{status="ok"}'] == 1
    assert abs(s["kohort_last_success_timestamp_seconds"] - finished) < 1.01, (s["kohort_last_success_timestamp_seconds"], finished)
    assert s['kohort_last_run_info{run="%s",status="ok"}' % run["run"]] == 1
    assert s["kohort_last_run_ref_year"] == run["ref_year"]
    for table, t in run["tables"].items():
        for what in ("read", "accepted", "rejected", "out_of_scope"):
            assert s['kohort_last_run_%s_rows{table="%s"}' % (what, table)] == t[what], (table, what)
    for kind, n in run["persons"].items():
        assert s['kohort_last_run_persons{kind="%s"}' % kind] == n, kind
# the run's own counters in the file add up to the ledger
assert mfile['kohort_run_phase{phase="committed"}'] == 1
for table, t in run["tables"].items():
    sent = mfile['kohort_stage_sent_rows_total{stage="ingest",worker="0",table="%s"}' % table]
    assert sent == t["read"], (table, sent, t["read"])
    # the stages' rejections never exceed the ledger's (the workers' last
    # second of counters may not have reached the run before it ended)
    rej = sum(v for k, v in mfile.items()
              if k.startswith('kohort_stage_rejected_rows_total{') and 'table="%s"' % table in k)
    assert rej <= t["rejected"], (table, rej, t["rejected"])
PY
