#!/usr/bin/env bash
# deps.sh - installs the Debian packages kohort needs to build and test, and
# only those that are missing. Idempotent; called by the README's commands,
# by `make deps` and by CI. Needs root (or sudo) only when something is missing.
set -euo pipefail

packages=(
  gcc make pkg-config            # build
  libzmq3-dev libmsgpack-dev liblmdb-dev libsodium-dev zlib1g-dev libgmp-dev
  libcmocka-dev                  # unit tests
  clang                          # fuzz targets (libFuzzer)
  python3                        # end-to-end test checks
  nodejs npm                     # the DuckDB reference of the differential tests
  tmux curl                      # operator-facing tests
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
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "deps: installing ${missing[*]}" >&2
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
