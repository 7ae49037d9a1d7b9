#!/usr/bin/env bash
# Refreshes the committed baseline of one machine class: runs suites/ci.ini
# (on a quiet machine of that class: nothing else running, builds stopped)
# and stores each job's result compacted, plus the tables.
#   results/baselines/refresh.sh CLASS [IOBENCH]    e.g. vm-2cpu-virtio build/iobench
# Then check `iobench compare results/baselines/CLASS <a fresh run>` passes and commit.
set -euo pipefail
cd "$(dirname "$0")/../.."
class=${1:?usage: results/baselines/refresh.sh CLASS [IOBENCH]}
bin=${2:-build/iobench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$bin" suite suites/ci.ini -o "$tmp/run"
dest="results/baselines/$class"
mkdir -p "$dest"
rm -f "$dest"/*.json
for f in "$tmp"/run/*.json; do
  jq -c . "$f" >"$dest/$(basename "$f")"  # the reader takes any JSON layout; compact keeps the files small
done
cp "$tmp/run/summary.txt" "$dest/summary.txt"
echo "refresh.sh: $dest: $(ls "$dest" | tr '\n' ' ')"
