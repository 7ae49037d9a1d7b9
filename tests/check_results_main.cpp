// check_results [--expect-problems] FILE...: runs the schema check on results
// files and prints every problem; exits 1 when any file does not conform (with
// --expect-problems: when any file does). ctest runs it both ways, so a check
// that stopped finding damage fails the suite.
#include "results/schema_check.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string_view>

int main(int argc, char** argv) {
    int first = 1;
    const bool expect_problems = argc > 1 && std::string_view(argv[1]) == "--expect-problems";
    if (expect_problems) ++first;
    if (first >= argc) {
        std::fprintf(stderr, "usage: check_results [--expect-problems] FILE...\n");
        return 2;
    }
    int rc = 0;
    for (int i = first; i < argc; ++i) {
        std::ifstream in(argv[i]);
        std::stringstream s;
        s << in.rdbuf();
        const auto problems = in ? iobench::check_results_text(s.str()) : std::vector<std::string>{"cannot read it"};
        for (const auto& p : problems) std::printf("%s: %s\n", argv[i], p.c_str());
        if (problems.empty() == expect_problems) {
            if (expect_problems) std::printf("%s: conforms, but damage was expected\n", argv[i]);
            rc = 1;
        }
    }
    return rc;
}
