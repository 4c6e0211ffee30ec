#!/bin/sh
# check-fixtures.sh - run the reference oracle on every hand-computed fixture
# (tests/fixtures/<name>/in with expected/args.txt) and diff every table CSV
# the fixture has in expected/ (exit, status, cost, followup).
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
    ok=1
    # shellcheck disable=SC2046
    node "$root/tests/reference/reference.mjs" --extracts "$dir/in" --out "$out/$name" \
        $(cat "$dir/expected/args.txt") || ok=0
    # every table the fixture computes by hand (followup only in some)
    for t in exit status cost followup; do
        [ "$ok" -eq 1 ] && [ -f "$dir/expected/$t.csv" ] || continue
        diff -u "$dir/expected/$t.csv" "$out/$name/$t.csv" || ok=0
    done
    if [ "$ok" -eq 1 ]; then
        echo "ok   $name"; passed=$((passed + 1))
    else
        echo "FAIL $name"; failed=$((failed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
