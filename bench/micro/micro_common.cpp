// Scratch files, probes and per-op counters shared by the benchmark families.
#include "bench/micro/micro_common.hpp"

#include "backends/unique_fd.hpp"

#include <cerrno>
#include <cstdlib>
#include <fcntl.h>
#include <sys/resource.h>
#include <system_error>
#include <unistd.h>
#include <vector>

namespace iobench::micro {

namespace {

scratch_files files_;

// mkstemp in dir, filled with non-zero bytes (never sparse), then read once
// so every later read of it is a page-cache hit.
std::string make_file(const std::string& dir) {
    std::string path = dir + "/iobench-micro-XXXXXX";
    unique_fd fd(::mkstemp(path.data()));
    if (!fd) throw std::system_error(errno, std::system_category(), "mkstemp " + path);
    std::vector<unsigned char> buf(1 << 20);
    for (size_t i = 0; i < buf.size(); ++i) buf[i] = static_cast<unsigned char>(i * 131 + 7);
    for (size_t off = 0; off < scratch_len; off += buf.size())
        if (::pwrite(fd.get(), buf.data(), buf.size(), static_cast<off_t>(off)) != static_cast<ssize_t>(buf.size()))
            throw std::system_error(errno, std::system_category(), "write " + path);
    ::fsync(fd.get());
    for (size_t off = 0; off < scratch_len; off += buf.size())
        if (::pread(fd.get(), buf.data(), buf.size(), static_cast<off_t>(off)) < 0)
            throw std::system_error(errno, std::system_category(), "read " + path);
    return path;
}

}  // namespace

const scratch_files& scratch() { return files_; }

void make_scratch(const std::string& dir) {
    files_.disk = make_file(dir);
    files_.shm = make_file("/dev/shm");
}

void remove_scratch() {
    if (!files_.disk.empty()) ::unlink(files_.disk.c_str());
    if (!files_.shm.empty()) ::unlink(files_.shm.c_str());
}

probe_result probe_file(const backend_entry& e, const std::string& path) {
    return e.probe({io_target::file, path, false});
}

probe_result probe_socket(const backend_entry& e) {
    return e.probe({io_target::socket, {}, false});
}

long process_context_switches() {
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    return ru.ru_nvcsw + ru.ru_nivcsw;
}

void op_counters::start(const backend& be, const benchmark::State& st) {
    at_ = be.counters();
    if (st.thread_index() == 0) csw_ = process_context_switches();
}

void op_counters::finish(const backend& be, benchmark::State& st) const {
    const backend_counters d = be.counters() - at_;
    using benchmark::Counter;
    st.counters["submit_calls/op"] = Counter(static_cast<double>(d.submit_calls), Counter::kAvgIterations);
    st.counters["reap_calls/op"] = Counter(static_cast<double>(d.reap_calls), Counter::kAvgIterations);
    st.counters["enter_calls/op"] = Counter(static_cast<double>(d.enter_calls), Counter::kAvgIterations);
    const double csw = st.thread_index() == 0 ? static_cast<double>(process_context_switches() - csw_) : 0.0;
    st.counters["ctx_switches/op"] = Counter(csw, Counter::kAvgIterations);
}

benchmark::internal::Benchmark* defaults(benchmark::internal::Benchmark* b) {
    return b->UseRealTime()->MeasureProcessCPUTime();
}

}  // namespace iobench::micro
