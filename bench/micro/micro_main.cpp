// iobench-micro: Google Benchmark micro-benchmarks of one operation on each
// backend, registered at start-up from the backend registry, so a backend
// added there gets them with no edit here. Google Benchmark's own flags work
// as usual; ours: --micro_dir=DIR (where the page-cache file goes; default .).
#include "bench/micro/micro_common.hpp"

#include <cstring>
#include <iostream>
#include <sys/utsname.h>

namespace {

constexpr std::string_view dir_flag = "--micro_dir=";

// Takes --micro_dir=DIR out of argv (Google Benchmark rejects flags it does not know).
std::string take_dir_flag(int& argc, char** argv) {
    std::string dir = ".";
    int out = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        if (a.starts_with(dir_flag)) dir = a.substr(dir_flag.size());
        else argv[out++] = argv[i];
    }
    argc = out;
    return dir;
}

}  // namespace

int main(int argc, char** argv) {
    using namespace iobench::micro;
    for (int i = 1; i < argc; ++i)
        if (std::strcmp(argv[i], "--help") == 0) {
            std::cout << "iobench-micro [Google Benchmark flags] [--micro_dir=DIR]\n"
                         "  --micro_dir=DIR  directory on the disk filesystem for the 8 MiB page-cache file (default .)\n"
                         "Benchmarks: read_4k_pagecache, write_4k_tmpfs, tcp_send_recv_64B, nop_liburing_direct,\n"
                         "per backend of the registry; a backend that cannot run here is skipped with its reason.\n\n";
            benchmark::Initialize(&argc, argv);  // prints Google Benchmark's flags and exits, before any file is made
            return 0;
        }
    const std::string dir = take_dir_flag(argc, argv);
    try {
        make_scratch(dir);
    } catch (const std::exception& e) {
        std::cerr << "iobench-micro: --micro_dir: " << e.what() << '\n';
        remove_scratch();
        return 2;
    }
    for (const auto& e : iobench::registry()) {
        register_storage_round_trip(e);
        register_tmpfs_write(e);
        register_socket_pair(e);
        register_uring(e);
    }
    utsname u{};
    ::uname(&u);
    benchmark::AddCustomContext("kernel", u.release);
    benchmark::AddCustomContext("liburing", IOBENCH_LIBURING_VERSION);
    benchmark::AddCustomContext("pagecache_file", scratch().disk);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        remove_scratch();
        return 2;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    remove_scratch();
    return 0;
}
