# Fault injection (test builds: proto/fault.h): every stage is killed with
# SIGKILL at four points - early (right after it is ready), in mid-table
# (at a batch), at an end-of-table, and during the commit (the sink) or the
# final computation (the others). A validate or anonymise worker is replaced
# and the run gives exactly the indicators of an undisturbed run; a
# stateful stage fails the run cleanly (exit 1, one sentence, indicators
# unchanged, the ledger says why) and the next run succeeds identically.
source "$(dirname "$0")/lib.sh"
"$KOHORT" run --help >/dev/null
if ! grep -q -a KOHORT_FAULT "$KOHORT_BIN/kohort-link"; then
  echo "not a test build (no fault injection): skipped"; exit 77
fi
gen "$T/ex" 30000 5
run() { "$KOHORT" run --extracts "$T/ex" --store "$1" --allow-synthetic-ids --workers 2 --quiet \
          --stall-timeout 20 2>"$T/err"; }
run "$T/clean" || fail "undisturbed run failed: $(cat "$T/err")"
dump "$T/clean" >"$T/clean.csv"

faults=0
# workers: the run survives with identical results
for spec in validate.0@start validate.1@batch#3 validate.0@eot \
            anonymise.1@start anonymise.0@batch#3 anonymise.1@eot; do
  rm -rf "$T/w"
  KOHORT_FAULT=$spec run "$T/w" || fail "$spec: the run failed: $(cat "$T/err")"
  grep -q "fault injected" "$T/err" || fail "$spec: the fault was never reached"
  grep -q "starting a replacement" "$T/err" || fail "$spec: no replacement"
  dump "$T/w" >"$T/w.csv"
  cmp -s "$T/clean.csv" "$T/w.csv" || fail "$spec: indicators differ from the undisturbed run"
  faults=$((faults + 1))
done
# a worker killed at its end-of-table and then its replacement's too is
# still fine; a fault on the finish of a worker never comes (workers do not
# finish), so the fourth point of a worker is a second kill
rm -rf "$T/w"
KOHORT_FAULT=validate.1@batch#2 run "$T/w" || fail "second kill: $(cat "$T/err")"
faults=$((faults + 1))

# stateful stages: the run fails cleanly, the store keeps the clean run's rows
cp -r "$T/clean" "$T/s"
for spec in ingest.0@start ingest.0@batch#4 ingest.0@eot ingest.0@finish \
            link.0@start link.0@batch#5 link.0@eot link.0@finish \
            aggregate.0@start aggregate.0@batch aggregate.0@finish \
            sink.0@start sink.0@batch#2 sink.0@commit; do
  set +e
  KOHORT_FAULT=$spec run "$T/s"
  rc=$?
  set -e
  [ $rc -eq 1 ] || fail "$spec: exit $rc, not 1"
  stage=${spec%%@*}
  grep -q "failed: .*${stage%%.*}" "$T/err" || fail "$spec: the reason names no stage: $(cat "$T/err")"
  dump "$T/s" >"$T/s.csv"
  cmp -s "$T/clean.csv" "$T/s.csv" || fail "$spec: a failed run changed the indicators"
  reason=$("$KOHORT" runs --store "$T/s" --format json | json 'd[0]["status"] + ":" + (d[0]["reason"] or "")')
  case "$reason" in failed:*"${stage%%.*}"*) ;; *) fail "$spec: ledger says $reason" ;; esac
  faults=$((faults + 1))
done
# and the next run succeeds with identical results
run "$T/s" || fail "the run after the faults failed: $(cat "$T/err")"
dump "$T/s" >"$T/s.csv"
cmp -s "$T/clean.csv" "$T/s.csv" || fail "results differ after the faults"

# storage: a disk that is full at commit
expect_failure "disk full" "$T/s" "$T/clean.csv" "No space left" \
  env KOHORT_FAULT=sink.0@enospc "$KOHORT" run --extracts "$T/ex" --store "$T/s" \
  --allow-synthetic-ids --workers 2 --quiet --stall-timeout 20
faults=$((faults + 1))
echo "$faults faults injected"
