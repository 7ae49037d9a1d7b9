// Network workload names.
#include "workloads/net_workload.hpp"

namespace iobench {

namespace {
constexpr std::pair<net_workload, std::string_view> names[] = {
    {net_workload::echo, "echo"}, {net_workload::stream, "stream"}, {net_workload::http, "http"}};
}  // namespace

std::optional<net_workload> parse_net_workload(std::string_view name) {
    for (auto [w, n] : names)
        if (n == name) return w;
    return std::nullopt;
}

std::string_view to_string(net_workload w) {
    for (auto [v, n] : names)
        if (v == w) return n;
    return "?";
}

}  // namespace iobench
