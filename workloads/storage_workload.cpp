// Storage workload names and the op source's setup.
#include "workloads/storage_workload.hpp"

namespace iobench {

namespace {
constexpr std::pair<storage_pattern, std::string_view> names[] = {
    {storage_pattern::read, "read"},         {storage_pattern::write, "write"},
    {storage_pattern::randread, "randread"}, {storage_pattern::randwrite, "randwrite"},
    {storage_pattern::randrw, "randrw"},
};
}  // namespace

std::optional<storage_pattern> parse_storage_pattern(std::string_view name) {
    for (auto [p, n] : names)
        if (n == name) return p;
    return std::nullopt;
}

std::string_view to_string(storage_pattern p) {
    for (auto [q, n] : names)
        if (q == p) return n;
    return "?";
}

storage_op_source::storage_op_source(storage_pattern p, uint64_t region_start, uint64_t region_len, uint32_t bs,
                                     unsigned rwmixread, uint64_t seed)
    : pattern_(p),
      random_(p == storage_pattern::randread || p == storage_pattern::randwrite || p == storage_pattern::randrw),
      start_(region_start),
      blocks_(region_len / bs),
      bs_(bs),
      rwmixread_(rwmixread),
      state_(seed | 1) {}

}  // namespace iobench
