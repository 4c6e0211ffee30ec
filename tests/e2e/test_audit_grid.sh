#!/usr/bin/env bash
# Step 7.3 at three sizes and three thresholds, with the real processes:
# for every (persons, k) a run's store passes `kohort audit` (nothing
# exactly disclosed, exit 0), and the ledger's protection figure says 7.3
# did something somewhere. KH_AUDIT_SIZES overrides the sizes.
source "$(dirname "$0")/lib.sh"
sizes=${KH_AUDIT_SIZES:-"2000 6000 12000"}
protected=0
for n in $sizes; do
  gen "$T/ex$n" "$n" 7
  for k in 3 5 10; do
    st="$T/s$n-$k"
    "$KOHORT" run --extracts "$T/ex$n" --store "$st" --allow-synthetic-ids --min-cell "$k" \
      --quiet --stall-timeout 60 2>"$T/err" || fail "$n persons, k $k: run failed: $(cat "$T/err")"
    "$KOHORT" audit --store "$st" --format json >"$T/audit.json" 2>"$T/err" ||
      fail "$n persons, k $k: audit exits non-zero: $(cat "$T/audit.json" "$T/err")"
    d=$(json 'd["disclosed"]' <"$T/audit.json")
    [ "$d" = 0 ] || fail "$n persons, k $k: $d cells exactly disclosed"
    p=$("$KOHORT" runs --store "$st" --format json |
        json 'sum(t["protection"] for t in d[0]["suppression"].values())')
    s=$(json 'sum(t["suppressed"] for y in d["years"] for t in y["tables"].values())' <"$T/audit.json")
    echo "$n persons, k $k: $s cells suppressed, $p of them by 7.3; audit: 0 disclosed"
    protected=$((protected + p))
    rm -rf "$st"
  done
  rm -rf "$T/ex$n"
done
[ "$protected" -gt 0 ] || fail "step 7.3 suppressed nothing in any case: nothing was tested"
