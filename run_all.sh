#!/usr/bin/env bash
# iobench's three entry points on a fresh Debian bookworm machine:
#   ./run_all.sh        install packages, build (Release), run the default suite into out/
#   ./run_all.sh test   install packages, build with -Werror, run every test (ctest),
#                       then the conformance tests again under ASan + UBSan
#   ./run_all.sh micro  install packages, build, run iobench-micro (Google Benchmark,
#                       every backend) into out/micro.json; MICRO_MIN_TIME=s (default 0.5)
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-run}
case "$mode" in
  run|test|micro) ;;
  -h|--help|help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
  *) echo "run_all.sh: unknown mode '$mode' (use: ./run_all.sh, ./run_all.sh test or ./run_all.sh micro)" >&2; exit 2 ;;
esac

jobs=$(nproc 2>/dev/null || echo 2)

packages=(
  g++ cmake ninja-build pkg-config
  liburing-dev libaio-dev libboost-dev libboost-program-options-dev nlohmann-json3-dev
  libbenchmark-dev libgnuplot-iostream-dev libboost-iostreams-dev libboost-filesystem-dev gnuplot-nox
  fonts-dejavu-core
  libgtest-dev iproute2
  libssl-dev python3-websockets
  libwebsockets-dev libev-dev libglib2.0-dev libwebsockets-test-server
  libbenchmark-tools python3-scipy
  jq
  util-linux mount dmsetup
)

install_packages() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "run_all.sh: installing ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "run_all.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

build() {  # build DIR [cmake args...]; BUILD_TARGET=name builds only that target
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs" ${BUILD_TARGET:+--target "$BUILD_TARGET"}
}

install_packages

if [ "$mode" = test ]; then
  build build -DCMAKE_BUILD_TYPE=Release -DIOBENCH_WERROR=ON
  ctest --test-dir build --output-on-failure -j "$jobs" --timeout 300
  # Sanitizers: the conformance suite drives every backend's real kernel path.
  BUILD_TARGET=sanitized_suite build build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DIOBENCH_WERROR=ON -DIOBENCH_SANITIZE=ON
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" -L 'conformance|net|fuzz' --timeout 300
  exit 0
fi

if [ "$mode" = micro ]; then
  # Google Benchmark 1.7.1 takes --benchmark_min_time as plain seconds (no "s").
  BUILD_TARGET=iobench-micro build build -DCMAKE_BUILD_TYPE=Release
  mkdir -p out
  ./build/iobench-micro --micro_dir=out --benchmark_min_time="${MICRO_MIN_TIME:-0.5}" \
    --benchmark_out=out/micro.json --benchmark_out_format=json | tee out/micro.txt
  echo "run_all.sh: results in out/micro.json (Google Benchmark JSON), table in out/micro.txt"
  exit 0
fi

build build -DCMAKE_BUILD_TYPE=Release
mkdir -p out
bin=./build/iobench
# The default suite (suites/default.ini): short storage runs across every
# backend on one 1 GiB O_DIRECT file in out/ (kept between runs, so it is
# written only once), then echo and HTTP over loopback. One JSON per job
# (out/randread-4k-qd32.json ...), every table in out/summary.txt.
"$bin" suite suites/default.ini -o out
"$bin" list --file out/iobench.data > out/backends.txt
echo "run_all.sh: results in out/ (summary.txt, backends.txt, *.json)"
"$bin" plot out -o out/charts --quiet || echo "run_all.sh: iobench plot could not draw every chart (see above)" >&2
echo "run_all.sh: charts in $(pwd)/out/charts/index.html"
