#!/usr/bin/env bash
# demo.sh - the main job on a built-in synthetic extract: generates one
# (200 000 persons; PERSONS=... for another size), runs the pipeline on it,
# and prints a short summary: the run, the national rows, the largest
# municipalities, and what to try next. Leaves everything under demo/
# (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
persons=${PERSONS:-200000}
rm -rf demo
mkdir -p demo
echo "Generating a synthetic extract of $persons persons in demo/extract ..."
bin/kohort gen --out demo/extract --persons "$persons" --seed 1 >/dev/null
echo "Running the import into demo/store ..."
echo
# the stages' log lines go to demo/run.log; the run's summary to the screen
if ! bin/kohort run --extracts demo/extract --store demo/store --allow-synthetic-ids 2>demo/run.log; then
  tail -n 5 demo/run.log >&2
  exit 1
fi

# pick TABLE "QUERY OPTIONS" "COLUMNS": those columns of a query's CSV, by
# header name, aligned (':' for a suppressed or empty cell)
pick() {
  local table=$1 opts=$2 cols=$3
  # shellcheck disable=SC2086
  bin/kohort query --store demo/store --table "$table" $opts --format csv |
    awk -F, -v cols="$cols" '
      NR == 1 { n = split(cols, want, " "); for (i = 1; i <= NF; i++) idx[$i] = i
                for (j = 1; j <= n; j++) printf "%s%s", (j > 1 ? "  " : ""), want[j]; print ""; next }
      { for (j = 1; j <= n; j++) { v = $idx[want[j]]; if (v == "") v = ":"
          printf "%s%*s", (j > 1 ? "  " : ""), length(want[j]), v }
        print "" }'
}
echo
echo "== Whole country by exit cohort (table exit; ':' = suppressed) =="
pick exit "--kommune 0000" "cohort exits attained attained_share extended_share predicted_share residual"
echo
echo "== The largest municipalities, all cohorts together (table exit) =="
pick exit "--cohort 0000 --with-names" "kommnr exits attained_share mean_duration_days residual kommunenavn" |
  { IFS= read -r head; echo "$head"; sed 1d | sort -k2,2nr | head -n 8; }
echo
echo "== Whole country in the reference year (table status) =="
pick status "--kommune 0000" "cohort persons work_or_education_share sa_share sa_mean_per_recipient"
echo
echo "== Whole country 1, 2 and 5 years after exit, by gender (table followup) =="
pick followup "--kommune 0000 --cohort 0000" "horizon kjonn persons work_or_education_share sa_share moved_share"
cat <<'TRY'

What to try next:
  bin/kohort report --store demo/store --out demo/report.html   # charts and tables, one page
  bin/kohort query --store demo/store --table exit --kommune 0301   # one municipality (csv, json too)
  bin/kohort runs --store demo/store --format json               # the ledger: counts per file
  bin/kohort quarantine --store demo/store | head                # rejected rows, with reasons
  bin/kohort top --store demo/store                              # live view; start a bigger run
      (bin/kohort run --extracts demo/extract --store demo/store --allow-synthetic-ids)
      in another terminal first
  less demo/run.log                                              # what each stage logged
  make man && man -l build/kohort.1                              # every command and option
TRY
