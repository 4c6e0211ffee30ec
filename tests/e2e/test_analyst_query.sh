# What an analyst loads: `kohort query --format jsonstat` for every table
# and all years is a JSON-stat 2.0 dataset (validated against a JSON schema
# of the format, read back by jsonstat-toolkit, every cell equal to the CSV
# output); the filters (--kommune lists with 0000, --cohort FROM[-TO] and
# 0000, followup's --horizon and --kjonn) give exactly the rows they name;
# --with-names adds kommunenavn; --csv-dialect excel-no writes ';' and a
# decimal comma that read back to the same numbers.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
if ! why=$("$root/tools/npm-install.sh" "$root/tests/jsonstat" jsonstat-toolkit 2>&1); then
  echo "$why"; exit 77
fi
gen "$T/ex" 30000 7
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --quiet
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --quiet --ref-year 2023
q() { "$KOHORT" query --store "$T/st" "$@"; }

for t in exit status cost followup; do
  q --table "$t" --ref-year all --format jsonstat >"$T/$t.json"
  q --table "$t" --ref-year all --format csv >"$T/$t.csv"
  node "$root/tests/jsonstat/check.mjs" "$T/$t.json" "$T/$t.csv" || fail "JSON-stat of $t"
done

# filters: each the rows of the unfiltered CSV that it names, and only those
python3 - "$KOHORT" "$T/st" <<'PY' || fail "filters"
import csv, io, subprocess, sys
kohort, store = sys.argv[1:]
def rows(*args):
    out = subprocess.run([kohort, "query", "--store", store, "--ref-year", "all",
                          "--format", "csv", *args], check=True, capture_output=True, text=True).stdout
    return list(csv.DictReader(io.StringIO(out)))
def check(table, args, keep):
    every = rows("--table", table)
    got = rows("--table", table, *args)
    want = [r for r in every if keep(r)]
    assert got == want, (table, args, len(got), len(want))
    assert want, (table, args, "selects nothing")
check("exit", ["--kommune", "0301,0000"], lambda r: r["kommnr"] in ("0301", "0000"))
check("exit", ["--cohort", "2019-2021"], lambda r: 2019 <= int(r["cohort"]) <= 2021)
check("exit", ["--cohort", "2020"], lambda r: r["cohort"] == "2020")
check("status", ["--cohort", "0000", "--kommune", "0000"],
      lambda r: r["cohort"] == "0000" and r["kommnr"] == "0000")
check("cost", ["--cohort", "2020-2024"], lambda r: 2020 <= int(r["year"]) <= 2024)
check("followup", ["--horizon", "1,5"], lambda r: r["horizon"] in ("1", "5"))
check("followup", ["--kjonn", "2", "--horizon", "1", "--kommune", "0000"],
      lambda r: r["kjonn"] == "2" and r["horizon"] == "1" and r["kommnr"] == "0000")
print("filters agree")
PY
set +e
q --table exit --horizon 1 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--horizon on exit was accepted"
q --table followup --horizon 3 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--horizon 3 was accepted"
q --table exit --kommune 301 >/dev/null 2>&1; [ $? -eq 2 ] || fail "--kommune 301 was accepted"
set -e

# names: kommunenavn after kommnr, Oslo for 0301
q --table exit --with-names --kommune 0301,0000 --format csv >"$T/names.csv"
head -n 1 "$T/names.csv" | grep -q '^ref_year,kommnr,kommunenavn,cohort,' || fail "no kommunenavn column"
grep -q '^[0-9]*,0301,Oslo,' "$T/names.csv" || fail "0301 is not Oslo: $(head -3 "$T/names.csv")"
q --table exit --with-names --format json | python3 -c '
import json, sys
rows = json.load(sys.stdin)
assert all("kommunenavn" in r for r in rows)
assert any(r["kommnr"] == "0301" and r["kommunenavn"] == "Oslo" for r in rows)' || fail "json names"

# Norwegian Excel: ';' and decimal comma, the same numbers
q --table exit --format csv >"$T/plain.csv"
q --table exit --format csv --csv-dialect excel-no >"$T/excel.csv"
python3 - "$T/plain.csv" "$T/excel.csv" <<'PY' || fail "excel-no"
import csv, sys
plain = list(csv.reader(open(sys.argv[1])))
excel = list(csv.reader(open(sys.argv[2]), delimiter=";"))
assert len(plain) == len(excel) and plain[0] == excel[0]
assert any("," in v for row in excel[1:] for v in row), "no decimal comma"
for a, b in zip(plain[1:], excel[1:]):
    assert [v.replace(".", ",") for v in a] == b, (a, b)
PY
echo ok
