# Smaller holes: quarantine CSV values that a spreadsheet would run as a
# formula (= + - @) come out behind an apostrophe (JSON keeps them as they
# are); a /metrics request holding a NUL byte is closed at once, not held
# until its deadline; a worker stopped by SIGTERM exits by itself (status 1),
# not by the SIGKILL after the grace period.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/lib_ops.sh"
export KOHORT_RUNS_DIR="$T/runs"
gen "$T/ex" 3000 21
python3 - "$T/ex/bosatte.csv" <<'PY'
import sys
p = sys.argv[1]
lines = open(p, encoding="latin-1").read().splitlines()
fnr = lines[1].split(";")[0]
evil = ['=HYPERLINK("http://x";"y")', "+1+1", "-2+3", "@SUM(A1)"]
with open(p, "a", encoding="latin-1") as f:
    for e in evil:
        f.write(f'{fnr};2024;"{e.replace(chr(34), chr(34) * 2)}"\n')
PY
port=$(python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --workers 2 --quiet \
  --stall-timeout 120 --metrics "127.0.0.1:$port" >"$T/out" 2>"$T/err" &
run_pid=$!
bg_pids+=("$run_pid")
hold_link || fail "the linker could not be held"
python3 - "$port" <<'PY' || fail "a request with a NUL byte was not closed at once"
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"GET /met\0rics HTTP/1.1\r\nHost: x\r\n")   # no end of headers: only the NUL ends it
s.settimeout(8)   # the server's own deadline is 10 s
try:
    data = s.recv(100)
except socket.timeout:
    sys.exit(1)
sys.exit(0 if data == b"" else 1)
PY
# SIGTERM to one validator: it exits by itself and is replaced
vpid=$(pgrep -P "$run_pid" -x kohort-validate | head -n 1)
kill -TERM "$vpid"
wait_for grep -q "stage_replaced worker=validate\.[0-9]* pid=$vpid " "$T/err" || fail "the validator did not exit"
grep -q "pid=$vpid reason=\"died (exit status 1)" "$T/err" || fail "the validator was not stopped by SIGTERM: $(grep "pid $vpid" "$T/err")"
kill -CONT "$link_pid"
wait "$run_pid" || fail "the run failed: $(tail -n 2 "$T/err")"
"$KOHORT" quarantine --store "$T/st" >"$T/q.csv"
for v in "=HYPERLINK" "+1+1" "-2+3" "@SUM(A1)"; do
  grep -qF ",\"'$v" "$T/q.csv" || fail "$v is not neutralised: $(grep -F "$v" "$T/q.csv")"
  ! grep -qF ",$v" "$T/q.csv" || fail "$v comes out raw"
done
"$KOHORT" quarantine --store "$T/st" --format json >"$T/q.json"
grep -qF '"value": "=HYPERLINK' "$T/q.json" || fail "JSON must keep the value as it is"
echo "small holes: csv, nul, sigterm"
