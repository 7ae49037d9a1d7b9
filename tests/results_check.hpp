// For the end-to-end tests: a results file iobench wrote must pass the schema
// check and be readable by the results reader.
#pragma once

#include "results/json_reader.hpp"
#include "results/schema_check.hpp"

#include <gtest/gtest.h>
#include <sstream>
#include <string>

namespace iobench::test {

inline void expect_valid_results(const std::string& text) {
    for (const auto& p : check_results_text(text)) ADD_FAILURE() << "schema: " << p;
    std::istringstream in(text);
    EXPECT_NO_THROW(read_results_json(in));
}

}  // namespace iobench::test
