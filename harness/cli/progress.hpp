// One live progress line on stderr for long runs: only on a terminal, never with --quiet.
#pragma once

#include <cstdint>
#include <string>

namespace iobench {

class progress_line {
public:
    progress_line(std::string label, bool quiet);
    void update(uint64_t elapsed_ns, uint64_t total_ns, uint64_t ops);
    void finish();

private:
    std::string label_;
    bool enabled_;
    bool drawn_ = false;
    uint64_t last_ops_ = 0, last_ns_ = 0;
};

}  // namespace iobench
