# The hand-computed fixtures of tests/fixtures: kohort's stored indicators
# must equal each fixture's expected tables cell for cell (the reasoning
# behind every number is in the fixture's README). Fixtures with k > 0 are
# computed by hand through steps 7.1-7.2 of disclosure control: they are
# compared cell for cell with step 7.3 turned off (test builds:
# KOHORT_NO_PROTECT), and with it on by what 7.3 must keep: the same rows,
# every value kohort shows is the expected one, every cell the fixture
# hides is hidden, and `kohort audit` finds nothing.
source "$(dirname "$0")/lib.sh"
fixtures=$(cd "$(dirname "$0")/../fixtures" && pwd)
test_build=0
grep -q -a KOHORT_NO_PROTECT "$KOHORT_BIN/kohort-aggregate" && test_build=1
krun() { # FIXTURE STORE [ENV...]
  local f=$1 store=$2
  shift 2
  # shellcheck disable=SC2046
  env "$@" "$KOHORT" run --extracts "$f/in" --store "$store" --quiet --workers 2 \
    $(cat "$f/expected/args.txt") 2>"$store.err" || fail "$(basename "$f"): run failed: $(cat "$store.err")"
}
same() { # FIXTURE STORE: cell for cell
  local f=$1 store=$2 name t
  name=$(basename "$f")
  for t in exit status cost followup; do
    # followup is compared where the fixture computes it by hand
    [ -f "$f/expected/$t.csv" ] || continue
    "$KOHORT" query --store "$store" --table $t --format csv >"$store.$t.csv"
    diff -u "$f/expected/$t.csv" "$store.$t.csv" >"$store.$t.diff" \
      || { cat "$store.$t.diff"; fail "$name: table $t differs from the hand-computed result"; }
  done
}
n=0
for f in "$fixtures"/*/; do
  f=${f%/}
  name=$(basename "$f")
  [ -f "$f/expected/args.txt" ] || continue
  n=$((n + 1))
  if grep -q -- '--min-cell 0' "$f/expected/args.txt"; then
    krun "$f" "$T/$name"
    same "$f" "$T/$name"
    continue
  fi
  if [ $test_build = 1 ]; then
    krun "$f" "$T/$name-7.2" KOHORT_NO_PROTECT=1
    same "$f" "$T/$name-7.2"
  fi
  krun "$f" "$T/$name"
  for t in exit status cost followup; do
    [ -f "$f/expected/$t.csv" ] || continue
    "$KOHORT" query --store "$T/$name" --table $t --format csv >"$T/$name.$t.csv"
    python3 - "$f/expected/$t.csv" "$T/$name.$t.csv" <<'PY' || fail "$name: table $t breaks what step 7.3 must keep"
import csv, sys
e, k = (list(csv.reader(open(p, newline=""))) for p in sys.argv[1:3])
assert len(e) == len(k) and e[0] == k[0], "other rows or columns"
last = e[0].index("suppressed")
for er, kr in zip(e[1:], k[1:]):
    for c, (a, b) in enumerate(zip(er, kr)):
        if c == last:
            continue
        assert b == "" or a == b, f"{er[:3]} {e[0][c]}: shown as {b}, expected {a or 'hidden'}"
PY
  done
  "$KOHORT" audit --store "$T/$name" >"$T/$name.audit" 2>&1 || fail "$name: kohort audit: $(cat "$T/$name.audit")"
done
[ $n -gt 0 ] || fail "no fixtures found"
echo "$n fixtures match"
