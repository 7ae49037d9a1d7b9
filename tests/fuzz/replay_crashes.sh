#!/usr/bin/env bash
# Replays every committed reproducer: tests/fuzz/crashes/TARGET/* through
# the fuzz_TARGET binary given (a fixed crash or hang must stay fixed).
#   replay_crashes.sh CRASHES_DIR FUZZ_BINARY...
set -euo pipefail
dir=$1; shift
for bin in "$@"; do
  target=$(basename "$bin"); target=${target#fuzz_}
  [ -d "$dir/$target" ] || continue
  "$bin" --seconds=0 "$dir/$target"
done
# A directory named after no target is a reproducer nobody replays.
for d in "$dir"/*/; do
  [ -d "$d" ] || continue
  t=$(basename "$d")
  found=0
  for bin in "$@"; do [ "$(basename "$bin")" = "fuzz_$t" ] && found=1; done
  [ $found = 1 ] || { echo "replay_crashes.sh: $d: no fuzz target named fuzz_$t" >&2; exit 1; }
done
echo "replay_crashes.sh: every reproducer replayed"
