# The hand-computed fixtures of tests/fixtures: kohort's stored indicators
# must equal each fixture's expected tables cell for cell (the reasoning
# behind every number is in the fixture's README).
source "$(dirname "$0")/lib.sh"
fixtures=$(cd "$(dirname "$0")/../fixtures" && pwd)
n=0
for f in "$fixtures"/*/; do
  name=$(basename "$f")
  [ -f "$f/expected/args.txt" ] || continue
  # shellcheck disable=SC2046
  "$KOHORT" run --extracts "$f/in" --store "$T/$name" --quiet --workers 2 $(cat "$f/expected/args.txt") \
    2>"$T/$name.err" || fail "$name: run failed: $(cat "$T/$name.err")"
  for t in exit status cost followup; do
    # followup is compared where the fixture computes it by hand
    [ -f "$f/expected/$t.csv" ] || continue
    "$KOHORT" query --store "$T/$name" --table $t --format csv >"$T/$name.$t.csv"
    diff -u "$f/expected/$t.csv" "$T/$name.$t.csv" >"$T/$name.$t.diff" \
      || { cat "$T/$name.$t.diff"; fail "$name: table $t differs from the hand-computed result"; }
  done
  n=$((n + 1))
done
[ $n -gt 0 ] || fail "no fixtures found"
echo "$n fixtures match"
