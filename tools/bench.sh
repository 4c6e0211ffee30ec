#!/usr/bin/env bash
# bench.sh - `make bench`: kohort against its DuckDB peer at several sizes.
#
# For each size (persons) it generates a synthetic extract once (kept under
# $KOHORT_BENCH_DIR, default /tmp/kohort-bench, regenerated only when
# missing), runs `kohort run` on it with a fresh store, and prints rows,
# bytes, wall time, rows/s, MB/s, and per stage: busy time, CPU time and
# peak memory. Then it runs the DuckDB reference (tests/reference/) on the
# same files, times it, checks that both computed the same indicator tables
# (every value kohort shows is the reference's; kohort may hide more),
# and prints the ratio kohort/DuckDB. A summary at the end reports the
# targets of issue 7 (reported, never asserted).
#
# What the numbers measure:
#   wall      from starting `kohort run` to its exit (the store committed),
#             process start-up and the final LMDB commit included.
#   busy      each stage's own busy_ns counter (time spent on messages, not
#             waiting on sockets), as `kohort run --metrics-file` writes it
#             from the stage's final stats message: exact.
#   cpu       user+system time of the stage process, all its threads (the
#             ZeroMQ I/O thread too), from /proc/PID/stat, sampled every
#             BENCH_SAMPLE seconds: the last interval before exit is missed.
#   peak RSS  VmHWM (the kernel's high-water mark of resident memory) of each
#             stage process, sampled the same way. VmHWM never decreases, so
#             a sample misses only growth in the last interval before exit.
#             The total is the sum of every process's peak (also of
#             `kohort run` itself), an upper bound of what was resident at once.
#   core      wall time of `node tools/bench/core-join.mjs`: DuckDB doing only
#             the core join (latest exit, home, status, group by) on the same
#             files, no validation or pseudonyms: the speed yardstick (the
#             ratio kohort/core has the target 0.35 at national scale).
#   DuckDB    wall time of `node tests/reference/reference.mjs` (JavaScript
#             splits the files into records, DuckDB does the rules, linking and
#             indicators in SQL); peak RSS of the node process (DuckDB runs in
#             it). Its per-step timings are in $KOHORT_BENCH_DIR/ref-N.log.
#
# Environment: BENCH_SIZES ("500000 2000000 5500000"), BENCH_SEED (1),
# BENCH_PEER (1; core runs only the core join; 0 skips DuckDB), BENCH_SAMPLE (0.1), KOHORT_BENCH_DIR.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
BIN=${KOHORT_BIN:-$root/bin}
DIR=${KOHORT_BENCH_DIR:-/tmp/kohort-bench}
SIZES=${BENCH_SIZES:-"500000 2000000 5500000"}
SEED=${BENCH_SEED:-1}
PEER=${BENCH_PEER:-1}
SAMPLE=${BENCH_SAMPLE:-0.1}
REF="$root/tests/reference/reference.mjs"

mkdir -p "$DIR"
for exe in kohort kohort-ingest kohort-validate kohort-anonymise kohort-link kohort-aggregate kohort-sink; do
    [ -x "$BIN/$exe" ] || { echo "bench: $BIN/$exe is missing (run make)" >&2; exit 1; }
done

peer_ok=0
peer_why=""
if [ "$PEER" != 0 ]; then
    if why=$("$root/tools/install-duckdb.sh" 2>&1); then
        peer_ok=1
    else
        peer_why=$(printf '%s\n' "$why" | tail -n 1)
        echo "bench: DuckDB peer skipped: $peer_why"
    fi
else
    peer_why="BENCH_PEER=0"
fi

now_ns() { date +%s%N; }
# secs NS: nanoseconds as seconds with 2 decimals
secs() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1e9 }'; }

