# A `kohort run` killed by SIGKILL leaves its status snapshot, its pointer
# in the runs directory and its runtime directory with sockets; `kohort
# status` and the next run recognise the dead run, record it in the ledger
# as failed ("the supervisor died") and remove what it left. SIGHUP stops a
# run like SIGTERM: exit 1, ledger entry, nothing left behind. A supervisor
# killed after its run committed and its status snapshot went leaves
# nothing behind: the runtime files go before the snapshot.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 30000 6
export KOHORT_RUNS_DIR="$T/runs" XDG_RUNTIME_DIR="$T/xdg"
mkdir -p "$T/xdg"
chmod 700 "$T/xdg"
start() {
  "$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 2 --quiet \
    >"$T/out" 2>"$T/err" &
  rp=$!
  bg_pids+=("$rp")
  wait_for pgrep -P "$rp" -x kohort-ingest || fail "ingest never started"
}
no_children() { ! pgrep -P "$1" >/dev/null && ! pgrep -f "kohort-.*--dir $T/xdg" >/dev/null; }
debris() { ls "$T/st/run.status" "$T/runs/"* "$T/xdg/"* 2>/dev/null; }
ledger() { "$KOHORT" runs --store "$T/st" --format json | json "$1"; }

# 1. killed; `kohort status` clears it
start
kill -9 "$rp"
wait "$rp" 2>/dev/null || true
wait_for no_children "$rp" || fail "stages outlived their run"
[ -n "$(debris)" ] || fail "a killed run left nothing behind (the test cannot see its debris)"
"$KOHORT" status --store "$T/st" >"$T/status.out" 2>"$T/status.err" || fail "kohort status failed"
grep -q "died with its supervisor" "$T/status.err" || fail "status did not report the dead run: $(cat "$T/status.err")"
[ -z "$(debris)" ] || fail "debris left after kohort status: $(debris)"
[ "$(ledger 'd[0]["status"]')" = failed ] || fail "the dead run is not in the ledger as failed"
ledger 'd[0]["reason"]' | grep -q "supervisor died" || fail "the ledger reason: $(ledger 'd[0]["reason"]')"

# 2. killed; the next run clears it and succeeds
start
kill -9 "$rp"
wait "$rp" 2>/dev/null || true
wait_for no_children "$rp" || fail "stages outlived their run"
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 2 --quiet \
  >"$T/out" 2>"$T/err" || fail "the run after a killed one failed: $(cat "$T/err")"
grep -q "died with its supervisor" "$T/err" || fail "the next run did not report the dead run"
[ -z "$(debris)" ] || fail "debris left after the next run: $(debris)"
[ "$(ledger '",".join(x["status"] for x in d)')" = ok,failed,failed ] \
  || fail "ledger: $(ledger '",".join(x["status"] for x in d)')"

# 3. SIGHUP is SIGTERM
start
kill -HUP "$rp"
set +e
wait "$rp"
rc=$?
set -e
[ $rc -eq 1 ] || fail "SIGHUP: exit $rc, not 1"
grep -q "interrupted by signal 1" "$T/err" || fail "SIGHUP: $(cat "$T/err")"
[ -z "$(debris)" ] || fail "debris left after SIGHUP: $(debris)"
[ "$(ledger 'd[0]["status"]')" = failed ] || fail "SIGHUP: no failed ledger entry"

# 4. killed while it cleans up after a committed run, as soon as its status
#    snapshot is gone: the run stands as ok, nothing is left (a poll, not a
#    sleep: the window is the supervisor's last few system calls)
entries=$(ledger 'len(d)')
start
while [ ! -e "$T/st/run.status" ] && kill -0 "$rp" 2>/dev/null; do :; done
while [ -e "$T/st/run.status" ]; do :; done
kill -9 "$rp" 2>/dev/null || true
wait "$rp" 2>/dev/null || true
wait_for no_children "$rp" || fail "stages outlived their run"
[ -z "$(debris)" ] || fail "debris left by a supervisor killed after its snapshot went: $(debris)"
[ "$(ledger 'len(d)')" = $((entries + 1)) ] || fail "case 4: $(ledger 'len(d)') ledger entries"
[ "$(ledger 'd[0]["status"]')" = ok ] || fail "case 4: the committed run is not ok in the ledger"
echo "dead supervisor: 4 cases"
