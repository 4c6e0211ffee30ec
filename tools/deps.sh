#!/usr/bin/env bash
# deps.sh - installs the Debian packages kohort needs to build and test, and
# only those that are missing. Idempotent; called by the README's commands,
# by `make deps` and by CI. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  gcc make pkg-config            # build
  libzmq3-dev libmsgpack-dev liblmdb-dev libsodium-dev libssl-dev zlib1g-dev libgmp-dev
  libcmocka-dev                  # unit tests
  clang                          # fuzz targets (libFuzzer)
  python3                        # end-to-end test checks
  nodejs npm                     # the DuckDB reference of the differential tests
  tmux curl                      # operator-facing tests
)
# Wanted by some tests, which skip with a message when they are missing:
optional=(
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
for p in "${optional[@]}"; do
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
