// Facts about this host and the storage target, recorded in every result.
#pragma once

#include "results/run_result.hpp"

#include <string>

namespace iobench {

// target_path may be empty (network runs).
host_facts collect_host_facts(const std::string& target_path);

std::string utc_timestamp();

// The whole of a small text file (/proc, /sys), or "" if it cannot be read.
std::string read_text(const std::string& path);

}  // namespace iobench
