# Storage faults: a store that reaches its size limit (--store-max-bytes), a
# store that cannot be written (test-build fault hook: CI runs as root, so
# permissions stop nothing), and a map that grows past its first size as
# writes need. Each failure is one clear sentence, exit 1, and the indicator
# tables stay as they were.
source "$(dirname "$0")/lib.sh"
gen "$T/small" 2000 4
gen "$T/big" 150000 4
"$KOHORT" run --extracts "$T/small" --store "$T/st" --allow-synthetic-ids --quiet
dump "$T/st" >"$T/before.csv"
[ "$(stat -c %a "$T/st")" = 700 ] || fail "the store is readable by others"
[ "$(stat -c %a "$T/st/data.mdb")" = 600 ] || fail "the data file is readable by others"

set +e
"$KOHORT" run --extracts "$T/big" --store "$T/st" --allow-synthetic-ids --quiet \
  --store-max-bytes 1048576 2>"$T/err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "map full: exit $rc"
grep -q "size limit" "$T/err" || fail "map full: $(cat "$T/err")"
dump "$T/st" >"$T/after.csv"
cmp -s "$T/before.csv" "$T/after.csv" || fail "map full changed the indicators"
"$KOHORT" runs --store "$T/st" --format json | json 'd[0]["reason"]' | grep -q "size limit" \
  || fail "the ledger does not say why"

if grep -q -a KOHORT_FAULT "$KOHORT_BIN/kohort-sink"; then
  set +e
  KOHORT_FAULT=sink.0@eacces "$KOHORT" run --extracts "$T/small" --store "$T/st" \
    --allow-synthetic-ids --quiet 2>"$T/err"
  rc=$?
  set -e
  [ $rc -eq 1 ] || fail "unwritable store: exit $rc"
  grep -q "Permission denied" "$T/err" || fail "unwritable store: $(cat "$T/err")"
  dump "$T/st" >"$T/after.csv"
  cmp -s "$T/before.csv" "$T/after.csv" || fail "an unwritable store changed"
fi

# without a limit the same run succeeds (growth past the first 8 MiB of the
# map is shown by the million rejected rows of test_hostile)
"$KOHORT" run --extracts "$T/big" --store "$T/st" --allow-synthetic-ids --quiet
"$KOHORT" quarantine --store "$T/st" >"$T/q.csv"
[ "$(wc -l <"$T/q.csv")" -gt 1000 ] || fail "quarantine missing"