# ---- sampling a process tree -----------------------------------------------
# sample_tree ROOTPID OUTFILE: until ROOTPID exits, every $SAMPLE s, records
# for ROOTPID and each child: the name, VmHWM (kB) and CPU ticks. OUTFILE gets
# one line per process: "name peak_kB cpu_ticks" (max over the samples).
# Only shell builtins per sample (no fork), so that sampling costs the
# pipeline next to nothing.
declare -A S_NAME S_EXE S_HWM S_CPU
sample_once() {
    local rootpid=$1 pids="$1" p f kids a0 k v rest line
    for f in /proc/"$rootpid"/task/*/children; do
        { read -r -a kids <"$f"; } 2>/dev/null || true
        pids="$pids ${kids[*]:-}"
    done
    for p in $pids; do
        a0=""
        { IFS= read -r -d '' a0 <"/proc/$p/cmdline"; } 2>/dev/null || true
        [ -n "$a0" ] || continue
        if [ "${S_EXE[$p]:-}" != "$a0" ]; then
            # first sight, or the process exec'd since: name it afresh
            local name=${a0##*/} worker="" args=()
            name=${name#kohort-}
            { mapfile -d '' -t args <"/proc/$p/cmdline"; } 2>/dev/null || true
            for ((k = 0; k + 1 < ${#args[@]}; k++)); do
                if [ "${args[$k]}" = "--worker" ]; then worker=${args[$((k + 1))]}; fi
            done
            if [ "$p" = "$rootpid" ]; then name="run"; fi
            case $name in validate|anonymise) name="$name.$worker" ;; esac
            S_EXE[$p]=$a0 S_NAME[$p]=$name S_HWM[$p]=0 S_CPU[$p]=0
        fi
        while read -r k v rest; do
            if [ "$k" = "VmHWM:" ]; then
                if [ "$v" -gt "${S_HWM[$p]}" ]; then S_HWM[$p]=$v; fi
                break
            fi
        done 2>/dev/null <"/proc/$p/status" || true
        line=""
        { read -r line <"/proc/$p/stat"; } 2>/dev/null || true
        if [ -n "$line" ]; then
            # utime and stime: fields 14 and 15, the 12th and 13th after "comm)"
            read -r -a f <<<"${line##*) }"
            v=$((f[11] + f[12]))
            if [ "$v" -gt "${S_CPU[$p]}" ]; then S_CPU[$p]=$v; fi
        fi
    done
}
sample_tree() {
    local rootpid=$1 out=$2 p
    S_NAME=() S_EXE=() S_HWM=() S_CPU=()
    while kill -0 "$rootpid" 2>/dev/null; do
        sample_once "$rootpid"
        sleep "$SAMPLE"
    done
    : >"$out"
    for p in "${!S_NAME[@]}"; do
        case ${S_NAME[$p]} in kohort) continue ;; esac # never exec'd
        echo "${S_NAME[$p]} ${S_HWM[$p]:-0} ${S_CPU[$p]:-0}" >>"$out"
    done
}

tick=$(getconf CLK_TCK)
stage_order="run ingest validate anonymise link aggregate sink"

# ---- one size ---------------------------------------------------------------
declare -A R_ROWS R_BYTES R_WALL R_PEAK R_PEER R_PEERMEM R_SAME R_CORE R_COREMEM
bench_size() {
    local n=$1
    local ext="$DIR/ext-$n" store="$DIR/store-$n" prom="$DIR/metrics-$n.prom"
    local samples="$DIR/samples-$n.txt"
    if [ ! -d "$ext" ]; then
        echo "bench: generating $n persons (seed $SEED) into $ext"
        rm -rf "$ext.tmp"
        "$BIN/kohort" gen --out "$ext.tmp" --persons "$n" --seed "$SEED" >"$DIR/gen-$n.log"
        mv "$ext.tmp" "$ext"
    fi
    local bytes
    bytes=$(find "$ext" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
    rm -rf "$store" "$prom"
    sync
    local t0 t1 rc=0
    t0=$(now_ns)
    "$BIN/kohort" run --extracts "$ext" --store "$store" --allow-synthetic-ids --quiet \
        --metrics-file "$prom" &
    local runpid=$!
    sample_tree "$runpid" "$samples"
    wait "$runpid" || rc=$?
    t1=$(now_ns)
    if [ "$rc" != 0 ]; then
        echo "bench: kohort run failed at $n persons (exit $rc)" >&2
        exit 1
    fi
    local wall=$((t1 - t0)) rows
    rows=$(awk '/^kohort_last_run_read_rows\{/ { s += $2 } END { print s + 0 }' "$prom")
    R_ROWS[$n]=$rows R_BYTES[$n]=$bytes R_WALL[$n]=$wall

    echo
    echo "== $n persons: $rows rows, $bytes bytes ($(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }') MiB)"
    awk -v w="$wall" -v r="$rows" -v b="$bytes" 'BEGIN {
        printf "kohort run: wall %.2f s, %.2f M rows/s, %.1f MB/s, %.0f ns/row\n",
               w / 1e9, r / (w / 1e9) / 1e6, b / (w / 1e9) / 1e6, w / r }'
    printf '  %-12s %8s %8s %13s\n' stage "busy s" "cpu s" "peak RSS MiB"
    # busy from the metrics file, keyed like the samples (validate.0, ...)
    local busyfile="$DIR/busy-$n.txt"
    sed -n 's/^kohort_stage_busy_seconds_total{stage="\([a-z]*\)",worker="\([0-9]*\)"} \(.*\)$/\1 \2 \3/p' \
        "$prom" | awk '{ k = $1; if (k == "validate" || k == "anonymise") k = k "." $2; print k, $3 }' \
        >"$busyfile"
    awk -v tick="$tick" -v order="$stage_order" '
        FNR == NR { busy[$1] = $2; next }
        { hwm[$1] = $2; cpu[$1] = $3 }
        END {
            n = split(order, o, " ")
            for (i = 1; i <= n; i++)
                for (k in hwm) {
                    base = k; sub(/\..*/, "", base); x = 0
                    if (base != o[i]) continue
                    printf "%d\t%s\t  %-12s %8s %8.2f %13.1f\n", i, k, k,
                           (k in busy) ? sprintf("%.2f", busy[k]) : "-", cpu[k] / tick, hwm[k] / 1024
                }
        }' "$busyfile" "$samples" | sort -t "$(printf '\t')" -k1,1n -k2,2 | cut -f3-
    local total
    total=$(awk '{ s += $2 } END { print s + 0 }' "$samples")
    R_PEAK[$n]=$total
    printf '  %-12s %8s %8s %13.1f  (sum of every process peak)\n' total "" "" \
        "$(awk -v k="$total" 'BEGIN { print k / 1024 }')"

    # kohort audit of the store just written (step 7.3 itself is part of
    # the aggregator's busy time above)
    local a0 a1 arc=0
    a0=$(now_ns)
    "$BIN/kohort" audit --store "$store" --format json >"$DIR/audit-$n.json" 2>&1 || arc=$?
    a1=$(now_ns)
    awk -v w="$((a1 - a0))" -v rc="$arc" 'BEGIN { printf "kohort audit: wall %.2f s, exit %d\n", w / 1e9, rc }'

    R_PEER[$n]="" R_PEERMEM[$n]="" R_SAME[$n]="" R_CORE[$n]="" R_COREMEM[$n]=""
    [ "$peer_ok" = 1 ] || return 0
    # the yardstick: DuckDB's core join on the same files, right after
    local corelog="$DIR/core-$n.log" coresamples="$DIR/core-samples-$n.txt"
    sync
    t0=$(now_ns)
    rc=0
    node "$root/tools/bench/core-join.mjs" "$ext" >"$corelog" 2>&1 &
    local corepid=$!
    sample_tree "$corepid" "$coresamples"
    wait "$corepid" || rc=$?
    t1=$(now_ns)
    if [ "$rc" = 0 ]; then
        R_CORE[$n]=$((t1 - t0))
        R_COREMEM[$n]=$(awk '{ s += $2 } END { print s + 0 }' "$coresamples")
        awk -v w="$((t1 - t0))" -v k="$wall" -v m="${R_COREMEM[$n]}" 'BEGIN {
            printf "DuckDB core join: wall %.2f s, peak RSS %.1f MiB; kohort/core = %.3f\n",
                   w / 1e9, m / 1024, k / w }'
    else
        echo "  DuckDB core join failed (exit $rc), see $corelog"
        R_CORE[$n]="failed"
    fi
    [ "$PEER" != core ] || return 0
    local refout="$DIR/ref-out-$n" reflog="$DIR/ref-$n.log" refsamples="$DIR/ref-samples-$n.txt"
    rm -rf "$refout"
    sync
    t0=$(now_ns)
    rc=0
    KH_REF_TIMING=1 node "$REF" --extracts "$ext" --out "$refout" --allow-synthetic-ids \
        >"$reflog" 2>&1 &
    local refpid=$!
    sample_tree "$refpid" "$refsamples"
    wait "$refpid" || rc=$?
    t1=$(now_ns)
    if [ "$rc" != 0 ]; then
        echo "  DuckDB reference failed (exit $rc), see $reflog"
        R_PEER[$n]="failed"
        return 0
    fi
    R_PEER[$n]=$((t1 - t0))
    R_PEERMEM[$n]=$(awk '{ s += $2 } END { print s + 0 }' "$refsamples")
    # same indicators? The reference has disclosure control's steps 7.1-7.2
    # only, so: the same rows, every value kohort shows is the reference's,
    # and every cell the reference hides kohort hides (step 7.3 hides more).
    # The differential test checks more, on smaller data.
    local same=yes t
    for t in exit status cost; do
        "$BIN/kohort" query --store "$store" --table "$t" --format csv >"$DIR/kohort-$t-$n.csv"
        python3 - "$DIR/kohort-$t-$n.csv" "$refout/$t.csv" <<'PY' || same="NO ($t.csv differs)"
import csv, sys
k, r = (list(csv.reader(open(f, newline=""))) for f in sys.argv[1:3])
ok = len(k) == len(r) and k[:1] == r[:1]
for kr, rr in zip(k[1:], r[1:]) if ok else ():
    ok = ok and kr[:3] == rr[:3] and all(a == "" or a == b for a, b in zip(kr, rr))
sys.exit(0 if ok else 1)
PY
    done
    R_SAME[$n]=$same
    awk -v w="$((t1 - t0))" -v k="$wall" -v m="${R_PEERMEM[$n]}" -v s="$same" 'BEGIN {
        printf "DuckDB reference: wall %.2f s, peak RSS %.1f MiB; kohort/DuckDB = %.3f; same indicators: %s\n",
               w / 1e9, m / 1024, k / w, s }'
}

