#!/usr/bin/env bash
# Google Benchmark's tools/compare.py (Debian: libbenchmark-tools) must read
# iobench's gbench export: two short runs of 3 repetitions each, compared
# with its U test. Exits 77 (skipped) when compare.py or scipy is missing.
# usage: gbench_compare_py.sh IOBENCH SCRATCH_DIR
set -euo pipefail
bin=$1 dir=$2
compare=$(dpkg -L libbenchmark-tools 2>/dev/null | grep '/compare\.py$' | head -1 || true)
[ -n "$compare" ] || compare=/usr/share/benchmark/compare.py
[ -f "$compare" ] || { echo "skipped: compare.py not found (apt-get install libbenchmark-tools)"; exit 77; }
# Debian's compare.py wants Debian's python3 with python3-scipy, not another one first on PATH.
python=
for p in /usr/bin/python3 python3; do
  if command -v "$p" >/dev/null && "$p" -c 'import scipy' 2>/dev/null; then python=$p; break; fi
done
[ -n "$python" ] || { echo "skipped: no python3 with scipy (apt-get install python3-scipy)"; exit 77; }
rm -rf "$dir" && mkdir -p "$dir"
for side in base new; do
  "$bin" run --quiet --backend blocking --workload randread --buffered --size 4m --iodepth 2 --runtime 200ms \
    --ramp 0 --interval 0 --repeat 3 --dir "$dir" -o "$dir/$side.json" --format gbench >/dev/null
done
out=$("$python" "$compare" benchmarks "$dir/base.gbench.json" "$dir/new.gbench.json" 2>&1) || {
  echo "compare.py failed:"; echo "$out"; exit 1; }
echo "$out"
# It matched the runs by name and ran its U test over the 3 repetitions.
grep -q 'randread/bs:4096/iodepth:2/blocking_pvalue' <<<"$out" || { echo "no U test row in compare.py's output"; exit 1; }
grep -q 'randread/bs:4096/iodepth:2/blocking_median' <<<"$out" || { echo "no median row in compare.py's output"; exit 1; }
