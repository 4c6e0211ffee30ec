# A run that would wipe a stored year fails unless --allow-shrink: a
# header-only f_intro, an f_intro without exits, every f_intro row rejected,
# or fewer than half the persons the stored year placed. The store keeps
# the year as it was; with --allow-shrink the run replaces it.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 3000 4
run() { "$KOHORT" run --extracts "$1" --store "$T/st" --allow-synthetic-ids --workers 2 --quiet "${@:2}"; }
run "$T/ex" 2>"$T/err" || fail "first run failed: $(cat "$T/err")"
dump "$T/st" >"$T/before.csv"
variant() { rm -rf "$T/v"; cp -r "$T/ex" "$T/v"; }
variant; head -n 1 "$T/ex/f_intro.csv" >"$T/v/f_intro.csv"
expect_failure "header-only f_intro" "$T/st" "$T/before.csv" "would replace reference year" run "$T/v"
variant; awk -F';' 'BEGIN{OFS=";"} NR==1{print; next} {$3=""; $4=""; print}' "$T/ex/f_intro.csv" >"$T/v/f_intro.csv"
expect_failure "f_intro without exits" "$T/st" "$T/before.csv" "would replace reference year" run "$T/v"
variant; awk -F';' 'BEGIN{OFS=";"} NR==1{print; next} {$2="not a date"; print}' "$T/ex/f_intro.csv" >"$T/v/f_intro.csv"
expect_failure "every f_intro row rejected" "$T/st" "$T/before.csv" "would replace reference year" run "$T/v"
variant; awk 'NR==1 || NR % 3 == 0' "$T/ex/f_intro.csv" >"$T/v/f_intro.csv"
expect_failure "a third of f_intro" "$T/st" "$T/before.csv" "with [0-9]* placed" run "$T/v"
[ "$("$KOHORT" runs --store "$T/st" --format json | json 'd[0]["status"]')" = failed ] \
  || fail "the refused run is not in the ledger as failed"
# the operator says the shrink is real
run "$T/v" --allow-shrink 2>"$T/err" || fail "--allow-shrink was refused: $(cat "$T/err")"
dump "$T/st" >"$T/after.csv"
! cmp -s "$T/before.csv" "$T/after.csv" || fail "--allow-shrink did not replace the year"
# and the full extract again is no shrink
run "$T/ex" 2>"$T/err" || fail "the full extract after a shrink failed: $(cat "$T/err")"
dump "$T/st" >"$T/again.csv"
cmp -s "$T/before.csv" "$T/again.csv" || fail "the full extract gives other tables"
echo "shrink: 4 refused, 1 allowed"
