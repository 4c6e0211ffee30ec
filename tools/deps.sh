#!/usr/bin/env bash
# deps.sh - installs the Debian packages kohort needs, and only those that
# are missing. `tools/deps.sh build` (what `make demo` and `make` need: the
# compiler and the libraries), `tools/deps.sh test` (the default: everything
# the tests use too). Idempotent; called by the README's commands, by `make
# deps` and by CI. Needs root (or sudo) only when something is missing.
set -euo pipefail
profile=${1:-test}
case $profile in build|test) ;; *) echo "usage: deps.sh [build|test]" >&2; exit 2 ;; esac

build_packages=(
  gcc make pkg-config            # build
  libzmq3-dev libmsgpack-dev liblmdb-dev libsodium-dev libssl-dev zlib1g-dev libgmp-dev
  libglpk-dev                    # linear programs of kohort audit (disclosure control 7.3)
  libdeflate-dev                 # the extracts' CRC-32 for the ledger (twice zlib's speed)
)
test_packages=(
  libcmocka-dev                  # unit tests
  clang                          # fuzz targets (libFuzzer)
  python3                        # end-to-end test checks
  nodejs npm                     # the DuckDB reference of the differential tests
  tmux curl                      # operator-facing tests
  prometheus                     # promtool checks the alert rules in contrib/
  groff-base                     # the man page is rendered in a test
)
packages=("${build_packages[@]}")
[ "$profile" = build ] || packages+=("${test_packages[@]}")
# Wanted by some tests, which skip with a message when they are missing:
optional=()
[ "$profile" = build ] || optional+=(
  chromium                       # renders kohort report's page in its test (headless)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# node may come from elsewhere than Debian's package: accept any node >= 18
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in nodejs|npm) ;; *) filtered+=("$p") ;; esac
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
missing_optional=()
for p in "${optional[@]+"${optional[@]}"}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing_optional+=("$p")
done
if [ ${#missing[@]} -eq 0 ] && [ ${#missing_optional[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
for p in "${missing_optional[@]+"${missing_optional[@]}"}"; do
  echo "deps: installing $p (optional)" >&2
  $sudo apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 \
    || echo "deps: $p could not be installed; the tests that need it will be skipped" >&2
done
