#!/usr/bin/env bash
# Side-by-side check of iobench against fio on the same file, one job after the
# other: 4k randread O_DIRECT at QD32 (io_uring, libaio, SQPOLL) and QD1
# (blocking vs fio psync). Prints IOPS and p50/p99 for both and the ratios.
# usage: bench/compare_fio.sh FILE [RUNTIME_S]   (needs fio and python3)
set -euo pipefail
file=${1:?usage: bench/compare_fio.sh FILE [RUNTIME_S]}
rt=${2:-10}
bin=${IOBENCH:-$(dirname "$0")/../build/iobench}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -f "$file" ] || "$bin" run --backend blocking --ops 1 --ramp 0 --size 1G --file "$file" --quiet >/dev/null

pairs=(  # iobench-backend  fio-engine  iodepth  extra-fio-flags
  "io_uring io_uring 32 "
  "libaio libaio 32 "
  "io_uring_sqpoll io_uring 32 --sqthread_poll=1"
  "blocking psync 1 "
)
printf '%-16s %-22s %10s %10s %10s %10s\n' pair tool IOPS p50_us p99_us ratio
for p in "${pairs[@]}"; do
  read -r be eng qd extra <<<"$p"
  fio --name=cmp --filename="$file" --direct=1 --rw=randread --bs=4k --ioengine="$eng" --iodepth="$qd" \
      --size=1G --runtime="$rt" --ramp_time=1 --time_based --output-format=json $extra >"$tmp/fio.json"
  "$bin" run --backend "$be" --workload randread --bs 4k --iodepth "$qd" --size 1G --runtime "${rt}s" --ramp 1s \
      --file "$file" --quiet -o "$tmp/ib.json" >/dev/null
  python3 - "$tmp/fio.json" "$tmp/ib.json" "$be" "$eng" "$qd" <<'PY'
import json, sys
fio = json.load(open(sys.argv[1]))["jobs"][0]["read"]
ib = json.load(open(sys.argv[2]))["results"][0]
pair = f"{sys.argv[3]}/qd{sys.argv[5]}"
clat = fio["clat_ns"]["percentile"]
fio_iops = fio["iops"]
print(f"{pair:<16} {'fio ' + sys.argv[4]:<22} {fio_iops:10.0f} {clat['50.000000']/1e3:10.1f} {clat['99.000000']/1e3:10.1f}")
l = ib["latency_ns"]
print(f"{pair:<16} {'iobench ' + sys.argv[3]:<22} {ib['iops']:10.0f} {l['p50']/1e3:10.1f} {l['p99']/1e3:10.1f} {ib['iops']/fio_iops:10.2f}")
PY
done
