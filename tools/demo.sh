#!/usr/bin/env bash
# demo.sh - the main job on a built-in synthetic extract: generates one
# (20 000 persons), runs the pipeline on it and prints the indicators.
# Leaves everything under demo/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
persons=${PERSONS:-20000}
rm -rf demo
mkdir -p demo
bin/kohort gen --out demo/extract --persons "$persons" --seed 1 >/dev/null
bin/kohort run --extracts demo/extract --store demo/store --allow-synthetic-ids --quiet
bin/kohort runs --store demo/store
echo
echo "== exit: status at exit, per municipality and cohort (':' = suppressed) =="
bin/kohort query --store demo/store --table exit --format table
echo
echo "== status: work, education and social assistance in the reference year =="
bin/kohort query --store demo/store --table status --format table
echo
echo "== cost: spending against results =="
bin/kohort query --store demo/store --table cost --format table
echo
echo "== followup: 1, 2 and 5 years after exit, by gender, for Oslo (0301) =="
bin/kohort query --store demo/store --table followup --kommune 0301 --format table
