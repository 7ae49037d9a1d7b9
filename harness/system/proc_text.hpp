// Parsers of the /proc and /sys text the host facts and the preflight read.
// Pure functions over strings, so tests can feed them any kernel's output.
#pragma once

#include "results/run_result.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iobench {

// The value of a one-line /sys attribute: trimmed, or "unavailable" when the
// file was missing or empty.
std::string sysfs_value(std::string_view text);

// The active scheduler from /sys/block/DEV/queue/scheduler: the bracketed
// one ("none [mq-deadline] kyber" -> "mq-deadline"); a lone name is itself.
std::string active_scheduler(std::string_view text);

// Jiffies (USER_HZ) from the aggregate "cpu" line of /proc/stat. Busy is
// user + nice + system: irq and softirq are left out because this process's
// own I/O raises them, and steal is time the hypervisor took, not a neighbour.
struct cpu_jiffies {
    uint64_t busy = 0;
    uint64_t total = 0;
};
std::optional<cpu_jiffies> parse_proc_stat(std::string_view text);

// utime + stime (USER_HZ) of /proc/PID/stat: every thread of the process,
// gone ones included. The command name may hold spaces and ')'.
std::optional<uint64_t> parse_pid_stat_cpu(std::string_view text);

// Other processes' CPU over an interval: machine busy less our own, in CPUs.
// busy above `threshold` CPUs (a tenth of one by default).
inline constexpr double neighbour_threshold = 0.10;
neighbour_load neighbour_between(const cpu_jiffies& machine0, const cpu_jiffies& machine1, uint64_t self0,
                                 uint64_t self1, uint64_t wall_ns, long ticks_per_s);

// "libaio.so.1.0.2" from the resolved path of the loaded library
// ("/usr/lib/x86_64-linux-gnu/libaio.so.1.0.2"); "unknown" if it is not one.
std::string library_file_version(std::string_view resolved_path, std::string_view stem);

}  // namespace iobench
