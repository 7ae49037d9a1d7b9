// run_status names: the strings results carry.
#include "results/run_result.hpp"

#include <array>

namespace iobench {

namespace {
constexpr std::array<std::string_view, 5> status_names{"ok", "unsupported", "error", "suspect", "interrupted"};
}

std::string_view to_string(run_status s) { return status_names[static_cast<size_t>(s)]; }

std::optional<run_status> parse_run_status(std::string_view s) {
    for (size_t i = 0; i < status_names.size(); ++i)
        if (status_names[i] == s) return static_cast<run_status>(i);
    return std::nullopt;
}

}  // namespace iobench
