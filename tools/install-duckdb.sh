#!/bin/sh
# install-duckdb.sh - install DuckDB's Node binding for the reference oracle.
#
# The reference implementation (tests/reference/) runs its SQL through
# @duckdb/node-api. This installs it into tests/reference/node_modules from
# the committed package.json / package-lock.json; running it again is a no-op
# once the module loads. Exits non-zero with a clear message when it cannot.
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
ref="$here/tests/reference"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "install-duckdb: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
    exit 1
fi

loads() {
    (cd "$ref" && node -e "require('@duckdb/node-api')" >/dev/null 2>&1)
}

if loads; then
    exit 0
fi

cd "$ref"
if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error || install_failed=1
else
    npm install --no-audit --no-fund --loglevel=error || install_failed=1
fi

if [ "${install_failed:-0}" = 1 ] || ! loads; then
    echo "install-duckdb: could not install @duckdb/node-api into $ref/node_modules (is the npm registry reachable?)" >&2
    exit 1
fi
echo "install-duckdb: @duckdb/node-api installed in $ref/node_modules"
