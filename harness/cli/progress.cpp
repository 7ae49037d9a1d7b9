// Progress on stderr: "label  3.0/10.0 s  81.2k IOPS", redrawn in place.
#include "harness/cli/progress.hpp"

#include <cstdio>
#include <unistd.h>

namespace iobench {

progress_line::progress_line(std::string label, bool quiet)
    : label_(std::move(label)), enabled_(!quiet && ::isatty(STDERR_FILENO)) {}

void progress_line::update(uint64_t elapsed_ns, uint64_t total_ns, uint64_t ops) {
    if (!enabled_ || elapsed_ns <= last_ns_) return;
    const double rate = static_cast<double>(ops - last_ops_) * 1e9 / static_cast<double>(elapsed_ns - last_ns_);
    std::fprintf(stderr, "\r  %-28s %5.1f/%.1f s  %9.1fk IOPS ", label_.c_str(), static_cast<double>(elapsed_ns) / 1e9,
                 static_cast<double>(total_ns) / 1e9, rate / 1e3);
    std::fflush(stderr);
    drawn_ = true;
    last_ops_ = ops;
    last_ns_ = elapsed_ns;
}

void progress_line::finish() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
}

}  // namespace iobench
