// Golden-file comparison for the writers' tests (as Google Benchmark's output
// tests do): exact text against tests/golden/NAME. IOBENCH_UPDATE_GOLDEN=1
// rewrites the file instead (then review the diff).
#pragma once

#include <cstdlib>
#include <fstream>
#include <gtest/gtest.h>
#include <sstream>
#include <string>

namespace iobench::test {

inline void expect_golden(const std::string& name, const std::string& got) {
    const std::string path = std::string(IOBENCH_GOLDEN_DIR) + "/" + name;
    if (std::getenv("IOBENCH_UPDATE_GOLDEN")) {
        std::ofstream(path) << got;
        return;
    }
    std::ifstream in(path);
    ASSERT_TRUE(in) << path << " is missing (IOBENCH_UPDATE_GOLDEN=1 writes it)";
    std::stringstream want;
    want << in.rdbuf();
    EXPECT_EQ(got, want.str()) << "differs from " << path;
}

}  // namespace iobench::test
