#!/usr/bin/env bash
# Disclosure control across reference years (spec/indicators.md 7.4), with
# the real processes: runs for 2022, 2024, 2023 and 2024 again into one
# store leave no cell suppressed in one stored year and shown in another;
# the same sequence into a second store gives the same tables; the ledger
# has the suppression figures; and a run killed while it changes another
# year (the sink at its commit, the aggregator right after 7.4) leaves
# every year exactly as it was, the ledger saying failed.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 20000 3
krun() { # STORE REF [ENV...]: one run of the extract for reference year REF
  local store=$1 ref=$2
  shift 2
  env "$@" "$KOHORT" run --extracts "$T/ex" --store "$store" --ref-year "$ref" \
    --allow-synthetic-ids --workers 1 --quiet --stall-timeout 60 2>"${ERR:-$T/err}"
}
# (the cost table has no suppressions of its own but follows exit's)
dump_all() { dump "$1"; }
exposed() { python3 "$(dirname "$0")/lib_across.py" "$KOHORT" "$1"; }

# the same sequence into a second store, beside the first (other work
# than the checks below, which read only the first)
( for y in 2022 2024 2023 2024; do
    ERR="$T/err.b" krun "$T/b" $y || { echo "second store, run for $y failed" >"$T/b.failed"; exit 1; }
  done ) &
second=$!
bg_pids+=("$second")
for y in 2022 2024 2023 2024; do
  krun "$T/a" $y || fail "run for $y failed: $(cat "$T/err")"
  out=$(exposed "$T/a") || fail "after the run for $y: $out"
  # a store holding 2022 alone, for the killed runs below
  [ -d "$T/c" ] || cp -r "$T/a" "$T/c"
done
# kohort audit: nothing exactly disclosed, no cross-year exposure
"$KOHORT" audit --store "$T/a" --format json >"$T/audit.json" 2>"$T/err" ||
  fail "kohort audit: $(cat "$T/audit.json" "$T/err")"
[ "$(json 'd["disclosed"]' <"$T/audit.json")" = 0 ] || fail "audit: disclosed cells"
[ "$(json 'd["across_years"]' <"$T/audit.json")" = 0 ] || fail "audit: cross-year exposures"
years=$("$KOHORT" query --store "$T/a" --table exit --ref-year all --format csv | cut -d, -f1 |
        sort -u | grep -c '^20') || true
[ "$years" = 3 ] || fail "the store holds $years reference years, not 3"

# the ledger: per table the cells of each step, the cells of other years
"$KOHORT" runs --store "$T/a" --format json >"$T/runs.json"
python3 - "$T/runs.json" <<'PY' || fail "the ledger's suppression figures are wrong"
import json, sys
runs = json.load(open(sys.argv[1]))
assert [r["ref_year"] for r in runs] == [2024, 2023, 2024, 2022], [r["ref_year"] for r in runs]
for r in runs:
    assert r["status"] == "ok"
    s = r["suppression"]
    assert set(s) == {"exit", "status"} or set(s) == {"exit", "status", "followup"}, s
    for t, v in s.items():
        assert set(v) == {"primary", "lines", "protection", "across_years", "narrow"}, v
        assert all(isinstance(x, int) and x >= 0 for x in v.values()), v
    assert isinstance(r["suppressed_elsewhere"], int)
first = runs[-1]
assert first["suppressed_elsewhere"] == 0 and first["years_changed"] == []
assert all(v["across_years"] == 0 for v in first["suppression"].values())
# a later year hides cells the earlier ones showed, and takes over theirs
assert sum(r["suppressed_elsewhere"] for r in runs) > 0, "7.4 never changed another year"
assert sum(v["across_years"] for r in runs for v in r["suppression"].values()) > 0
for r in runs:
    assert (r["suppressed_elsewhere"] > 0) == (r["years_changed"] != []), r
PY
# the sums of the steps are the base and count cells the run's year hides:
# for the newest run, its year as stored now (no later run changed it)
python3 - "$T/runs.json" "$KOHORT" "$T/a" <<'PY' || fail "the steps do not add up to the stored cells"
import csv, io, json, subprocess, sys
runs, kohort, store = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
r = runs[0]
base_counts = {"exit": ["exits", "attained", "to_work", "to_education", "parental_leave", "extended"],
               "status": ["persons", "work", "education", "work_or_education", "sa_recipients"]}
for t, cols in base_counts.items():
    out = subprocess.run([kohort, "query", "--store", store, "--table", t, "--ref-year",
                          str(r["ref_year"]), "--format", "csv"], capture_output=True, text=True,
                         check=True).stdout
    hidden = sum(1 for row in csv.DictReader(io.StringIO(out)) for c in cols if row[c] == "")
    s = r["suppression"][t]
    total = s["primary"] + s["lines"] + s["protection"] + s["across_years"]
    assert hidden == total, (t, hidden, s)
PY

# the same sequence into another store: the same tables, byte for byte
wait "$second" || fail "$(cat "$T/b.failed" 2>/dev/null): $(cat "$T/err.b")"
dump_all "$T/a" >"$T/a.csv"
dump_all "$T/b" >"$T/b.csv"
cmp -s "$T/a.csv" "$T/b.csv" || fail "the same runs into two stores differ"

# a run killed in the middle of a 7.4 change: the run for 2023 on a store
# holding 2022 alone changes 2022 (checked after the faults, on the run
# that then succeeds: the same computation)
dump_all "$T/c" >"$T/c.before"
if grep -q -a KOHORT_FAULT "$KOHORT_BIN/kohort-sink"; then
  for spec in sink.0@commit aggregate.0@across; do
    set +e
    krun "$T/c" 2023 KOHORT_FAULT=$spec
    rc=$?
    set -e
    [ $rc -eq 1 ] || fail "$spec: exit $rc, not 1: $(cat "$T/err")"
    grep -q "fault injected" "$T/err" || fail "$spec: the fault was never reached"
    dump_all "$T/c" >"$T/c.after"
    cmp -s "$T/c.before" "$T/c.after" || fail "$spec: a failed run changed the stored years"
    st=$("$KOHORT" runs --store "$T/c" --format json | json 'd[0]["status"] + " " + str(d[0]["ref_year"]) + " " + str("suppression" in d[0])')
    [ "$st" = "failed 2023 False" ] || fail "$spec: the ledger says $st"
  done
else
  echo "not a test build (no fault injection): the killed run is not tried"
fi
# the run that succeeds commits 2023 and the change to 2022 together
krun "$T/c" 2023 || fail "run for 2023 failed: $(cat "$T/err")"
changed=$("$KOHORT" runs --store "$T/c" --format json | json 'd[0]["years_changed"]')
[ "$changed" = "[2022]" ] || fail "the run for 2023 changed $changed, not [2022]"
"$KOHORT" query --store "$T/c" --table exit --ref-year 2022 --format csv >"$T/c.2022"
grep '^2022,' "$T/c.before" | head -n "$(($(wc -l <"$T/c.2022") - 1))" >"$T/c.2022.before"
cmp -s <(tail -n +2 "$T/c.2022") "$T/c.2022.before" && fail "2022 did not change"
out=$(exposed "$T/c") || fail "after 2022 and 2023: $out"
echo "ok: no cell hidden in one year and shown in another; $(wc -l <"$T/a.csv") rows compared"
