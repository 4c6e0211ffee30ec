# Logs for the journal: with --log-format json every line a stage writes is
# one JSON object (time, level, stage, event); when JOURNAL_STREAM names
# stderr, as systemd sets it, every stage line starts with its syslog
# priority, and a failing run writes an error line (<3>) that
# `journalctl -p err` would find; without it, no prefixes.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 2000 5
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --log-format json \
  2>"$T/json.log" >/dev/null || fail "run with --log-format json failed: $(tail -3 "$T/json.log")"
python3 - "$T/json.log" <<'PY' || fail "json log: $(head -3 "$T/json.log")"
import json, sys
n = 0
for line in open(sys.argv[1]):
    d = json.loads(line)
    assert {"time", "level", "stage", "event"} <= d.keys(), d
    n += 1
assert n > 5, n
PY
set +e
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --log-format xml 2>/dev/null
[ $? -eq 2 ] || fail "--log-format xml was accepted"
set -e

# the journal: priorities only when JOURNAL_STREAM is our stderr
exec 3>"$T/journal.log"
js=$(stat -c '%d:%i' "$T/journal.log")
JOURNAL_STREAM=$js "$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids \
  2>&3 >/dev/null || fail "run under JOURNAL_STREAM failed"
grep -q '^<6>.*level=info stage=ingest' "$T/journal.log" || fail "no <6> info lines: $(head -2 "$T/journal.log")"
grep -v '^kohort: ' "$T/journal.log" | grep -qv '^<[0-7]>' && fail "a stage line without priority"
mkdir "$T/bad"; cp "$T/ex"/*.csv "$T/bad/"
sed -i '1s/avgangsdato/avgang/' "$T/bad/f_intro.csv"
: >"$T/journal.log"
set +e
JOURNAL_STREAM=$js "$KOHORT" run --extracts "$T/bad" --store "$T/st" --allow-synthetic-ids 2>&3 >/dev/null
rc=$?
set -e
[ $rc -eq 1 ] || fail "a run on an unusable extract: exit $rc"
grep -q '^<3>.*level=error' "$T/journal.log" || fail "no <3> error line: $(cat "$T/journal.log")"
JOURNAL_STREAM=1:1 "$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids \
  2>"$T/plain.log" >/dev/null
grep -q '^<' "$T/plain.log" && fail "priorities although JOURNAL_STREAM is not stderr"
echo ok
