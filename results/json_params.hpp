// Parameter values to and from JSON, shared by the writer and the reader so
// the two cannot drift apart.
#pragma once

#include "results/run_result.hpp"

#include <nlohmann/json.hpp>

namespace iobench {

nlohmann::ordered_json to_json(const param_value& v);
nlohmann::ordered_json to_json(const parameter_map& m);

// iobench/2: a JSON scalar as it is. Throws std::runtime_error on arrays and objects.
param_value param_from_json(const nlohmann::ordered_json& j);
// iobench/1 wrote every value as text: "true"/"false", integers, "0.300000s"
// for durations, "" for not applicable. Recover the iobench/2 types from it.
param_value param_from_v1_text(const std::string& text);

}  // namespace iobench
