# `kohort top` with eight workers a stage in an 80x24 terminal (tmux):
# grouped, the whole screen fits; expanded, it no longer does, so the last
# row says how to scroll and `j` scrolls; no line is wider than 80 columns;
# the AGE column shows each stage's heartbeat age.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ops.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
export KOHORT_RUNS_DIR="$T/runs"
tm() { tmux -S "$T/tmux.sock" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1 || true; cleanup' EXIT
gen "$T/ex" 100000
screen() { tm capture-pane -p -t "$1"; }
shows() { local out; out=$(screen "$1") && grep -q -- "$2" <<<"$out"; }

"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 8 \
  --stall-timeout 300 --quiet >"$T/out" 2>"$T/err" &
run_pid=$!
bg_pids+=("$run_pid")
hold_link || fail "the linker could not be held"

tm new-session -d -s top -x 80 -y 24 "'$KOHORT' top --store '$T/st'; echo top-exit=\$?; read -r _"
wait_for shows top '^sink ' || fail "top shows no sink line: $(screen top)"
# the validators start last, after the sink: wait for them too (a loaded
# machine once drew the screen between the two)
wait_for shows top '^validate x8 ' || fail "no grouped validate line: $(screen top)"
screen top >"$T/grouped.txt"
grep -q '^validate x8 ' "$T/grouped.txt" || fail "no grouped validate line: $(cat "$T/grouped.txt")"
grep -q '^q quit' "$T/grouped.txt" || fail "the grouped screen does not fit 24 rows: $(cat "$T/grouped.txt")"
grep "^STAGE " "$T/grouped.txt" | grep -qw AGE || fail "no AGE column"
grep -q '^link .* [0-9][0-9]*s$' "$T/grouped.txt" || fail "no heartbeat age on the link line"
tm send-keys -t top e
wait_for shows top 'j/k scroll' || fail "the expanded screen does not say how to scroll: $(screen top)"
screen top >"$T/expanded.txt"
awk 'length($0) > 80 { exit 1 }' "$T/expanded.txt" || fail "a line is wider than 80 columns"
first=$(head -n 1 "$T/expanded.txt")
for _ in 1 2 3 4 5 6 7 8 9 10; do tm send-keys -t top j; done
wait_for bash -c '[ "$(tmux -S "$1" capture-pane -p -t top | head -n 1)" != "$2" ]' _ "$T/tmux.sock" "$first" \
  || fail "j does not scroll: $(screen top)"
shows top '^  anonymise\.7 ' || fail "scrolled down, the last anonymiser is not shown: $(screen top)"
tm send-keys -t top q
wait_for shows top '^top-exit=0' || fail "q does not quit top: $(screen top)"
kill -CONT "$link_pid"
wait "$run_pid" || fail "the run failed: $(tail -3 "$T/err")"
echo ok
