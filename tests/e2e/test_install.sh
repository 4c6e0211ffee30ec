# `make install PREFIX=/usr DESTDIR=...`: kohort in bin/, the stage programs
# in libexec/kohort/ (found by kohort relative to its own path), the man
# page made from --help (every command and every option of its --help is
# in it, and it renders without warnings), bash completion that offers the
# commands and a command's options, and the docs and contrib examples.
source "$(dirname "$0")/lib.sh"
root=$(cd "$(dirname "$0")/../.." && pwd)
san=()
[ "$(basename "$KOHORT_BIN")" = bin-san ] && san=(SANITIZER=address,undefined)
make -s -C "$root" "${san[@]+"${san[@]}"}" install PREFIX=/usr DESTDIR="$T/pkg" >"$T/make.out" 2>&1 \
  || fail "make install: $(tail -5 "$T/make.out")"
p=$T/pkg/usr
for f in bin/kohort share/man/man1/kohort.1 share/bash-completion/completions/kohort \
         share/doc/kohort/OPERATIONS.md share/doc/kohort/examples/kohort-nightly.service \
         share/doc/kohort/examples/kohort-alerts.yml share/doc/kohort/examples/kohort-dashboard.json; do
  [ -f "$p/$f" ] || fail "not installed: $f"
done
for s in ingest validate anonymise link aggregate sink; do
  [ -x "$p/libexec/kohort/kohort-$s" ] || fail "stage kohort-$s not in libexec/kohort"
  [ ! -e "$p/bin/kohort-$s" ] || fail "stage kohort-$s in bin/"
done

# the installed kohort runs, finding its stages in ../libexec/kohort
gen "$T/ex" 2000 4
"$p/bin/kohort" run --extracts "$T/ex" --store "$T/st" --allow-synthetic-ids --quiet \
  || fail "the installed kohort cannot run"

# the man page: every command of --help, every option of each command's --help
man=$p/share/man/man1/kohort.1
if command -v groff >/dev/null; then
  groff -man -ww -z "$man" 2>"$T/groff" || true
  [ ! -s "$T/groff" ] || fail "the man page renders with warnings: $(head -3 "$T/groff")"
fi
text=$(sed 's/\\-/-/g; s/\\e/\\/g' "$man")
cmds=$("$p/bin/kohort" --help | awk '/^  [a-z]/ {print $1}')
[ -n "$cmds" ] || fail "no commands in kohort --help"
for c in $cmds; do
  grep -q "^\.SS \"kohort $c\"" "$man" || fail "man page has no section for kohort $c"
  for o in $("$p/bin/kohort" "$c" --help | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u); do
    grep -q -- "$o" <<<"$text" || fail "man page lacks $o of kohort $c"
  done
done

# bash completion
out=$(bash -c 'source "$1"; COMP_WORDS=("$2" que); COMP_CWORD=1; _kohort; echo "${COMPREPLY[*]}"' \
  _ "$p/share/bash-completion/completions/kohort" "$p/bin/kohort")
[ "$out" = "query" ] || fail "completion of 'que': '$out'"
out=$(bash -c 'source "$1"; COMP_WORDS=("$2" run --ref); COMP_CWORD=2; _kohort; echo "${COMPREPLY[*]}"' \
  _ "$p/share/bash-completion/completions/kohort" "$p/bin/kohort")
[ "$out" = "--ref-year" ] || fail "completion of 'run --ref': '$out'"
echo ok
