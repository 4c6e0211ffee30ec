#!/bin/sh
# check-fixtures.sh - run the reference oracle on every hand-computed fixture
# (tests/fixtures/<name>/in with expected/args.txt) and diff its exit, status
# and cost CSV (and followup where the fixture has it) against expected/.
# Exits non-zero on any difference; exits 77 (skip) with a message when
# DuckDB's Node binding cannot be installed.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! "$root/tools/install-duckdb.sh"; then
    echo "check-fixtures: SKIP, @duckdb/node-api is not available" >&2
    exit 77
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
passed=0 failed=0
for dir in "$root"/tests/fixtures/*/; do
    name=$(basename "$dir")
    [ -f "$dir/expected/args.txt" ] || continue
    # shellcheck disable=SC2046
    if node "$root/tests/reference/reference.mjs" --extracts "$dir/in" --out "$out/$name" \
            $(cat "$dir/expected/args.txt") \
        && diff -u "$dir/expected/exit.csv" "$out/$name/exit.csv" \
        && diff -u "$dir/expected/status.csv" "$out/$name/status.csv" \
        && diff -u "$dir/expected/cost.csv" "$out/$name/cost.csv" \
        && { [ ! -f "$dir/expected/followup.csv" ] \
             || diff -u "$dir/expected/followup.csv" "$out/$name/followup.csv"; }; then
        echo "ok   $name"; passed=$((passed + 1))
    else
        echo "FAIL $name"; failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
