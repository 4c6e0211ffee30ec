# lib.sh - shared set-up of the end-to-end tests: a private temporary
# directory, the executables under test, and clean-up of every process a
# test started. Sourced by tests/e2e/test_*.sh. KOHORT_KEEP=1 keeps the
# directory of a test that fails.
set -euo pipefail
KOHORT_BIN=${KOHORT_BIN:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/bin}
KOHORT="$KOHORT_BIN/kohort"
T=$(mktemp -d "${TMPDIR:-/tmp}/kohort-test.XXXXXX")
bg_pids=()
cleanup() {
  local rc=$? p
  for p in "${bg_pids[@]+"${bg_pids[@]}"}"; do
    kill -9 "$p" 2>/dev/null || true
  done
  # every stage of a run started here dies with its run (PR_SET_PDEATHSIG)
  wait 2>/dev/null || true
  # KOHORT_KEEP=1: a failed test leaves its directory (store, logs) behind
  if [ $rc -ne 0 ] && [ "${KOHORT_KEEP:-0}" = 1 ]; then
    echo "kept: $T" >&2
  else
    rm -rf "$T"
  fi
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Generated extract of N persons (seed S) into DIR, cached per test.
gen() { "$KOHORT" gen --out "$1" --persons "$2" --seed "${3:-1}" >/dev/null; }

# All four indicator tables of every year, as CSV.
dump() {
  local store=$1 t
  for t in exit status cost followup; do
    "$KOHORT" query --store "$store" --table "$t" --ref-year all --format csv
  done
}

# Waits (bounded) until a command succeeds: polling a condition, not
# standing in for synchronisation by a fixed sleep.
wait_for() {
  local tries=${WAIT_TRIES:-1200}
  while ! "$@" >/dev/null 2>&1; do
    tries=$((tries - 1))
    [ $tries -gt 0 ] || return 1
    sleep 0.05
  done
}

json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# expect_failure WHAT STORE BEFORE PATTERN CMD...: CMD (a failing run on
# STORE) must exit 1 with PATTERN in its stderr (kept in $T/err), and leave
# the indicators of STORE as the dump in file BEFORE holds them.
expect_failure() {
  local what=$1 store=$2 before=$3 pattern=$4 rc
  shift 4
  set +e
  "$@" 2>"$T/err"
  rc=$?
  set -e
  [ $rc -eq 1 ] || fail "$what: exit $rc, not 1: $(cat "$T/err")"
  grep -q -- "$pattern" "$T/err" || fail "$what: message does not match '$pattern': $(cat "$T/err")"
  dump "$store" >"$T/after.csv"
  cmp -s "$before" "$T/after.csv" || fail "$what changed the indicators"
}
