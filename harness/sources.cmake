# The harness and workloads, and the iobench executable (results/ is its own library).
add_library(iobench_core STATIC
  # workloads: what ops to issue
  workloads/echo_session.cpp
  workloads/http_parser.cpp
  workloads/http_session.cpp
  workloads/net_workload.cpp
  workloads/stream_session.cpp
  workloads/storage_workload.cpp
  workloads/transfer_copy.cpp
  workloads/transfer_method.cpp
  workloads/transfer_msg_zerocopy.cpp
  workloads/transfer_splice.cpp
  workloads/transfer_uring.cpp
  workloads/ws_echo_session.cpp
  workloads/ws_frame.cpp
  workloads/ws_echo_client.cpp
  workloads/utf8_check.cpp
  workloads/ws_handshake.cpp
  # harness/system: clock, CPU, host facts and samples, preflight, interruption
  harness/system/host_info.cpp
  harness/system/host_sample.cpp
  harness/system/preflight.cpp
  harness/system/proc_text.cpp
  harness/system/interrupt.cpp
  harness/system/fd_limit.cpp
  harness/system/thread_cpu.cpp
  # harness/cli: options and progress
  # harness/cli: options, progress and the merge verb
  harness/cli/compare_command.cpp
  harness/cli/merge_command.cpp
  harness/cli/output_file.cpp
  harness/cli/run_command.cpp
  harness/cli/suite_command.cpp
  harness/cli/plot_command.cpp
  harness/cli/options.cpp
  harness/cli/option_groups.cpp
  harness/cli/option_checks.cpp
  harness/cli/progress.cpp
  harness/cli/suite_file.cpp
  # harness/run: the run plan both storage and network follow (window, intervals, repetitions, checks)
  harness/run/interval_timeline.cpp
  harness/run/run_checks.cpp
  harness/run/run_plan.cpp
  harness/run/steady_state.cpp
  # harness/storage: the test file, the closed-loop engine and its runner
  harness/storage/test_file.cpp
  harness/storage/storage_engine.cpp
  harness/storage/storage_runner.cpp
  # harness/net: server loop, load loop, runners, namespaces
  harness/net/lws_glib_poll.cpp
  harness/net/lws_server.cpp
  harness/net/net_address.cpp
  harness/net/net_load.cpp
  harness/net/net_load_worker.cpp
  harness/net/net_runner.cpp
  harness/net/net_server.cpp
  harness/net/net_server_loop.cpp
  harness/net/netns.cpp
  # harness/transfer: --workload transfer (a file to loopback receivers that verify every byte)
  harness/transfer/transfer_receiver.cpp
  harness/transfer/transfer_runner.cpp
  harness/transfer/transfer_sender.cpp
  harness/transfer/transfer_sides.cpp
)
# OpenSSL's libcrypto: SHA-1 and base64 for the WebSocket handshake (ws_echo).
find_package(OpenSSL REQUIRED COMPONENTS Crypto)
# libwebsockets (foreign loops: libev, GLib) for --server lws / lws-libev.
pkg_check_modules(LWS REQUIRED IMPORTED_TARGET libwebsockets)
pkg_check_modules(GLIB REQUIRED IMPORTED_TARGET glib-2.0)
find_library(EV_LIB ev REQUIRED)
find_path(EV_INCLUDE ev.h REQUIRED)
target_include_directories(iobench_core PRIVATE ${EV_INCLUDE})
target_link_libraries(iobench_core PUBLIC iobench_backends iobench_results iobench_plots Boost::program_options OpenSSL::Crypto
  PkgConfig::LWS PkgConfig::GLIB ${EV_LIB})

add_executable(iobench harness/main.cpp)
target_link_libraries(iobench PRIVATE iobench_core)
