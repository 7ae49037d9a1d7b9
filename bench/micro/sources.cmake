# iobench-micro: Google Benchmark micro-benchmarks over the backend registry
# (links the backends only: no harness, no results library).
find_package(benchmark REQUIRED)
add_executable(iobench-micro
  bench/micro/micro_main.cpp
  bench/micro/micro_common.cpp
  bench/micro/storage_loop.cpp
  bench/micro/storage_round_trip.cpp
  bench/micro/tmpfs_write.cpp
  bench/micro/socket_pair.cpp
  bench/micro/uring_nop_and_registration.cpp
)
target_link_libraries(iobench-micro PRIVATE iobench_backends benchmark::benchmark)
