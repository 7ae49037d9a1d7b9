// Parameter values to and from JSON (see json_params.hpp).
#include "results/json_params.hpp"

#include <charconv>
#include <stdexcept>

namespace iobench {

nlohmann::ordered_json to_json(const param_value& v) {
    return std::visit(
        [](const auto& x) -> nlohmann::ordered_json {
            if constexpr (std::is_same_v<std::decay_t<decltype(x)>, std::monostate>) return nullptr;
            else return x;
        },
        v);
}

nlohmann::ordered_json to_json(const parameter_map& m) {
    nlohmann::ordered_json j = nlohmann::ordered_json::object();
    for (const auto& [k, v] : m) j[k] = to_json(v);
    return j;
}

param_value param_from_json(const nlohmann::ordered_json& j) {
    switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return std::monostate{};
    case nlohmann::ordered_json::value_t::boolean: return j.get<bool>();
    case nlohmann::ordered_json::value_t::number_unsigned: return j.get<uint64_t>();
    case nlohmann::ordered_json::value_t::number_integer: return param_int(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_float: return j.get<double>();
    case nlohmann::ordered_json::value_t::string: return j.get<std::string>();
    default: throw std::runtime_error("a parameter value must be null, a boolean, a number or a string");
    }
}

namespace {
// The whole of `s` as a number of type T, or nothing.
template <typename T>
std::optional<T> whole_number(std::string_view s) {
    T v{};
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}
}  // namespace

param_value param_from_v1_text(const std::string& text) {
    if (text.empty()) return std::monostate{};
    if (text == "true") return true;
    if (text == "false") return false;
    if (auto u = whole_number<uint64_t>(text)) return *u;
    if (auto i = whole_number<int64_t>(text)) return param_int(*i);
    if (auto d = whole_number<double>(text)) return *d;
    // Durations: "%f" seconds with an "s" suffix.
    if (text.back() == 's')
        if (auto d = whole_number<double>(std::string_view(text).substr(0, text.size() - 1))) return *d;
    return text;
}

}  // namespace iobench
