# The pseudonymisation key: `kohort keygen` writes one readable by its owner
# only; `--key` refuses a file others may read (exit 2) and a malformed one;
# a run with a stable key gives the same indicators as one with a fresh key;
# the runtime directory of a run is readable by its owner only.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 2000 6
"$KOHORT" keygen "$T/key" || fail "keygen failed"
[ "$(stat -c %a "$T/key")" = 600 ] || fail "key file mode $(stat -c %a "$T/key")"
[ "$(tr -d '\n' <"$T/key" | wc -c)" = 64 ] || fail "key is not 64 hex digits"
set +e
"$KOHORT" keygen "$T/key" 2>/dev/null; [ $? -eq 1 ] || fail "keygen overwrote a key"
cp "$T/key" "$T/open.key"; chmod 644 "$T/open.key"
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --key "$T/open.key" --allow-synthetic-ids 2>"$T/err"
rc=$?
[ $rc -eq 2 ] || fail "a key readable by others: exit $rc"
grep -q "may be read by others" "$T/err" || fail "message: $(cat "$T/err")"
printf 'not a key\n' >"$T/bad.key"; chmod 600 "$T/bad.key"
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --key "$T/bad.key" --allow-synthetic-ids 2>/dev/null
[ $? -eq 2 ] || fail "a malformed key was accepted"
set -e
[ ! -e "$T/st/data.mdb" ] || fail "a refused run wrote the store"
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --key "$T/key" --allow-synthetic-ids --quiet
dump "$T/st" >"$T/with_key.csv"
"$KOHORT" run --extracts "$T/ex" --store "$T/st2" --allow-synthetic-ids --quiet
dump "$T/st2" >"$T/fresh.csv"
cmp -s "$T/with_key.csv" "$T/fresh.csv" || fail "the key changed the indicators"
# the runtime directory, seen while a run is held at its start
gen "$T/big" 100000 6
"$KOHORT" run --extracts "$T/big" --store "$T/st3" --allow-synthetic-ids --quiet &
pid=$!
bg_pids+=("$pid")
rundir() { pgrep -a -P "$pid" -f kohort-sink | sed -n 's/.*--dir \([^ ]*\).*/\1/p' | grep .; }
wait_for rundir || fail "no sink seen"
d=$(rundir)
mode=$(stat -c %a "$d" 2>/dev/null || echo gone)
[ "$mode" = 700 ] || [ "$mode" = gone ] || fail "runtime directory mode $mode"
wait "$pid"
[ ! -e "$d" ] || fail "runtime directory left behind"
