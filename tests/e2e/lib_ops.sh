# lib_ops.sh - helpers of the operator-facing tests (test_ops_*.sh): the
# run's state through `kohort status`, and holding a run in the middle by
# stopping its linker. Sourced after lib.sh; uses $T/st as the store.
status_json() { "$KOHORT" status --store "$T/st" --json; }
# Stops the linker (SIGSTOP) as soon as it is ready, which is when the
# anonymisers appear: from then on rows wait in front of it and the run is
# held until SIGCONT. Sets link_pid.
hold_link() {
  local tries=1000 out
  while [ $tries -gt 0 ]; do
    out=$("$KOHORT" status --store "$T/st" --json 2>/dev/null || true)
    if grep -q '"stage": "anonymise"' <<<"$out"; then
      link_pid=$(sed -n 's/.*"stage": "link", "worker": 0, "pid": \([0-9]*\).*/\1/p' <<<"$out")
      kill -STOP "$link_pid"
      return
    fi
    # a run that ended cannot be held
    [ -z "${run_pid:-}" ] || kill -0 "$run_pid" 2>/dev/null || return 1
    tries=$((tries - 1))
    sleep 0.01
  done
  return 1
}
# (grep reads a variable: `cmd | grep -q` fails under pipefail when grep
# quits before cmd has written everything)
has_stage() { local out; out=$(status_json) && grep -q "\"stage\": \"$1\"" <<<"$out"; }
