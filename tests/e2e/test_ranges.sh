# Batches as ranges of the file: a plain file's batches reach the
# validators as byte ranges, which they read and split again themselves; a
# gzip file's go as bytes. The same extract, once plain and once gzip, with
# records that make the splitter work (quoted line ends, CRLF, blank lines,
# lines over the line limit, a BOM) spread over many batches, gives the same
# indicator tables, the same ledger counts and checksums, and the same
# quarantine. A file written to while the run reads it fails the run (unit
# tests cover that: test_source, test_rangeread).
source "$(dirname "$0")/lib.sh"
gen "$T/plain" 60000 5
python3 - "$T/plain" <<'PY'
import os, random, sys
d = sys.argv[1]
rnd = random.Random(5)
for name in ("bosatte.csv", "befolkning.csv", "f_jobber.csv"):
    p = os.path.join(d, name)
    lines = open(p, newline='', encoding='latin-1').read().split('\n')
    head, body = lines[0], lines[1:]
    for i in sorted(rnd.sample(range(len(body)), 40), reverse=True):
        body.insert(i, rnd.choice([
            '"12345678901\n";2020;0301',          # a quoted line end
            'x' * 700,                               # over the line limit
            '"' + 'y' * 300 + '\n' + 'z' * 300,     # over it, cut inside quotes
            '', '   ', '\t',                         # blank lines
            '11111111111;2020;0301\r',               # CRLF
            '"unterminated;2020;0301',               # quoting gone wrong
        ]))
    text = '\ufeff'.encode('utf-8').decode('latin-1') + head + '\n' + '\n'.join(body)
    open(p, 'w', newline='', encoding='latin-1').write(text)
PY
cp -r "$T/plain" "$T/gz"
for f in "$T"/gz/*.csv; do gzip -n "$f"; done
for x in plain gz; do
  "$KOHORT" run --extracts "$T/$x" --store "$T/st-$x" --allow-synthetic-ids --workers 2 \
    --line-limit 512 --quiet 2>"$T/err-$x" || fail "run on $x failed: $(tail -n 3 "$T/err-$x")"
  dump "$T/st-$x" >"$T/tables-$x"
  "$KOHORT" runs --store "$T/st-$x" --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
for t, c in sorted(d["tables"].items()):
    print(t, c["read"], c["accepted"], c["rejected"], c["out_of_scope"], c["crc32"])' >"$T/counts-$x"
  "$KOHORT" quarantine --store "$T/st-$x" --format csv | cut -d, -f2- | sed 's/\.csv\.gz,/.csv,/' \
    | sort >"$T/q-$x"
done
cmp -s "$T/tables-plain" "$T/tables-gz" || fail "the tables differ: $(diff "$T/tables-plain" "$T/tables-gz" | head -5)"
cmp -s "$T/counts-plain" "$T/counts-gz" || fail "the ledger differs: $(diff "$T/counts-plain" "$T/counts-gz" | head -5)"
cmp -s "$T/q-plain" "$T/q-gz" || fail "the quarantine differs: $(diff "$T/q-plain" "$T/q-gz" | head -5)"
# the hostile records were there to be seen, and spread over many batches
grep -q "line_too_long" "$T/q-plain" || fail "no record over the line limit was quarantined"
grep -q "bad_quoting" "$T/q-plain" || fail "no badly quoted record was quarantined"
batches=$("$KOHORT" runs --store "$T/st-plain" --format json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["tables"]["bosatte"]["read"])')
[ "$batches" -gt 524288 ] || fail "bosatte has only $batches records: fewer than three batches"
echo "plain and gzip agree: $(wc -l <"$T/tables-plain") table rows, $(wc -l <"$T/q-plain") quarantined"
