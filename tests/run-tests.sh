#!/usr/bin/env bash
# run-tests.sh - runs every test: the unit test programs in $1, then the
# end-to-end tests of tests/e2e (real processes, real sockets, a real store),
# then the reference implementation's own fixtures. Prints one line per
# test and closes with "N passed, N failed, N skipped".
# KOHORT_BIN names the directory of the executables under test.
set -u
unitdir=${1:?usage: run-tests.sh UNIT_BIN_DIR}
here=$(cd "$(dirname "$0")" && pwd)
export KOHORT_BIN=${KOHORT_BIN:-$here/../bin}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
passed=0 failed=0 skipped=0 failures=()

run_one() {
  local name=$1; shift
  local log; log=$(mktemp)
  local t0=$SECONDS
  "$@" >"$log" 2>&1
  local rc=$?
  if [ $rc -eq 0 ]; then
    passed=$((passed + 1)); printf 'PASS %-40s %4ss\n' "$name" $((SECONDS - t0))
  elif [ $rc -eq 77 ]; then
    skipped=$((skipped + 1)); printf 'SKIP %-40s %s\n' "$name" "$(tail -n 1 "$log")"
  else
    failed=$((failed + 1)); failures+=("$name")
    printf 'FAIL %-40s (exit %d)\n' "$name" $rc
    sed 's/^/    | /' "$log" | tail -n 60
  fi
  rm -f "$log"
}

for t in "$unitdir"/test_*; do
  [ -x "$t" ] || continue
  run_one "unit/$(basename "$t")" "$t"
done
for t in "$here"/e2e/test_*.sh; do
  run_one "e2e/$(basename "$t" .sh)" bash "$t"
done
# the fuzz targets, briefly (`make fuzz` for longer)
run_one "fuzz/smoke" "$here/../tools/fuzz.sh" "${KOHORT_FUZZ_SECONDS:-15}"
if [ -x "$here/reference/check-fixtures.sh" ]; then
  run_one "reference/check-fixtures" "$here/reference/check-fixtures.sh"
fi

if [ ${#failures[@]} -gt 0 ]; then
  printf 'failed: %s\n' "${failures[*]}"
fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
