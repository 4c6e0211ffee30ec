#!/usr/bin/env bash
# fuzz.sh - builds the libFuzzer targets of tests/fuzz (clang, with
# AddressSanitizer and UBSan) and runs each for SECONDS (default 60; `make
# fuzz FUZZ_SECONDS=600` for longer). Starts from the kept corpus in
# tests/fuzz/corpus/NAME; new inputs go to a scratch copy. A crash is saved
# under tests/fuzz/crashes/ (keep it as a regression input once fixed) and
# makes the script fail. Prints the executions of each target.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
out=${FUZZ_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/kohort-fuzz.XXXXXX")}
trap 'rm -rf "$out"' EXIT
if ! command -v clang >/dev/null; then echo "fuzz: clang is missing: skipped"; exit 77; fi
srcs=$(ls proto/*.c ingest/*.c transform/*.c | grep -v -e '/main\.c$' -e '_main\.c$')
libs="$(pkg-config --libs libzmq msgpack lmdb libsodium libcrypto zlib libdeflate) -lgmp -lm"
mkdir -p tests/fuzz/crashes
total=0
for target in tests/fuzz/fuzz_*.c; do
  name=$(basename "$target" .c); name=${name#fuzz_}
  bin="$out/fuzz_$name"
  clang -g -O1 -std=c11 -DKH_TEST_BUILD -fsanitize=fuzzer,address,undefined \
    -Iproto -I. "$target" $srcs -o "$bin" $libs
  mkdir -p "tests/fuzz/corpus/$name" "$out/corpus_$name"
  cp -r "tests/fuzz/corpus/$name/." "$out/corpus_$name/" 2>/dev/null || true
  log="$out/$name.log"
  if ! "$bin" -max_total_time="$seconds" -artifact_prefix="tests/fuzz/crashes/${name}-" \
        -print_final_stats=1 "$out/corpus_$name" >"$log" 2>&1; then
    tail -n 30 "$log"
    echo "fuzz: $name found a crash (saved under tests/fuzz/crashes/)"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  total=$((total + runs))
  echo "fuzz: $name ran $runs inputs in ${seconds}s, no crash"
done
echo "fuzz: $total inputs in all"