echo "kohort bench: sizes $SIZES, seed $SEED, $(nproc) cores, data in $DIR"
for n in $SIZES; do
    bench_size "$n"
done

# ---- summary ----------------------------------------------------------------
echo
echo "== summary"
printf '%9s %10s %8s %8s %8s %7s %7s %9s %8s %7s %9s %8s %6s\n' persons rows MB "wall s" "Mrows/s" "MB/s" \
    ns/row "peak MiB" "core s" "k/core" "DuckDB s" "ratio" same
first="" last=""
for n in $SIZES; do
    [ -n "$first" ] || first=$n
    last=$n
    awk -v n="$n" -v r="${R_ROWS[$n]}" -v b="${R_BYTES[$n]}" -v w="${R_WALL[$n]}" -v p="${R_PEAK[$n]}" \
        -v d="${R_PEER[$n]}" -v s="${R_SAME[$n]}" -v c="${R_CORE[$n]}" 'BEGIN {
        ws = w / 1e9
        ds = (d ~ /^[0-9]+$/) ? sprintf("%.2f", d / 1e9) : (d == "" ? "-" : d)
        ra = (d ~ /^[0-9]+$/) ? sprintf("%.3f", w / d) : "-"
        cs = (c ~ /^[0-9]+$/) ? sprintf("%.2f", c / 1e9) : (c == "" ? "-" : c)
        cr = (c ~ /^[0-9]+$/) ? sprintf("%.3f", w / c) : "-"
        printf "%9d %10d %8.1f %8.2f %8.2f %7.1f %7.0f %9.1f %8s %7s %9s %8s %6s\n", n, r, b / 1e6, ws,
               r / ws / 1e6, b / ws / 1e6, w / r, p / 1024, cs, cr, ds, ra, (s == "" ? "-" : (s == "yes" ? "yes" : "NO"))
    }'
