# The operator's command line (issue "Operators"): refused before anything
# is written (exit 2, one sentence), one behaviour for a missing store
# (exit 1, "no store at PATH") in every reader, unknown run ids, run ids by
# `latest` and unique prefix, KOHORT_STORE as the default --store,
# --version, and `kohort check` failing on a required table with no
# accepted row.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 2000 3

# expect_status RC PATTERN CMD...: CMD exits RC and says PATTERN on stderr,
# in one line (ONE_LINE=0: a line per file is fine).
expect_status() {
  local want=$1 pattern=$2 rc
  shift 2
  set +e
  "$@" >"$T/out" 2>"$T/err"
  rc=$?
  set -e
  [ $rc -eq "$want" ] || fail "$*: exit $rc, not $want: $(cat "$T/err")"
  grep -q -- "$pattern" "$T/err" || fail "$*: stderr does not say '$pattern': $(cat "$T/err")"
  [ "${ONE_LINE:-1}" = 0 ] || [ "$(wc -l <"$T/err")" -le 1 ] || fail "$*: more than one sentence: $(cat "$T/err")"
}

# refused before anything is written
run=("$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --quiet)
expect_status 2 "port from 1 to 65535" "${run[@]}" --metrics 127.0.0.1:99999
expect_status 2 "port from 1 to 65535" "${run[@]}" --metrics 127.0.0.1:
expect_status 2 "does not exist or is not writable" "${run[@]}" --metrics-file "$T/nodir/x.prom"
mkdir "$T/empty"
expect_status 2 "kohort-ingest is not in" "${run[@]}" --bin-dir "$T/empty"
# an installed-looking tree whose libexec misses a stage
mkdir -p "$T/inst/bin" "$T/inst/libexec/kohort"
cp "$KOHORT" "$T/inst/bin/"
for s in ingest validate anonymise link aggregate; do cp "$KOHORT_BIN/kohort-$s" "$T/inst/libexec/kohort/"; done
expect_status 2 "stage programs" "$T/inst/bin/kohort" run --extracts "$T/ex" --store "$T/st" --quiet
[ ! -e "$T/st" ] || fail "a refused run created the store"
cp "$KOHORT_BIN/kohort-sink" "$T/inst/libexec/kohort/"
"$T/inst/bin/kohort" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --quiet \
  || fail "kohort did not find its stages in ../libexec/kohort"

# one behaviour for a missing store
for cmd in "query --table exit" runs quarantine metrics status top "report --out $T/r.html"; do
  # shellcheck disable=SC2086
  expect_status 1 "no store at $T/nope" "$KOHORT" $cmd --store "$T/nope"
done
expect_status 1 "no run nope in the ledger" "$KOHORT" quarantine --store "$T/st" --run nope
expect_status 1 "no run nope in the ledger" "$KOHORT" runs --store "$T/st" --run nope
expect_status 1 "no indicators for reference year 2019" "$KOHORT" query --store "$T/st" --table exit --ref-year 2019

# run ids: latest, a unique prefix, an ambiguous one
"$KOHORT" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --quiet
newest=$("$KOHORT" runs --store "$T/st" --format json | json 'd[0]["run"]')
oldest=$("$KOHORT" runs --store "$T/st" --format json | json 'd[1]["run"]')
[ "$("$KOHORT" runs --store "$T/st" --run latest --format json | json 'd[0]["run"]')" = "$newest" ] \
  || fail "--run latest is not the newest run"
unique=$oldest
for n in $(seq 20 ${#oldest}); do
  p=${oldest:0:$n}
  if [ "${newest#"$p"}" = "$newest" ]; then unique=$p; break; fi
done
[ "$("$KOHORT" runs --store "$T/st" --run "$unique" --format json | json 'd[0]["run"]')" = "$oldest" ] \
  || fail "a unique prefix $unique does not name $oldest"
[ "$("$KOHORT" quarantine --store "$T/st" --run "$unique" --format csv | sed -n 2p | cut -d, -f1)" = "$oldest" ] \
  || fail "quarantine --run PREFIX"
expect_status 1 "give more of the id" "$KOHORT" runs --store "$T/st" --run 2

# KOHORT_STORE is the default --store; --store wins over it
KOHORT_STORE="$T/st" "$KOHORT" query --table exit --format csv >"$T/env.csv"
"$KOHORT" query --store "$T/st" --table exit --format csv >"$T/opt.csv"
cmp -s "$T/env.csv" "$T/opt.csv" || fail "KOHORT_STORE not used as the default store"
KOHORT_STORE="$T/nope" "$KOHORT" runs --store "$T/st" >/dev/null || fail "--store does not win over KOHORT_STORE"

# the version, the same everywhere
version=$("$KOHORT" --version)
[[ $version =~ ^kohort\ [0-9]+\.[0-9]+\.[0-9]+ ]] || fail "--version printed '$version'"
"$KOHORT" metrics --store "$T/st" >"$T/metrics"
grep -q "^kohort_build_info{version=\"${version#kohort }\"} 1$" "$T/metrics" || fail "no kohort_build_info metric"
[ "$("$KOHORT" runs --store "$T/st" --run latest --format json | json 'd[0]["version"]')" = "${version#kohort }" ] \
  || fail "the ledger does not record the version"

# kohort check: a required table that accepts no row is a failure
ONE_LINE=0 expect_status 1 "f_intro.csv: the required table accepts no rows (most of its ids are synthetic" "$KOHORT" check --extracts "$T/ex"
"$KOHORT" check --extracts "$T/ex" --allow-synthetic-ids >/dev/null || fail "check of good test data"
echo ok
