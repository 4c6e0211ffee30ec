#!/usr/bin/env bash
# kohort audit (spec/interface.md), with the real processes: a store that
# a run wrote (steps 7.1-7.4) gives nothing away, exit 0; a store written
# without step 7.3 (test builds: KOHORT_NO_PROTECT, like a store of an
# older kohort) has cells an outsider recovers exactly, and audit exits 1
# naming them; usage errors exit 2, a missing store 1.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 12000 2
krun() { # STORE EXTRACT [ENV...]
  local store=$1 ex=$2
  shift 2
  env "$@" "$KOHORT" run --extracts "$ex" --store "$store" --allow-synthetic-ids --workers 1 \
    --quiet --stall-timeout 60 2>"$T/err"
}
krun "$T/s" "$T/ex" || fail "run failed: $(cat "$T/err")"
set +e
"$KOHORT" audit --store "$T/s" >"$T/audit.txt" 2>"$T/audit.err"
rc=$?
"$KOHORT" audit --store "$T/s" --format json >"$T/audit.json" 2>>"$T/audit.err"
rcj=$?
set -e
[ $rc -eq 0 ] || fail "audit of a protected store exits $rc: $(cat "$T/audit.txt" "$T/audit.err")"
[ $rcj -eq 0 ] || fail "audit --format json exits $rcj"
[ "$(json 'd["disclosed"]' <"$T/audit.json")" = 0 ] || fail "disclosed cells: $(cat "$T/audit.json")"
[ "$(json 'd["across_years"]' <"$T/audit.json")" = 0 ] || fail "cross-year exposures"
sup=$(json 'sum(t["suppressed"] for y in d["years"] for t in y["tables"].values())' <"$T/audit.json")
[ "$sup" -gt 0 ] || fail "the audited store has no suppressed cells: nothing was tested"
grep -q '^exactly disclosed: 0; suppressed in one year and shown in another: 0$' "$T/audit.txt" ||
  fail "table output: $(cat "$T/audit.txt")"
# the ledger's protection figures
prot=$("$KOHORT" runs --store "$T/s" --format json |
       json 'sum(t["protection"] for t in d[0]["suppression"].values())')
echo "protection cells: $prot; suppressed cells: $sup"

# usage and missing store
set +e
"$KOHORT" audit --store "$T/s" --format csv >/dev/null 2>&1; [ $? -eq 2 ] || fail "--format csv not exit 2"
"$KOHORT" audit >/dev/null 2>&1; rc=$?
"$KOHORT" audit --store "$T/nothing" >/dev/null 2>"$T/err"; rcn=$?
set -e
[ $rc -eq 2 ] || fail "audit without --store exits $rc"
[ $rcn -eq 1 ] || fail "audit of a missing store exits $rcn"
grep -q 'no store at' "$T/err" || fail "missing store: $(cat "$T/err")"

# a store without step 7.3 (test builds only)
if ! grep -q -a KOHORT_NO_PROTECT "$KOHORT_BIN/kohort-aggregate"; then
  echo "not a test build (no KOHORT_NO_PROTECT): the unprotected store is skipped"
  exit 0
fi
# (a smaller extract: an unprotected store has many cells to solve for)
gen "$T/ex-small" 4000 2
krun "$T/raw" "$T/ex-small" KOHORT_NO_PROTECT=1 || fail "unprotected run failed: $(cat "$T/err")"
set +e
"$KOHORT" audit --store "$T/raw" >"$T/raw.txt" 2>"$T/raw.err"
rc=$?
set -e
[ $rc -eq 1 ] || fail "audit of an unprotected store exits $rc: $(cat "$T/raw.txt" "$T/raw.err")"
grep -q '^  disclosed 20[0-9][0-9] \(exit\|status\|followup\) [0-9,]* [a-z_]*: between' "$T/raw.txt" ||
  fail "no disclosed cell named: $(cat "$T/raw.txt")"
n=$("$KOHORT" audit --store "$T/raw" --format json | json 'd["disclosed"]') || true
[ "$n" -gt 0 ] || fail "json: $n disclosed"
echo "unprotected store: $n cells exactly disclosed"
