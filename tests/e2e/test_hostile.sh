# Hostile inputs: each ends in one clear message naming the file, or in
# rejected rows with their reasons - never in a crash or a hang - and the
# counts still reconcile (read = accepted + rejected for every file).
source "$(dirname "$0")/lib.sh"
gen "$T/base" 1500 9
tried=0
# case NAME EXPECT(ok|fail) [PATTERN] [extra run options...]: runs the
# extract in $T/NAME and checks the outcome; the extract is prepared first.
check() {
  local name=$1 expect=$2 pattern=$3; shift 3
  set +e
  timeout 300 "$KOHORT" run --extracts "$T/$name" --store "$T/st.$name" --allow-synthetic-ids \
    --quiet --workers 2 "$@" >"$T/$name.out" 2>"$T/$name.err"
  local rc=$?
  set -e
  tried=$((tried + 1))
  if [ "$expect" = fail ]; then
    [ $rc -eq 1 ] || fail "$name: exit $rc, not 1: $(cat "$T/$name.err")"
    [ "$(grep -c '^kohort: run .* failed:' "$T/$name.err")" = 1 ] || fail "$name: no one-sentence reason"
    grep -q -- "$pattern" "$T/$name.err" || fail "$name: reason does not match '$pattern': $(cat "$T/$name.err")"
    return
  fi
  [ $rc -eq 0 ] || fail "$name: exit $rc: $(cat "$T/$name.err")"
  "$KOHORT" runs --store "$T/st.$name" --format json >"$T/$name.json"
  "$KOHORT" quarantine --store "$T/st.$name" >"$T/$name.q"
  python3 - "$T/$name.json" "$T/$name.q" "$pattern" <<'PY'
import csv, json, sys
r = json.load(open(sys.argv[1]))[0]
for n, t in r["tables"].items():
    assert t["read"] == t["accepted"] + t["rejected"], (n, t)
q = list(csv.DictReader(open(sys.argv[2])))
assert len(q) == sum(t["rejected"] for t in r["tables"].values())
want = sys.argv[3]
if want:
    assert any(x["reason"] == want for x in q), (want, q[:3])
PY
}
fresh() { rm -rf "$T/$1"; cp -r "$T/base" "$T/$1"; }

fresh empty;    : >"$T/empty/f_intro.csv";                 check empty fail "f_intro.csv: the file has no header line"
fresh header;   head -n 1 "$T/base/shj.csv" >"$T/header/shj.csv"; check header ok ""
fresh garbage;  head -c 100000 /dev/urandom >"$T/garbage/utdanning.csv"; check garbage fail "utdanning.csv"
fresh text;     python3 -c "import random;random.seed(1);print(''.join(random.choice('ab;\"\\n ') for _ in range(50000)))" >"$T/text/befolkning.csv"
                check text fail "befolkning.csv"
fresh longline; { head -n 3 "$T/base/bosatte.csv"; head -c 10000000 /dev/zero | tr '\0' 7; echo; tail -n +4 "$T/base/bosatte.csv"; } >"$T/longline/x"
                mv "$T/longline/x" "$T/longline/bosatte.csv"; check longline ok line_too_long
grep -q ',bosatte.csv,4,,line_too_long,' "$T/longline.q" || fail "the long line is not line 4"
fresh delim;    tr ';' ',' <"$T/base/f_jobber.csv" >"$T/delim/x"; mv "$T/delim/x" "$T/delim/f_jobber.csv"
                check delim fail "f_jobber.csv: .*missing"
fresh unterm;   { head -n 5 "$T/base/shj.csv"; echo '"unterminated;1;2'; tail -n +6 "$T/base/shj.csv"; } >"$T/unterm/x"
                mv "$T/unterm/x" "$T/unterm/shj.csv"; check unterm ok bad_quoting
fresh utf8;     { head -n 2 "$T/base/befolkning.csv"; printf '\xff\xfe;1;2000-01-01;452\n'; tail -n +3 "$T/base/befolkning.csv"; } >"$T/utf8/x"
                mv "$T/utf8/x" "$T/utf8/befolkning.csv"; check utf8 ok encoding
fresh trunc;    gzip -c "$T/base/bosatte.csv" | head -c 30000 >"$T/trunc/bosatte.csv.gz"; rm "$T/trunc/bosatte.csv"
                check trunc fail "bosatte.csv.gz: truncated or corrupt"
fresh bomb;     { head -n 1 "$T/base/shj.csv"; head -c 300000000 /dev/zero | tr '\0' '\n'; } | gzip -1 >"$T/bomb/shj.csv.gz"
                rm "$T/bomb/shj.csv"; check bomb fail "shj.csv.gz: .*larger than the limit" --max-file-bytes 100000000
fresh nul;      printf 'x\0y\n' >>"$T/nul/utdanning.csv"; check nul fail "utdanning.csv: NUL byte"
# a million rejected rows: every one quarantined, counts reconcile, the map grows
fresh million;  python3 - "$T/million/bosatte.csv" <<'PY'
import sys
with open(sys.argv[1], "a") as f:
    f.write("12345678901;2024;0000\n" * 1000000)
PY
check million ok id_check_digit
[ "$(wc -l <"$T/million.q")" -gt 1000000 ] || fail "million: quarantine holds $(wc -l <"$T/million.q") lines"
[ "$(stat -c %s "$T/st.million/data.mdb")" -gt $((8 << 20)) ] || fail "million: the map never grew"
echo "$tried hostile inputs tried"
