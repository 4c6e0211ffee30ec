#!/usr/bin/env bash
# soak.sh [NIGHTS] - consecutive nightly runs on one store, each with a
# random fault, each followed by a fault-free run. The extract changes from
# night to night (more people, corrected rows). Faults: SIGKILL or SIGSTOP
# of a random stage at a random moment, the supervisor killed (SIGKILL),
# a full disk at the commit (test builds' fault hook), hostile rows. After
# every run: the exit status agrees with the store's ledger, nothing is
# left behind (runtime directory, status snapshot, pointer, stage
# processes), the tables equal a fault-free run's on the same extract (or,
# after a failure, what the store held before), and no national id of the
# extract is in the store or in any log. Prints the counts per kind of
# fault. NIGHTS defaults to 100 ($SOAK_NIGHTS); $SOAK_SEED picks the
# faults; $SOAK_PERSONS sizes the extract (2000). KOHORT_KEEP=1 keeps the
# directory (store, logs) of a soak that fails.
source "$(dirname "$0")/../e2e/lib.sh"
nights=${1:-${SOAK_NIGHTS:-100}}
RANDOM=${SOAK_SEED:-13}
persons=${SOAK_PERSONS:-2000}
test_build=0
grep -q -a KOHORT_FAULT "$KOHORT_BIN/kohort-sink" && test_build=1
export KOHORT_RUNS_DIR="$T/runs" XDG_RUNTIME_DIR="$T/xdg"
mkdir -p "$T/xdg" && chmod 700 "$T/xdg"
opts=(--allow-synthetic-ids --workers 2 --quiet --stall-timeout 4)
stages=(ingest validate anonymise link aggregate sink)
declare -A count
for k in kill stop supervisor enospc hostile; do count[$k]=0; count[$k.hit]=0; done
failed_runs=0 ok_runs=0

# The night's extract: a base that grows by 20 persons a night, with a few
# corrections (municipality of some bosatte rows) that change by night.
extract() {
  local n=$1 dir=$2
  rm -rf "$dir"
  "$KOHORT" gen --out "$dir" --persons $((persons + 20 * n)) --seed 5 >/dev/null
  python3 - "$dir/bosatte.csv" "$n" <<'PY'
import sys
path, n = sys.argv[1], int(sys.argv[2])
lines = open(path, encoding="latin-1").read().splitlines()
kommnr = ["0301", "4601", "5001", "1103"]
for i in range(1 + n % 7, len(lines), 97):
    f = lines[i].split(";")
    if len(f) == 3:
        f[2] = kommnr[(i + n) % len(kommnr)]
        lines[i] = ";".join(f)
open(path, "w", encoding="latin-1").write("\n".join(lines) + "\n")
PY
}
hostile() {
  python3 - "$1" "$2" <<'PY'
import random, sys
d, n = sys.argv[1], int(sys.argv[2])
random.seed(n)
planted = []
def pid():
    v = "".join(random.choice("0123456789") for _ in range(11)); planted.append(v); return v
with open(f"{d}/bosatte.csv", "a", encoding="latin-1") as f:
    f.write(f"{pid()};{pid()};0301\n")              # shifted by a column
    f.write(f"{pid()};2024;=cmd|' /C calc'!A0\n")     # a formula
    f.write("only;two\n")                              # field count
    f.write('"unterminated;2024;0301\n')              # quoting
with open(f"{d}/shj.csv", "a", encoding="latin-1") as f:
    f.write(f"{pid()};2024;99999999999999;0301\n")     # out of range
open(f"{d}/planted", "w").write("\n".join(planted) + "\n")
PY
}
# ids of an extract (id columns) and any planted ones
ids_of() {
  python3 - "$1" >"$2" <<'PY'
import csv, glob, os, re, sys
d = sys.argv[1]
ids = set()
for path in glob.glob(f"{d}/*.csv"):
    with open(path, newline="", encoding="latin-1") as f:
        rows = csv.reader(f, delimiter=";")
        header = [h.strip().lower() for h in next(rows)]
        cols = [i for i, h in enumerate(header) if h in ("fnr", "gammelt_id", "nytt_id")]
        for row in rows:
            for i in cols:
                if i < len(row) and re.fullmatch(r"\d{11}", row[i].strip()):
                    ids.add(row[i].strip())
if os.path.exists(f"{d}/planted"):
    ids |= set(open(f"{d}/planted").read().split())
print("\n".join(sorted(ids)))
PY
}
no_id() {
  python3 - "$1" "$T/st" "$T/logs" "$2" <<'PY' || fail "night $2: a national id leaked: $(cat "$T/leak")"
import glob, os, re, sys
ids = set(l.encode() for l in open(sys.argv[1]).read().split())
files = glob.glob(f"{sys.argv[2]}/*.mdb") + glob.glob(f"{sys.argv[3]}/*.{sys.argv[4]}")
for p in files:
    data = open(p, "rb").read()
    for m in re.finditer(rb"\d{11,}", data):
        run = m.group()
        for i in range(len(run) - 10):
            if run[i:i + 11] in ids:
                open(os.environ["T"] + "/leak", "w").write(f"{p}: {run[i:i + 11].decode()}")
                sys.exit(1)
PY
}
export T
no_debris() {
  local left
  left=$(find "$T/xdg" "$T/runs" -mindepth 1 2>/dev/null; ls "$T/st/run.status" 2>/dev/null; \
         pgrep -f "kohort-[a-z]* --run .* --dir $T/xdg" || true)
  [ -z "$left" ] || fail "night $1: debris left: $left"
}
# the newest ledger entry's field; what went wrong reading it, if anything,
# stays in $T/logs/runs.err for the failure message
newest() {
  "$KOHORT" runs --store "$T/st" --format json 2>"$T/logs/runs.err" >"$T/logs/runs.json" \
    || echo "kohort runs exit $?" >>"$T/logs/runs.err"
  json "d[0]['$1'] if d else ''" <"$T/logs/runs.json" 2>>"$T/logs/runs.err" || true
}
ledger_says() { echo "$(newest status) $(tail -c 600 "$T/logs/runs.err" 2>/dev/null)"; }
mkdir -p "$T/logs"
# the store as the first night finds it: one fault-free run
extract 0 "$T/ex"
"$KOHORT" run --extracts "$T/ex" --store "$T/st" "${opts[@]}" 2>"$T/logs/run.0" \
  || fail "the first fault-free run failed: $(tail -n 1 "$T/logs/run.0")"

