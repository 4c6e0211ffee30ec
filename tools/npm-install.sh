#!/bin/sh
# npm-install.sh - installs a test helper's Node modules from its committed
# package.json / package-lock.json, once: a no-op when MODULE already loads.
# Exits non-zero with a clear message when it cannot.
# usage: tools/npm-install.sh DIR MODULE
set -eu
dir=${1:?usage: npm-install.sh DIR MODULE}
module=${2:?usage: npm-install.sh DIR MODULE}

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "npm-install: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
    exit 1
fi
loads() {
    (cd "$dir" && node -e "import('$module').then(() => 0, () => process.exit(1))" >/dev/null 2>&1)
}
if loads; then
    exit 0
fi
cd "$dir"
if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error || install_failed=1
else
    npm install --no-audit --no-fund --loglevel=error || install_failed=1
fi
if [ "${install_failed:-0}" = 1 ] || ! loads; then
    echo "npm-install: could not install $module into $dir/node_modules (is the npm registry reachable?)" >&2
    exit 1
fi
echo "npm-install: $module installed in $dir/node_modules"
