# contrib/ as shipped: the Prometheus alert rules pass `promtool check
# rules` and their own `promtool test rules` cases; the systemd unit scores
# below 3.0 in `systemd-analyze security`; the Grafana dashboard is valid
# JSON whose every metric is one that kohort emits (the ledger's and a real
# run's metrics file).
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
command -v promtool >/dev/null || fail "promtool is missing (Debian package prometheus; tools/deps.sh installs it)"
( cd "$root/contrib/prometheus" && promtool check rules kohort-alerts.yml >"$T/promtool.out" 2>&1 \
  && promtool test rules kohort-alerts.test.yml >>"$T/promtool.out" 2>&1 ) \
  || fail "promtool: $(cat "$T/promtool.out")"

if command -v systemd-analyze >/dev/null; then
  systemd-analyze security --offline=true "$root/contrib/systemd/kohort-nightly.service" >"$T/sec" 2>&1 || true
  score=$(sed -n 's/.*Overall exposure level for kohort-nightly.service: \([0-9.]*\).*/\1/p' "$T/sec")
  [ -n "$score" ] || fail "systemd-analyze gave no score: $(tail -3 "$T/sec")"
  python3 -c "import sys; sys.exit(0 if float('$score') < 3.0 else 1)" \
    || fail "systemd-analyze security score $score, not below 3.0"
  echo "systemd-analyze security: $score"
else
  echo "systemd-analyze not found: unit score not checked"
fi

gen "$T/ex" 2000 2
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --quiet --metrics-file "$T/run.prom"
"$KOHORT" metrics --store "$T/st" >"$T/ledger.prom"
python3 - "$root/contrib/grafana/kohort-dashboard.json" "$T/run.prom" "$T/ledger.prom" <<'PY'
import json, re, sys
dash = json.load(open(sys.argv[1]))
emitted = set()
for path in sys.argv[2:]:
    for line in open(path):
        m = re.match(r"# TYPE (\w+) ", line)
        if m:
            emitted.add(m.group(1))
used = set()
def walk(panels):
    for p in panels:
        for t in p.get("targets", []):
            used.update(n for n in re.findall(r"\bkohort_\w+", t["expr"]))
        walk(p.get("panels", []))
walk(dash["panels"])
missing = sorted(used - emitted)
if not used or missing:
    sys.exit("dashboard uses metrics kohort does not emit: %s" % missing)
print("dashboard: %d metrics, all emitted" % len(used))
PY
echo ok
