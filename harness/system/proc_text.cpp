// Parsers of /proc and /sys text (see proc_text.hpp for the fields chosen).
#include "harness/system/proc_text.hpp"

#include <algorithm>
#include <sstream>

namespace iobench {

namespace {

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(" \t\n");
    if (b == std::string_view::npos) return {};
    const auto e = s.find_last_not_of(" \t\n");
    return s.substr(b, e - b + 1);
}

}  // namespace

std::string sysfs_value(std::string_view text) {
    const auto v = trim(text);
    return v.empty() ? "unavailable" : std::string(v);
}

std::string active_scheduler(std::string_view text) {
    const auto v = trim(text);
    if (v.empty()) return "unavailable";
    const auto open = v.find('[');
    const auto close = v.find(']', open == std::string_view::npos ? 0 : open);
    if (open == std::string_view::npos || close == std::string_view::npos) return std::string(v);
    return std::string(v.substr(open + 1, close - open - 1));
}

std::optional<cpu_jiffies> parse_proc_stat(std::string_view text) {
    // The first line: "cpu  user nice system idle iowait irq softirq steal guest guest_nice".
    if (!text.starts_with("cpu ")) return std::nullopt;
    std::istringstream in(std::string(text.substr(4, text.find('\n') - 4)));
    uint64_t f[8] = {};
    unsigned n = 0;
    while (n < 8 && in >> f[n]) ++n;
    if (n < 4) return std::nullopt;  // user nice system idle at the least
    cpu_jiffies j;
    j.busy = f[0] + f[1] + f[2];
    for (unsigned i = 0; i < n; ++i) j.total += f[i];  // guest time is already inside user
    return j;
}

std::optional<uint64_t> parse_pid_stat_cpu(std::string_view text) {
    // "pid (comm) state ppid ..."; utime and stime are fields 14 and 15, i.e.
    // the 12th and 13th after the closing parenthesis of comm.
    const auto paren = text.rfind(')');
    if (paren == std::string_view::npos) return std::nullopt;
    std::istringstream in(std::string(text.substr(paren + 1)));
    std::string field;
    uint64_t utime = 0, stime = 0;
    for (int i = 1; i <= 11; ++i)
        if (!(in >> field)) return std::nullopt;
    if (!(in >> utime >> stime)) return std::nullopt;
    return utime + stime;
}

neighbour_load neighbour_between(const cpu_jiffies& machine0, const cpu_jiffies& machine1, uint64_t self0,
                                 uint64_t self1, uint64_t wall_ns, long ticks_per_s) {
    neighbour_load n;
    if (wall_ns == 0 || ticks_per_s <= 0 || machine1.busy < machine0.busy) return n;
    const double busy = static_cast<double>(machine1.busy - machine0.busy);
    const double self = self1 >= self0 ? static_cast<double>(self1 - self0) : 0.0;
    const double ticks = static_cast<double>(wall_ns) * static_cast<double>(ticks_per_s) / 1e9;
    // Both counters tick in whole jiffies: a small negative is rounding.
    n.cpu_fraction = std::max(0.0, (busy - self) / ticks);
    n.busy = n.cpu_fraction > neighbour_threshold;
    return n;
}

std::string library_file_version(std::string_view resolved_path, std::string_view stem) {
    const auto slash = resolved_path.rfind('/');
    const auto file = slash == std::string_view::npos ? resolved_path : resolved_path.substr(slash + 1);
    const std::string prefix = std::string(stem) + ".so";
    if (!file.starts_with(prefix)) return "unknown";
    return std::string(file);
}

}  // namespace iobench
