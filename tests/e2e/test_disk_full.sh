# A disk that fills up during a run is reported as "No space left on
# device", never as "Input/output error" (what LMDB makes of a short
# write), wherever the space runs out: stores on small tmpfs file systems
# of several sizes. Skipped (77) where tmpfs cannot be mounted.
source "$(dirname "$0")/lib.sh"
gen "$T/ex" 500 3
mkdir "$T/mnt"
if ! mount -t tmpfs -o size=64k tmpfs "$T/mnt" 2>/dev/null; then
  echo "cannot mount a tmpfs here: skipped"; exit 77
fi
umount "$T/mnt"
unmount() { umount "$T/mnt" 2>/dev/null || true; }
trap 'unmount; cleanup' EXIT
full=0
for kb in 56 64 72 80 88 96; do
  mount -t tmpfs -o size=${kb}k tmpfs "$T/mnt"
  set +e
  "$KOHORT" run --extracts "$T/ex" --store "$T/mnt/st" --allow-synthetic-ids --workers 2 --quiet \
    >/dev/null 2>"$T/err"
  rc=$?
  set -e
  unmount
  ! grep -q "Input/output error" "$T/err" || fail "${kb}k: $(tail -n 1 "$T/err")"
  if [ $rc -ne 0 ]; then
    [ $rc -eq 1 ] || fail "${kb}k: exit $rc"
    grep -q "failed: .*No space left on device" "$T/err" || fail "${kb}k: $(tail -n 1 "$T/err")"
    full=$((full + 1))
  fi
done
[ $full -ge 2 ] || fail "the disk was full in only $full of the sizes"
echo "disk full: $full runs out of space, each said so"
