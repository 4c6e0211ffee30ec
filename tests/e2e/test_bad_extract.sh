# Unusable extracts fail the run with one sentence naming the file (and the
# column), exit 1, leave the indicators as they were and record the failure.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 2000
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --quiet
dump "$T/st" >"$T/before.csv"
expect_fail() {
  expect_failure "$1" "$T/st" "$T/before.csv" "$2" \
    "$KOHORT" run --extracts "$1" --store "$T/st" --allow-synthetic-ids --quiet
}
cp -r "$T/ex" "$T/nofile"; rm "$T/nofile/f_jobber.csv"
expect_fail "$T/nofile" "f_jobber.csv: required file is missing"
cp -r "$T/ex" "$T/nocol"; sed -i '1s/kommnr/kommune/' "$T/nocol/bosatte.csv"
expect_fail "$T/nocol" "bosatte.csv: .*kommnr"
cp -r "$T/ex" "$T/both"; gzip -k "$T/both/shj.csv"
expect_fail "$T/both" "shj.csv and shj.csv.gz"
cp -r "$T/ex" "$T/trunc"; gzip "$T/trunc/utdanning.csv"
head -c 2000 "$T/trunc/utdanning.csv.gz" >"$T/trunc/x" && mv "$T/trunc/x" "$T/trunc/utdanning.csv.gz"
expect_fail "$T/trunc" "utdanning.csv.gz"
cp -r "$T/ex" "$T/nul"; printf '\0' >>"$T/nul/befolkning.csv"
expect_fail "$T/nul" "befolkning.csv: NUL byte"
n=$("$KOHORT" runs --store "$T/st" --format json | json 'sum(1 for r in d if r["status"]=="failed")')
[ "$n" = 5 ] || fail "ledger has $n failed runs, not 5"
# usage errors exit 2
set +e
"$KOHORT" run --store "$T/st" 2>/dev/null; [ $? -eq 2 ] || fail "missing --extracts not a usage error"
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --min-cell x 2>/dev/null; [ $? -eq 2 ] || fail "bad --min-cell"
"$KOHORT" nosuch 2>/dev/null; [ $? -eq 2 ] || fail "unknown command"
set -e
