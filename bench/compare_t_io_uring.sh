#!/usr/bin/env bash
# The harness's own cost against a bare io_uring loop: 4k random reads from the
# page cache, one thread, QD32, submit and complete in batches of 8, iobench's
# io_uring backend against fio's t/io_uring on the same file, alternating run
# by run (the file is re-read into the cache before each). Two settings:
# "plain" (iobench's defaults; t/io_uring -F0 -B0) and "registered"
# (iobench --registered-files --fixed-buffers; t/io_uring -F1 -B1).
# t/io_uring runs with -p0 (no polled I/O: it defaults to -p1) and -O0
# (buffered), and is given RUNTIME_S+2 s: it prints one IOPS line per second and
# none for its last second; the first line (warm-up, like iobench's --ramp 1s)
# is dropped and the median of the rest taken. Prints each run, then the
# medians over the rounds and the ratio iobench / t_io_uring.
# usage: bench/compare_t_io_uring.sh T_IO_URING_PATH FILE [ROUNDS] [RUNTIME_S]
#   t/io_uring is not packaged: `./configure && make t/io_uring` in a fio source
#   checkout. FILE: created (256 MiB) when missing. Needs python3.
set -euo pipefail
usage="usage: bench/compare_t_io_uring.sh T_IO_URING_PATH FILE [ROUNDS] [RUNTIME_S]"
tiou=${1:?$usage}
file=${2:?$usage}
rounds=${3:-3}
rt=${4:-3}
bin=${IOBENCH:-$(dirname "$0")/../build/iobench}
[ -x "$tiou" ] || { echo "compare_t_io_uring.sh: $tiou is not an executable t/io_uring" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -f "$file" ] || "$bin" run --backend blocking --ops 1 --ramp 0 --size 256M --buffered --file "$file" --quiet >/dev/null
size=$(stat -c %s "$file")
size=$((size - size % 4096))

settings=(  # name  iobench-flags  t/io_uring-flags
  "plain||-F0 -B0"
  "registered|--registered-files --fixed-buffers|-F1 -B1"
)
for ((i = 1; i <= rounds; i++)); do
  for s in "${settings[@]}"; do
    IFS='|' read -r name ibflags tflags <<<"$s"
    cat "$file" >/dev/null  # page-cache residency decays between runs: re-read first
    # shellcheck disable=SC2086  # the flag lists are word lists
    "$bin" run --backend io_uring --workload randread --bs 4k --iodepth 32 --batch 8 --buffered $ibflags \
        --size "$size" --file "$file" --runtime "${rt}s" --ramp 1s --quiet -o "$tmp/ib.json" >/dev/null 2>"$tmp/ib.err" ||
        { cat "$tmp/ib.err" >&2; exit 1; }
    python3 -c 'import json,sys; print(sys.argv[2], "iobench", json.load(open(sys.argv[1]))["results"][0]["iops"])' \
        "$tmp/ib.json" "$name" | tee -a "$tmp/all.txt"
    cat "$file" >/dev/null
    # shellcheck disable=SC2086
    "$tiou" -d32 -s8 -c8 -b4096 -p0 -O0 $tflags -R1 -n1 -r"$((rt + 2))" "$file" >"$tmp/t.txt" 2>&1
    python3 - "$tmp/t.txt" "$name" <<'PY' | tee -a "$tmp/all.txt"
import re, statistics, sys
scale = {"": 1, "K": 1e3, "M": 1e6}
lines = [float(m.group(1)) * scale[m.group(2)]
         for m in re.finditer(r"^IOPS=([\d.]+)([KM]?),", open(sys.argv[1]).read(), re.M)]
if len(lines) < 2:
    sys.exit("compare_t_io_uring.sh: t/io_uring printed no steady IOPS lines:\n" + open(sys.argv[1]).read())
print(sys.argv[2], "t_io_uring", statistics.median(lines[1:]))
PY
  done
done
python3 - "$tmp/all.txt" "$rounds" "$rt" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, tool, iops = line.split()
    runs[(name, tool)].append(float(iops))
print(f"\n4k randread, page cache, QD32, batch 8, 1 thread; median of {sys.argv[2]} rounds of {sys.argv[3]} s"
      f" (load average now {sys.argv[4]}: anything else running skews both)")
print(f"{'setting':<12} {'iobench IOPS':>14} {'t/io_uring IOPS':>16} {'ratio':>7}")
for name in ("plain", "registered"):
    ib, t = statistics.median(runs[(name, "iobench")]), statistics.median(runs[(name, "t_io_uring")])
    print(f"{name:<12} {ib:>14,.0f} {t:>16,.0f} {ib / t:>7.3f}")
PY
