# The harness, workloads and result writers, and the iobench executable.
add_library(iobench_core STATIC
  harness/histogram.cpp
  harness/host_info.cpp
  harness/interrupt.cpp
  harness/net_address.cpp
  harness/net_load.cpp
  harness/net_load_worker.cpp
  harness/net_runner.cpp
  harness/net_server.cpp
  harness/netns.cpp
  harness/net_server_loop.cpp
  harness/options.cpp
  harness/progress.cpp
  harness/storage_engine.cpp
  harness/storage_runner.cpp
  workloads/http_parser.cpp
  workloads/net_workload.cpp
  workloads/storage_workload.cpp
  workloads/test_file.cpp
  results/json_writer.cpp
  results/table_writer.cpp
)
target_link_libraries(iobench_core PUBLIC iobench_backends Boost::program_options nlohmann_json::nlohmann_json)

add_executable(iobench harness/main.cpp)
target_link_libraries(iobench PRIVATE iobench_core)