done
echo
echo "targets (reported, not asserted):"
c="${R_CORE[$last]}"
if [[ "$c" =~ ^[0-9]+$ ]]; then
    awk -v n="$last" -v w="${R_WALL[$last]}" -v c="$c" 'BEGIN {
        r = w / c; printf "  kohort/core join at %d persons: %.3f (target <= 0.35): %s\n", n, r, r <= 0.35 ? "met" : "MISSED" }'
else
    echo "  kohort/core join: no yardstick (${peer_why:-the core join failed})"
fi
d="${R_PEER[$last]}"
if [[ "$d" =~ ^[0-9]+$ ]]; then
    awk -v n="$last" -v w="${R_WALL[$last]}" -v d="$d" 'BEGIN {
        r = w / d; printf "  kohort/DuckDB at %d persons: %.3f (target <= 1.0): %s\n", n, r, r <= 1.0 ? "met" : "MISSED" }'
else
    echo "  kohort/DuckDB: no peer (${peer_why:-reference failed})"
fi
awk -v n="$last" -v p="${R_PEAK[$last]}" 'BEGIN {
    m = p / 1024; printf "  sum of stage peak memory at %d persons: %.1f MiB (target < 1024 MiB): %s\n", n, m,
    m < 1024 ? "met" : "MISSED" }'
if [ "$first" != "$last" ]; then
    awk -v a="$first" -v b="$last" -v wa="${R_WALL[$first]}" -v ra="${R_ROWS[$first]}" \
        -v wb="${R_WALL[$last]}" -v rb="${R_ROWS[$last]}" 'BEGIN {
        x = (wb / rb) / (wa / ra)
        printf "  time per row at %d relative to %d persons: %.3f (target <= 1.25): %s\n", b, a, x,
               x <= 1.25 ? "met" : "MISSED" }'
else
    echo "  time per row across sizes: one size only"
fi
