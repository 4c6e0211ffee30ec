# `kohort top` in a real 80x30 terminal (tmux): every stage on its own line
# with the columns the operator reads, the workers expanded with `e`, lines
# within 80 columns, `q` quits, and a second top ends by itself with the run
# and says how it ended. The run itself draws its --progress bar in another
# tmux pane and ends it with a newline.
#
# The run is held in the middle by stopping the linker (SIGSTOP) once it is
# ready, and let go with SIGCONT: the screens are read while rows wait in
# front of the linker.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ops.sh"
command -v tmux >/dev/null || { echo "tmux is not installed"; exit 77; }
export KOHORT_RUNS_DIR="$T/runs"
tm() { tmux -S "$T/tmux.sock" -f /dev/null "$@"; }
trap 'tm kill-server >/dev/null 2>&1 || true; cleanup' EXIT
gen "$T/ex" 300000

stage_pid() {
  status_json | python3 -c 'import json,sys; d=json.load(sys.stdin); print([s["pid"] for s in d["stages"] if s["stage"]==sys.argv[1]][0])' "$1"
}
screen() { tm capture-pane -p -t "$1"; }
shows() { local out; out=$(screen "$1") && grep -q -- "$2" <<<"$out"; }

tm new-session -d -s idle -x 80 -y 30
tm new-session -d -s run -x 80 -y 30 \
  "env KOHORT_RUNS_DIR='$KOHORT_RUNS_DIR' '$KOHORT' run --extracts '$T/ex' --store '$T/st' \
     --allow-synthetic-ids --workers 2 --stall-timeout 120 --progress >'$T/out'; echo run-exit=\$?; read -r _"
hold_link || fail "the linker could not be held"
wait_for has_stage ingest || fail "ingest never started"

# a top that is quit with q
tm new-session -d -s top1 -x 80 -y 30 "env KOHORT_RUNS_DIR='$KOHORT_RUNS_DIR' '$KOHORT' top; echo top-exit=\$?; read -r _"
wait_for shows top1 '^sink ' || fail "top shows no sink line: $(screen top1)"
# rows flow up to the stopped linker: wait until top shows ingest's reading
wait_for shows top1 'read [1-9]' || fail "top shows no progress: $(screen top1)"
screen top1 >"$T/top1.txt"
for s in ingest 'validate x2' 'anonymise x2' link aggregate sink; do
  grep -q "^$s " "$T/top1.txt" || fail "top lacks the $s line: $(cat "$T/top1.txt")"
done
for col in STATE IN/s OUT/s REJ BACKLOG UTIL% RSS; do
  grep "^STAGE " "$T/top1.txt" | grep -qw -- "$col" || fail "top lacks the column $col"
done
grep -q '^progress \[' "$T/top1.txt" || fail "top lacks the progress line"
grep -q 'bosatte .*%' "$T/top1.txt" || fail "top lacks the progress of bosatte"
grep -q 'left ~' "$T/top1.txt" || fail "top lacks the time left"
awk 'length($0) > 80 { exit 1 }' "$T/top1.txt" || fail "a line is wider than 80 columns"
tm send-keys -t top1 e
wait_for shows top1 '^  validate\.1 ' || fail "e does not expand the workers: $(screen top1)"
shows top1 '^  anonymise\.0 ' || fail "the anonymisers are not expanded"
tm send-keys -t top1 q
wait_for shows top1 '^top-exit=0' || fail "q does not quit top: $(screen top1)"

# a top whose stdout is not a terminal: plain frames, no escape codes
"$KOHORT" top --store "$T/st" >"$T/plain.txt" 2>&1 &
plain_pid=$!
bg_pids+=("$plain_pid")
wait_for grep -q '^sink ' "$T/plain.txt" || fail "the plain top wrote no frame"

# a top that ends with the run
tm new-session -d -s top2 -x 80 -y 30 "'$KOHORT' top --store '$T/st'; echo top-exit=\$?; read -r _"
wait_for shows top2 '^sink ' || fail "the second top shows nothing: $(screen top2)"
kill -CONT "$link_pid"
wait_for shows top2 '^top-exit=0' || fail "top did not end with the run: $(screen top2)"
shows top2 "^run .* committed" || fail "top does not say the run committed: $(screen top2)"
shows top2 "^kohort top  run .*  committed" || fail "the last screen is not the committed run: $(screen top2)"
wait "$plain_pid" || fail "the plain top did not exit 0 with the committed run"
grep -q $'\x1b' "$T/plain.txt" && fail "the plain top wrote escape codes"
grep -q "^run .* committed" "$T/plain.txt" || fail "the plain top does not say how the run ended"
# the last screen is the end state: no rates left standing
tail -n 20 "$T/plain.txt" | grep -q '^validate x2 .* done  *- *- ' \
  || fail "the last screen shows stale rates: $(tail -n 20 "$T/plain.txt")"
wait_for shows run '^run-exit=' || fail "the run did not end: $(screen run)"
shows run '^run-exit=0' || fail "the run failed: $(screen run)"
# --progress on a terminal: the bar's last state, ended by a newline
screen run >"$T/run.txt"
grep -q '^kohort \[#*\] 100% .* committed$' "$T/run.txt" || fail "no final progress bar: $(cat "$T/run.txt")"
grep -A1 'committed$' "$T/run.txt" | tail -n 1 | grep -q '^run-exit=0' || fail "the bar was not ended by a newline"
