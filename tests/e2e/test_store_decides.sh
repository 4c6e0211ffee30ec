# The store decides a run's outcome. A sink killed right after its commit
# (before its RESULT reaches `kohort run`), and a supervisor stopped
# (SIGSTOP) past the stall timeout while the sink commits and exits, both
# end in exit 0 with the ledger entry `ok` (never overwritten by `failed`)
# and the committed tables. A stage held by back-pressure behind a stopped
# linker is not killed as stalled: the run fails naming the linker.
source "$(dirname "$0")/lib.sh"
if ! grep -q -a KOHORT_FAULT "$KOHORT_BIN/kohort-link"; then
  echo "not a test build (no fault injection): skipped"; exit 77
fi
gen "$T/ex" 3000 7
opts=(--allow-synthetic-ids --workers 2 --quiet)
"$KOHORT" run --extracts "$T/ex" --store "$T/clean" "${opts[@]}" 2>"$T/err" \
  || fail "undisturbed run failed: $(cat "$T/err")"
dump "$T/clean" >"$T/clean.csv"
first_run() { "$KOHORT" runs --store "$1" --format json | json 'd[0]["status"] if d else "none"'; }

# 1. the sink dies after its commit
set +e
KOHORT_FAULT=sink.0@committed "$KOHORT" run --extracts "$T/ex" --store "$T/a" "${opts[@]}" \
  --stall-timeout 20 >"$T/out" 2>"$T/err"
rc=$?
set -e
grep -q "fault injected" "$T/err" || fail "the fault after the commit was never reached"
[ $rc -eq 0 ] || fail "a committed run exited $rc: $(cat "$T/err")"
[ "$(first_run "$T/a")" = ok ] || fail "the ledger of a committed run is not ok"
dump "$T/a" >"$T/a.csv"
cmp -s "$T/clean.csv" "$T/a.csv" || fail "the committed tables differ"

# 2. the supervisor is stopped while the sink commits, past the stall timeout
"$KOHORT" gen --out "$T/big" --persons 30000 --seed 8 >/dev/null
"$KOHORT" run --extracts "$T/big" --store "$T/b" "${opts[@]}" --stall-timeout 2 \
  >"$T/out" 2>"$T/err" &
rp=$!
bg_pids+=("$rp")
wait_for pgrep -P "$rp" -x kohort-ingest || fail "ingest never started"
kill -STOP "$rp"            # the run takes seconds more: the commit comes later
sp=$(pgrep -P "$rp" -x kohort-sink)
zombie() { [ "$(ps -o stat= -p "$1" | cut -c1)" = Z ]; }
wait_for zombie "$sp" || fail "the sink did not finish while the supervisor was stopped"
[ "$(first_run "$T/b")" = ok ] || fail "the sink finished without committing: $(first_run "$T/b") $("$KOHORT" runs --store "$T/b") $(cat "$T/err")"
sleep 4                     # the stopped supervisor's clock passes the stall timeout
kill -CONT "$rp"
set +e
wait "$rp"
rc=$?
set -e
[ $rc -eq 0 ] || fail "a run committed while its supervisor was stopped exited $rc: $(cat "$T/err")"
[ "$(first_run "$T/b")" = ok ] || fail "the ledger was overwritten"
! grep -q "killing it" "$T/err" || fail "healthy workers were killed: $(cat "$T/err")"

# 3. a stopped linker: the workers behind it wait at the high-water mark,
# heartbeating; the run fails naming the linker, no worker is killed
"$KOHORT" run --extracts "$T/big" --store "$T/c" "${opts[@]}" --stall-timeout 3 \
  >"$T/out" 2>"$T/err" &
rp=$!
bg_pids+=("$rp")
wait_for pgrep -P "$rp" -x kohort-ingest || fail "ingest never started"
lp=$(pgrep -P "$rp" -x kohort-link)
kill -STOP "$lp"
set +e
wait "$rp"
rc=$?
set -e
kill -CONT "$lp" 2>/dev/null || true
[ $rc -eq 1 ] || fail "a run with a stopped linker exited $rc"
grep -q "failed: .*link" "$T/err" || fail "the reason does not name the linker: $(tail -n 2 "$T/err")"
! grep -q "killing it" "$T/err" || fail "workers held by back-pressure were killed: $(cat "$T/err")"
echo "store decides: 3 cases"
