# ref_kommunenavn (issue 15): the names of the table reach the store with
# the run and are what `query --with-names` (csv, json) and the report show;
# a code the table leaves out falls back to the built-in list; a year whose
# run read no table uses the built-in names only; the bad rows `kohort gen`
# plants (and a few more) are quarantined with file, line, column and
# reason, and the ledger counts read = accepted + rejected. `kohort check`
# judges the table the same way.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 3000 1
opts=(--allow-synthetic-ids --workers 2 --quiet)
nav="$T/ex/ref_kommunenavn.csv"
# the table as an operator might edit it: Karmøy renamed, Sola left out (the
# built-in name shows), a name with a comma and quotes, a line that is too
# long (101 characters), an empty name, and a name holding 11 digits (it
# may be a national id: never stored, masked in the quarantine)
python3 - "$nav" <<'PY'
import sys
path = sys.argv[1]
lines = open(path, encoding="utf-8").read().splitlines()
out = []
for l in lines:
    if l.startswith("1124;"):
        continue
    if l.startswith("1149;"):
        l = '1149;"Karmøy, ""øya"""'
    out.append(l)
out.append("1106;" + "x" * 101)
out.append("1106;\t")
out.append("1134;Suldal 15108695088")
open(path, "w", encoding="utf-8").write("\n".join(out) + "\n")
PY

# where each bad row is: file line (1-based, header = 1), column, reason
python3 - "$nav" >"$T/expected_q.csv" <<'PY'
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
seen = set()
for n, l in enumerate(lines[1:], start=2):
    f = l.split(";")
    if len(f) != 2:
        print(f"{n},,field_count"); continue
    code, name = f[0], f[1].strip().strip('"')
    if len(code) != 4 or not code.isdigit() or code == "0000":
        print(f"{n},kommnr,bad_kommnr"); continue
    if name == "":
        print(f"{n},navn,missing"); continue
    if len(name) > 100 or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name) \
            or re.search(r"[0-9]{11}", name):
        print(f"{n},navn,bad_name"); continue
    if code in seen:
        print(f"{n},kommnr,duplicate"); continue
    seen.add(code)
PY
[ "$(grep -c bad_name "$T/expected_q.csv")" -ge 3 ] || fail "the test's table lacks bad names"

# kohort check: the same rejects
"$KOHORT" check --extracts "$T/ex" --allow-synthetic-ids >"$T/check.out" 2>&1 || true
want=$(wc -l <"$T/expected_q.csv")
grep -E "^ref_kommunenavn.csv +[0-9]+ +[0-9]+ +$want " "$T/check.out" >/dev/null \
  || fail "kohort check does not reject $want rows of ref_kommunenavn: $(grep kommunenavn "$T/check.out")"

"$KOHORT" run --extracts "$T/ex" --store "$T/st" "${opts[@]}" || fail "the run failed"
run=$("$KOHORT" runs --store "$T/st" --format json | json 'd[0]["run"]')

# quarantine: file, line, column, reason of every bad row, nothing else
"$KOHORT" quarantine --store "$T/st" --run "$run" --format csv >"$T/q.csv"
python3 - "$T/q.csv" "$T/expected_q.csv" <<'PY' || fail "the quarantine of ref_kommunenavn differs"
import csv, sys
got = sorted(f"{r['line']},{r['column']},{r['reason']}" for r in csv.DictReader(open(sys.argv[1]))
             if r["file"] == "ref_kommunenavn.csv")
want = sorted(open(sys.argv[2]).read().split())
if got != want:
    print("got", got, "\nwant", want); sys.exit(1)
PY

grep -q "ref_kommunenavn.csv,.*,navn,bad_name,Suldal 1510\*\*\*\*\*\*8" "$T/q.csv" \
  || fail "a name holding an id is not quarantined masked: $(grep Suldal "$T/q.csv")"
! grep -q -a 15108695088 "$T/st/data.mdb" || fail "an id planted in a name is in the store"

# the ledger: read = accepted + rejected
"$KOHORT" runs --store "$T/st" --format json >"$T/runs.json"
python3 - "$T/runs.json" "$nav" "$want" <<'PY' || fail "the ledger's ref_kommunenavn counts are wrong"
import json, sys
t = json.load(open(sys.argv[1]))[0]["tables"]["ref_kommunenavn"]
rows = len(open(sys.argv[2], encoding="utf-8").read().splitlines()) - 1
assert t["read"] == rows and t["rejected"] == int(sys.argv[3]), t
assert t["read"] == t["accepted"] + t["rejected"], t
PY

# query --with-names: the table's names, the built-in one for Sola
"$KOHORT" query --store "$T/st" --table exit --with-names --format csv >"$T/exit.csv"
"$KOHORT" query --store "$T/st" --table status --with-names --format json >"$T/status.json"
python3 - "$T/exit.csv" "$T/status.json" <<'PY' || fail "query --with-names shows the wrong names"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
names = {r["kommnr"]: r["kommunenavn"] for r in rows}
want = {"0000": "All municipalities", "5501": "Tromsø - Romsa - Tromssa",
        "5001": "Trondheim", "1149": 'Karmøy, "øya"', "1124": "Sola",
        "0301": "Oslo"}
for code, name in want.items():
    if code in names and names[code] != name:
        sys.exit(f"{code}: {names[code]!r}, not {name!r}")
for code in ("5501", "1149", "1124"):
    if code not in names:
        sys.exit(f"no exit rows for {code}: pick another code")
js = {r["kommnr"]: r["kommunenavn"] for r in json.load(open(sys.argv[2], encoding="utf-8"))}
assert js.get("5501") == "Tromsø - Romsa - Tromssa" and js.get("1124") == "Sola", js
PY

# the report: the table's names in the page (and in the one for 5501)
"$KOHORT" report --store "$T/st" --out "$T/r.html" || fail "report failed"
"$KOHORT" report --store "$T/st" --kommune 5501 --out "$T/r5501.html" || fail "report --kommune failed"
for f in "$T/r.html" "$T/r5501.html"; do
  grep -q "Tromsø - Romsa - Tromssa" "$f" || fail "$f does not name 5501 as the table does"
done
grep -q "Karmøy, &quot;øya&quot;" "$T/r.html" || fail "the report does not name 1149 as the table does"

# another reference year whose run read no table: the built-in names there,
# the stored ones still for 2024
rm "$nav"
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --ref-year 2023 "${opts[@]}" || fail "the 2023 run failed"
"$KOHORT" query --store "$T/st" --table exit --ref-year all --with-names --format csv >"$T/all.csv"
python3 - "$T/all.csv" <<'PY' || fail "names are not those of each row's year"
import csv, sys
names = {(r["ref_year"], r["kommnr"]): r["kommunenavn"] for r in csv.DictReader(open(sys.argv[1], encoding="utf-8"))}
assert names[("2024", "5501")] == "Tromsø - Romsa - Tromssa", names
assert names[("2023", "5401")] == "Tromsø", names
assert names.get(("2023", "1149"), "Karmøy") == "Karmøy", names
PY
echo "ref_kommunenavn: names stored and shown, fallback, $want rows quarantined"
