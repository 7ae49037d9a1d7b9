#!/usr/bin/env bash
# Side by side: iperf3 sending a file over loopback (-F FILE, and -F FILE -Z,
# its sendfile "zero copy") against iobench's transfer workload (sendfile and
# read_send on blocking) on the same file, alternating tool by tool for
# ROUNDS rounds so drift on a noisy machine hits both alike. Prints Gbit/s
# and sender CPU s per GB (user/sys) per run, and each tool's median.
# CACHE=cold drops the file from the page cache before every run (iperf3
# runs too); warm (default) lets iobench read it once first, and iperf3 finds
# it cached from the run before.
# usage: bench/compare_iperf3.sh FILE [SIZE] [ROUNDS]    (needs iperf3: apt-get install iperf3; python3)
set -euo pipefail
file=${1:?usage: bench/compare_iperf3.sh FILE [SIZE] [ROUNDS]}
size=${2:-1G}
rounds=${3:-3}
bs=${BS:-64k}  # iobench --bs and iperf3 -l: the same bytes per call
cache=${CACHE:-warm}
bin=${IOBENCH:-$(dirname "$0")/../build/iobench}
command -v iperf3 >/dev/null || { echo "compare_iperf3: iperf3 is not installed (Debian: apt-get install iperf3)" >&2; exit 77; }
tmp=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
srv=
cleanup() { [ -n "$srv" ] && kill "$srv" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
# iobench writes the file with its verify pattern (kept afterwards), so both tools send the same bytes.
timeout 300 "$bin" run --workload transfer --method sendfile --backend blocking --size "$size" --file "$file" --quiet >/dev/null
drop() { python3 -c 'import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)' "$file"; }

iperf_run() {  # $1 label, rest: extra flags
  local label=$1; shift
  [ "$cache" = cold ] && drop
  timeout 60 iperf3 -s -1 -p "$port" >/dev/null 2>&1 & srv=$!
  sleep 0.3
  timeout 120 iperf3 -c 127.0.0.1 -p "$port" -F "$file" -l "$bs" -J "$@" >"$tmp/ip.json" || true
  wait "$srv" 2>/dev/null || true; srv=
  python3 - "$tmp/ip.json" "$label" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
if "error" in j: print(f"{sys.argv[2]:<28} error: {j['error']}"); sys.exit(0)
s = j["end"]["sum_sent"]; cpu = j["end"]["cpu_utilization_percent"]
gb = s["bytes"] / 1e9; secs = s["seconds"]
# iperf3's client CPU is the sending process's share over the test.
print(f"{sys.argv[2]:<28} {s['bits_per_second']/1e9:8.2f} Gbit/s  usr {cpu['host_user']/100*secs/gb:6.3f}  sys {cpu['host_system']/100*secs/gb:6.3f} s/GB  ({s['bytes']/2**20:.0f} MiB)")
PY
}

iobench_run() {  # $1 method
  timeout 300 "$bin" run --workload transfer --method "$1" --backend blocking --file "$file" --size "$size" \
      --bs "$bs" --cache "$cache" --quiet -o "$tmp/ib.json" >/dev/null || true
  python3 - "$tmp/ib.json" "$1" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]; t = r["transfer"]
if r["status"] != "ok": print(f"iobench {sys.argv[2]:<20} {r['status']}: {r['reason']}"); sys.exit(0)
c = t["sender_cpu"]
print(f"iobench {sys.argv[2]:<20} {t['gbit_per_sec']:8.2f} Gbit/s  usr {c['user_s_per_gb']:6.3f}  sys {c['sys_s_per_gb']:6.3f} s/GB  ({t['bytes']/2**20:.0f} MiB, {t['syscalls_per_mb']:.1f} calls/MB, {100*t['cached_fraction']:.0f}% cached)")
PY
}

echo "file $file, $size, cache $cache, $bs per call, $rounds rounds, alternating"
for ((i = 1; i <= rounds; i++)); do
  iperf_run "iperf3 -F" | tee -a "$tmp/all.txt"
  iobench_run sendfile | tee -a "$tmp/all.txt"
  iperf_run "iperf3 -F -Z" -Z | tee -a "$tmp/all.txt"
  iobench_run read_send | tee -a "$tmp/all.txt"
done
echo "medians (Gbit/s):"
python3 - "$tmp/all.txt" <<'PY'
import re, statistics, sys
rows = {}
for line in open(sys.argv[1]):
    m = re.match(r"(.+?)\s+([\d.]+) Gbit/s", line)
    if m: rows.setdefault(m.group(1).strip(), []).append(float(m.group(2)))
for k, v in rows.items(): print(f"  {k:<28} {statistics.median(v):8.2f}  (n={len(v)}, {min(v):.2f}..{max(v):.2f})")
PY