for n in $(seq 1 "$nights"); do
  extract "$n" "$T/ex"
  # what a fault-free run makes of this extract
  rm -rf "$T/ref"
  "$KOHORT" run --extracts "$T/ex" --store "$T/ref" "${opts[@]}" 2>"$T/logs/ref.$n" \
    || fail "night $n: the fault-free reference run failed: $(tail -n 1 "$T/logs/ref.$n")"
  dump "$T/ref" >"$T/expected.csv"
  dump "$T/st" >"$T/before.csv"

  kinds=(kill stop supervisor hostile)
  [ $test_build = 1 ] && kinds+=(enospc)
  kind=${kinds[RANDOM % ${#kinds[@]}]}
  count[$kind]=$((count[$kind] + 1))
  cp -r "$T/ex" "$T/exf"
  [ "$kind" = hostile ] && hostile "$T/exf" "$n"
  ids_of "$T/exf" "$T/ids"
  entries=$("$KOHORT" runs --store "$T/st" --format json | json 'len(d)')
  env=()
  [ "$kind" = enospc ] && env=(KOHORT_FAULT=sink.0@enospc)
  env "${env[@]}" "$KOHORT" run --extracts "$T/exf" --store "$T/st" "${opts[@]}" \
    >/dev/null 2>"$T/logs/fault.$n" &
  rp=$!
  bg_pids+=("$rp")
  stage=${stages[RANDOM % ${#stages[@]}]}
  delay=$((RANDOM % 1500))
  case $kind in
    kill|stop)
      # the stage at a random moment of its life
      if wait_for pgrep -P "$rp" -f "/kohort-$stage "; then
        sleep "$(printf '0.%03d' "$delay")"
        sp=$(pgrep -P "$rp" -f "/kohort-$stage " | head -n 1 || true)
        if [ -n "$sp" ]; then
          if [ "$kind" = kill ]; then kill -KILL "$sp" 2>/dev/null && count[$kind.hit]=$((count[$kind.hit] + 1)); \
          else kill -STOP "$sp" 2>/dev/null && count[$kind.hit]=$((count[$kind.hit] + 1)); fi
        fi
      fi ;;
    supervisor)
      sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
      kill -KILL "$rp" 2>/dev/null && count[$kind.hit]=$((count[$kind.hit] + 1)) ;;
  esac
  set +e
  wait "$rp"
  rc=$?
  set -e
  # no status snapshot: the run never began, or it had ended (see below)
  snap=0; [ -e "$T/st/run.status" ] && snap=1
  [ "$kind" = stop ] && [ -n "${sp:-}" ] && kill -CONT "$sp" 2>/dev/null || true
  sp=
  gone() { ! pgrep -f "kohort-[a-z]* --run .* --dir $T/xdg" >/dev/null; }
  wait_for gone || fail "night $n: stages outlived their run"
  if [ "$kind" = supervisor ] && [ $rc -eq 137 ]; then
    : # the next command records it (checked after the fault-free run)
  else
    [ "$kind" = enospc ] && [ $rc -eq 0 ] && fail "night $n: a full disk did not fail the run"
    case $rc in
      0) [ "$(newest status)" = ok ] || fail "night $n ($kind $stage): exit 0 but the ledger says $(ledger_says)"
         ok_runs=$((ok_runs + 1))
         dump "$T/st" >"$T/after.csv"
         cmp -s "$T/after.csv" "$T/expected.csv" || fail "night $n ($kind $stage): tables differ from a fault-free run" ;;
      1) [ "$(newest status)" = failed ] || fail "night $n ($kind $stage): exit 1 but the ledger says $(ledger_says)"
         grep -q "failed: " "$T/logs/fault.$n" || fail "night $n: no reason on stderr"
         [ "$kind" = enospc ] && count[$kind.hit]=$((count[$kind.hit] + 1))
         failed_runs=$((failed_runs + 1))
         dump "$T/st" >"$T/after.csv"
         cmp -s "$T/after.csv" "$T/before.csv" || fail "night $n ($kind $stage): a failed run changed the tables" ;;
      *) fail "night $n ($kind $stage): exit $rc: $(tail -n 2 "$T/logs/fault.$n")" ;;
    esac
    [ "$kind" = hostile ] && [ $rc -eq 0 ] && count[$kind.hit]=$((count[$kind.hit] + 1))
    no_debris "$n"
  fi
  # the fault-free run of the night
  "$KOHORT" run --extracts "$T/ex" --store "$T/st" "${opts[@]}" >/dev/null 2>"$T/logs/run.$n" \
    || fail "night $n: the fault-free run after $kind failed: $(tail -n 2 "$T/logs/run.$n")"
  [ "$(newest status)" = ok ] || fail "night $n: the ledger does not hold the fault-free run as ok"
  if [ "$kind" = supervisor ] && [ $rc -eq 137 ]; then
    "$KOHORT" runs --store "$T/st" --format json >"$T/ledger.json"
    got=$(json 'str(len(d)) + ":" + d[1]["status"] + ":" + (d[1]["reason"] or "")' <"$T/ledger.json")
    if [ $snap = 1 ]; then
      # recorded as failed by the next run, or committed just before the kill
      case "$got" in "$((entries + 2)):failed:the supervisor died"*|"$((entries + 2)):ok:") ;;
        *) fail "night $n: the killed run is not in the ledger as it ended: $got" ;; esac
    else
      # no snapshot: killed before the run began (nothing to record), or
      # after it had committed and taken its snapshot away, while the
      # supervisor was still cleaning up (recorded as ok)
      case "$got" in "$((entries + 1)):"*|"$((entries + 2)):ok:") ;;
        *) fail "night $n: a run killed before it began or after it ended left $got" ;; esac
    fi
  fi
  dump "$T/st" >"$T/after.csv"
  cmp -s "$T/after.csv" "$T/expected.csv" || fail "night $n: the fault-free run after $kind differs"
  no_debris "$n"
  no_id "$T/ids" "$n"
  rm -rf "$T/exf"
  printf 'night %d: %s%s exit %d\n' "$n" "$kind" "$([ "$kind" = kill ] || [ "$kind" = stop ] && echo " $stage")" "$rc"
done
echo "soak: $nights nights, $ok_runs faulty runs ended ok, $failed_runs failed cleanly;" \
  "kill ${count[kill]} (${count[kill.hit]} hit a live stage), stop ${count[stop]} (${count[stop.hit]} hit)," \
  "supervisor ${count[supervisor]} (${count[supervisor.hit]} killed), enospc ${count[enospc]}," \
  "hostile ${count[hostile]}"
