# SIGTERM and SIGINT stop a run: every child stops, `kohort run` exits 1
# within 10 seconds with one sentence, the indicators stay as they were and
# the ledger records the interrupted run.
source "$(dirname "$0")/lib.sh"
gen "$T/small" 2000 2
gen "$T/big" 300000 2
"$KOHORT" run --extracts "$T/small" --store "$T/st" --allow-synthetic-ids --quiet
dump "$T/st" >"$T/before.csv"
for sig in TERM INT; do
  "$KOHORT" run --extracts "$T/big" --store "$T/st" --allow-synthetic-ids --quiet >"$T/out" 2>"$T/err" &
  pid=$!
  bg_pids+=("$pid")
  busy() { pgrep -P "$pid" -f kohort-ingest >/dev/null; }
  wait_for busy || fail "the run never started ingest"
  kill -s "$sig" "$pid"
  # bounded: 10 seconds
  gone() { ! kill -0 "$pid" 2>/dev/null; }
  WAIT_TRIES=200 wait_for gone || fail "SIG$sig: the run did not stop within 10 seconds"
  set +e; wait "$pid"; rc=$?; set -e
  [ $rc -eq 1 ] || fail "SIG$sig: exit $rc"
  grep -q "failed: interrupted by signal" "$T/err" || fail "SIG$sig: $(cat "$T/err")"
  run_id=$(sed -n 's/^kohort: run \([^ ]*\) failed.*/\1/p' "$T/err")
  [ -n "$run_id" ] || fail "SIG$sig: no run id in $(cat "$T/err")"
  [ -z "$(pgrep -f -- "--run $run_id" || true)" ] || fail "SIG$sig: stages left running"
  dump "$T/st" >"$T/after.csv"
  cmp -s "$T/before.csv" "$T/after.csv" || fail "SIG$sig changed the indicators"
  "$KOHORT" runs --store "$T/st" --format json | json 'd[0]["reason"]' | grep -q interrupted \
    || fail "SIG$sig: the ledger does not say why"
done
