# Rows dropped before they are hashed (issue "Drop out-of-scope rows"): the
# indicator tables and every ledger count (read, accepted, rejected,
# out_of_scope) are the same however the ids are written (quoted, padded,
# after a quoted field), and rows were dropped early in each case.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 20000 8

# (latin-1 only to carry the generator's invalid UTF-8 rows through byte
# for byte)
# ex2: every valid id_historikk row's old id quoted (its new id then stands
# after a quoted field); ex3: bosatte's ids quoted and padded with spaces
python3 - "$T/ex" "$T/ex2" "$T/ex3" <<'PY'
import os, shutil, sys
src, ex2, ex3 = sys.argv[1:]
for d in (ex2, ex3):
    shutil.copytree(src, d)
lines = open(os.path.join(src, 'id_historikk.csv'), newline='', encoding='latin-1').read().split('\n')
for i, line in enumerate(lines[1:], 1):
    f = line.split(';')
    if len(f) == 2 and '"' not in line and f[0].strip().isdigit():
        lines[i] = '"%s";%s' % (f[0], f[1])  # the same ids, the first one quoted
open(os.path.join(ex2, 'id_historikk.csv'), 'w', newline='', encoding='latin-1').write('\n'.join(lines))
lines = open(os.path.join(src, 'bosatte.csv'), newline='', encoding='latin-1').read().split('\n')
out = [lines[0]]
for line in lines[1:]:
    f = line.split(';')
    if line and len(f[0].strip()) == 11 and f[0].strip().isdigit() and '"' not in line:
        f[0] = '" %s "' % f[0].strip() if len(out) % 2 else '  %s\t' % f[0].strip()
    out.append(';'.join(f))
open(os.path.join(ex3, 'bosatte.csv'), 'w', newline='', encoding='latin-1').write('\n'.join(out))
PY

counts() { # STORE: the newest run's per-table counts
  "$KOHORT" runs --store "$1" --format json | python3 -c '
import json, sys
d = json.load(sys.stdin)[0]
for t, c in sorted(d["tables"].items()):
    print(t, c["read"], c["accepted"], c["rejected"], c["out_of_scope"])'
}
for x in ex ex2 ex3; do
  KOHORT_DEBUG=1 "$KOHORT" run --extracts "$T/$x" --store "$T/st-$x" --allow-synthetic-ids \
    2>"$T/$x.log" >/dev/null || fail "run on $x: $(grep level=error "$T/$x.log" | head -2)"
  dump "$T/st-$x" >"$T/$x.csv"
  counts "$T/st-$x" >"$T/$x.counts"
done
grep -q 'out_of_scope_flagged table=bosatte rows=[1-9]' "$T/ex.log" || fail "nothing was dropped early"
grep -q 'out_of_scope_flagged table=bosatte rows=[1-9]' "$T/ex2.log" || fail "quoted history ids stopped the early drop"
grep -q 'out_of_scope_flagged table=bosatte rows=[1-9]' "$T/ex3.log" || fail "quoted ids were not recognised"
for x in ex2 ex3; do
  cmp -s "$T/ex.csv" "$T/$x.csv" || fail "$x: the tables differ"
  diff "$T/ex.counts" "$T/$x.counts" >/dev/null || fail "$x: the ledger differs: $(diff "$T/ex.counts" "$T/$x.counts" | head -4)"
done
grep -q '^bosatte .* [1-9][0-9]*$' "$T/ex.counts" || fail "no out_of_scope counted"
echo ok
