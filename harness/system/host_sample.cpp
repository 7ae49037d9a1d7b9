// Page-cache residency by mincore, other processes' CPU by /proc/stat.
#include "harness/system/host_sample.hpp"

#include "backends/unique_fd.hpp"
#include "harness/system/clock.hpp"
#include "harness/system/host_info.hpp"

#include <algorithm>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace iobench {

namespace {

std::optional<cpu_jiffies> machine_now() { return parse_proc_stat(read_text("/proc/stat")); }
std::optional<uint64_t> self_now() { return parse_pid_stat_cpu(read_text("/proc/self/stat")); }

}  // namespace

std::optional<double> cached_fraction(const std::string& path, uint64_t len) {
    unique_fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return std::nullopt;
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return std::nullopt;
    uint64_t size = static_cast<uint64_t>(st.st_size);
    if (S_ISBLK(st.st_mode)) {
        const off_t end = ::lseek(fd.get(), 0, SEEK_END);
        size = end > 0 ? static_cast<uint64_t>(end) : 0;
    }
    size = std::min(size, len);
    if (size == 0) return std::nullopt;
    void* map = ::mmap(nullptr, size, PROT_READ, MAP_SHARED, fd.get(), 0);
    if (map == MAP_FAILED) return std::nullopt;
    const long page = ::sysconf(_SC_PAGESIZE);
    const size_t pages = (size + static_cast<uint64_t>(page) - 1) / static_cast<uint64_t>(page);
    std::vector<unsigned char> vec(pages);
    const int r = ::mincore(map, size, vec.data());
    ::munmap(map, size);
    if (r != 0) return std::nullopt;
    size_t resident = 0;
    for (unsigned char v : vec) resident += v & 1;
    return static_cast<double>(resident) / static_cast<double>(pages);
}

neighbour_sampler::neighbour_sampler() : machine_(machine_now()), self_(self_now()), start_ns_(now_ns()) {}

std::optional<neighbour_load> neighbour_sampler::finish() const {
    const auto machine = machine_now();
    const auto self = self_now();
    const uint64_t end = now_ns();
    if (!machine_ || !self_ || !machine || !self) return std::nullopt;
    return neighbour_between(*machine_, *machine, *self_, *self, end - start_ns_, ::sysconf(_SC_CLK_TCK));
}

}  // namespace iobench
