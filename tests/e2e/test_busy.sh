# Two runs on one store at once: the second is refused with exit status 3
# and a sentence saying the store is busy, and the first is not disturbed.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 3000
mkdir -p "$T/st"
# a holder of the run lock (what a running import holds) ...
exec 9>"$T/st/run.lock"
flock -n 9 || fail "cannot take the lock"
set +e
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids 2>"$T/err"
rc=$?
set -e
[ $rc -eq 3 ] || fail "second run exited $rc, not 3"
grep -q "busy" "$T/err" || fail "no busy message: $(cat "$T/err")"
exec 9>&-
# ... and a real run: a second one started while it runs is refused
gen "$T/big" 40000
"$KOHORT" run --extracts "$T/big" --store "$T/st2" --allow-synthetic-ids --quiet >"$T/out1" 2>&1 &
first=$!
bg_pids+=("$first")
# the run's status snapshot appears after it took the lock (probing with
# flock would take the lock itself for a moment and could refuse the run)
locked() { [ -e "$T/st2/run.status" ]; }
wait_for locked || fail "the first run never took the lock"
set +e
"$KOHORT" run --extracts "$T/ex" --store "$T/st2" --allow-synthetic-ids 2>"$T/err2"
rc=$?
wait "$first"
rc1=$?
set -e
if [ $rc -ne 3 ]; then
  # the first run may have finished before the second looked: only then is 0 right
  [ $rc -eq 0 ] || fail "second run exited $rc"
fi
[ $rc1 -eq 0 ] || fail "the first run failed: $(cat "$T/out1")"
