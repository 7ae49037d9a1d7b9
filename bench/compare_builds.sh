#!/usr/bin/env bash
# Before/after check of two iobench builds on the same jobs, alternating the
# builds job by job (A B A B ...) so drift on a noisy machine hits both:
# storage 4k randread O_DIRECT (io_uring, libaio, SQPOLL at QD32; blocking
# QD1), page-cache io_uring QD32 --batch 8 (the harness's own cost), and
# HTTP (wrk -t1 -c64) and echo (64 connections) against `iobench serve` on
# io_uring and epoll. The echo load always runs on the BEFORE build, so only
# the server changes. Prints each figure's median over the rounds and the
# after/before ratio.
# usage: bench/compare_builds.sh BEFORE_BIN AFTER_BIN FILE [ROUNDS] [RUNTIME_S]
#   FILE: a 1 GiB test file (created when missing); needs wrk and python3.
set -euo pipefail
before=${1:?usage: bench/compare_builds.sh BEFORE_BIN AFTER_BIN FILE [ROUNDS] [RUNTIME_S]}
after=${2:?usage: bench/compare_builds.sh BEFORE_BIN AFTER_BIN FILE [ROUNDS] [RUNTIME_S]}
file=${3:?usage: bench/compare_builds.sh BEFORE_BIN AFTER_BIN FILE [ROUNDS] [RUNTIME_S]}
rounds=${4:-3}
rt=${5:-5}
command -v wrk >/dev/null || { echo "compare_builds.sh: needs wrk (apt-get install wrk)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pc="$tmp/pagecache.data"
[ -f "$file" ] || "$before" run --backend blocking --ops 1 --ramp 0 --size 1G --file "$file" --quiet >/dev/null
"$before" run --backend blocking --ops 1 --ramp 0 --size 256M --buffered --file "$pc" --quiet >/dev/null 2>&1
port=$((20000 + RANDOM % 20000))

# job LABEL BIN: appends "LABEL metric value" lines to $tmp/BIN_TAG.txt
figures() {  # figures JSON LABEL OUT: iops, p50 and p99 of the first result
    python3 - "$1" "$2" >>"$3" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
l = r["latency_ns"]
print(sys.argv[2], "iops", r["iops"]); print(sys.argv[2], "p50_us", l["p50"] / 1e3); print(sys.argv[2], "p99_us", l["p99"] / 1e3)
PY
}

run_jobs() {  # run_jobs BIN OUT
    local bin=$1 out=$2 spec be qd extra
    for spec in "io_uring 32" "libaio 32" "io_uring_sqpoll 32" "blocking 1"; do
        read -r be qd <<<"$spec"
        "$bin" run --backend "$be" --workload randread --bs 4k --iodepth "$qd" --size 1G --runtime "${rt}s" --ramp 1s \
            --file "$file" --quiet -o "$tmp/r.json" >/dev/null 2>&1
        figures "$tmp/r.json" "storage/$be/qd$qd" "$out"
    done
    cat "$pc" >/dev/null  # page-cache residency decays between runs: re-read first
    "$bin" run --backend io_uring --workload randread --bs 4k --iodepth 32 --batch 8 --buffered --size 256M \
        --file "$pc" --runtime "${rt}s" --ramp 1s --quiet -o "$tmp/r.json" >/dev/null 2>&1
    figures "$tmp/r.json" "pagecache/io_uring/qd32/batch8" "$out"
    for be in io_uring epoll; do
        "$bin" serve --workload http --backend "$be" --listen "127.0.0.1:$port" --runtime "$((rt + 10))s" --quiet >/dev/null 2>&1 &
        local sp=$!
        sleep 1
        wrk --latency -t1 -c64 -d"${rt}s" "http://127.0.0.1:$port/" >"$tmp/wrk.txt"
        kill -INT "$sp"; wait "$sp" || true
        python3 - "$tmp/wrk.txt" "http/$be/wrk-c64" >>"$out" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
unit = {"us": 1, "ms": 1e3, "s": 1e6}
def lat(p):
    m = re.search(p + r"%\s+([\d.]+)(us|ms|s)", t)
    return float(m.group(1)) * unit[m.group(2)]
print(sys.argv[2], "iops", re.search(r"Requests/sec:\s+([\d.]+)", t).group(1))
print(sys.argv[2], "p50_us", lat("50")); print(sys.argv[2], "p99_us", lat("99"))
PY
        port=$((port + 1))
        "$bin" serve --workload echo --backend "$be" --listen "127.0.0.1:$port" --runtime "$((rt + 10))s" --quiet >/dev/null 2>&1 &
        sp=$!
        sleep 1
        "$before" load --workload echo --target "127.0.0.1:$port" --connections 64 --runtime "${rt}s" --ramp 1s --quiet \
            -o "$tmp/r.json" >/dev/null 2>&1
        kill -INT "$sp"; wait "$sp" || true
        figures "$tmp/r.json" "echo/$be/c64" "$out"
        port=$((port + 1))
    done
}

for ((i = 1; i <= rounds; i++)); do
    echo "compare_builds.sh: round $i of $rounds" >&2
    run_jobs "$before" "$tmp/before.txt"
    run_jobs "$after" "$tmp/after.txt"
done

python3 - "$tmp/before.txt" "$tmp/after.txt" <<'PY'
import statistics, sys
def load(p):
    d = {}
    for line in open(p):
        job, metric, v = line.split()
        d.setdefault((job, metric), []).append(float(v))
    return d
b, a = load(sys.argv[1]), load(sys.argv[2])
print(f"{'job':<32} {'metric':<8} {'before':>12} {'after':>12} {'after/before':>13}")
for key in b:
    mb, ma = statistics.median(b[key]), statistics.median(a[key])
    print(f"{key[0]:<32} {key[1]:<8} {mb:12.1f} {ma:12.1f} {ma / mb:13.3f}")
PY
