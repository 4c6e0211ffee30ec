#!/bin/sh
# install-duckdb.sh - install DuckDB's Node binding for the reference oracle.
#
# The reference implementation (tests/reference/) runs its SQL through
# @duckdb/node-api. This installs it into tests/reference/node_modules from
# the committed package.json / package-lock.json; running it again is a no-op
# once the module loads. Exits non-zero with a clear message when it cannot.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
exec "$here/tools/npm-install.sh" "$here/tests/reference" "@duckdb/node-api"
