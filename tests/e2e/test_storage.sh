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

expect_failure "map full" "$T/st" "$T/before.csv" "size limit" \
  "$KOHORT" run --extracts "$T/big" --store "$T/st" --allow-synthetic-ids --quiet \
  --store-max-bytes 1048576
"$KOHORT" runs --store "$T/st" --format json | json 'd[0]["reason"]' | grep -q "size limit" \
  || fail "the ledger does not say why"

if grep -q -a KOHORT_FAULT "$KOHORT_BIN/kohort-sink"; then
  expect_failure "an unwritable store" "$T/st" "$T/before.csv" "Permission denied" \
    env KOHORT_FAULT=sink.0@eacces "$KOHORT" run --extracts "$T/small" --store "$T/st" \
    --allow-synthetic-ids --quiet
fi

# without a limit the same run succeeds (growth past the first 8 MiB of the
# map is shown by the million rejected rows of test_hostile)
"$KOHORT" run --extracts "$T/big" --store "$T/st" --allow-synthetic-ids --quiet
"$KOHORT" quarantine --store "$T/st" >"$T/q.csv"
[ "$(wc -l <"$T/q.csv")" -gt 1000 ] || fail "quarantine missing"
