// Fuzz target: job files (harness/cli/suite_file.hpp), the INI framing and
// then every job through the command-line parser. Bad input is a
// usage_error naming FILE:LINE; nothing else may escape. A file that reads
// reads the same twice, and every job is a `run` with a unique name.
#include "harness/cli/errors.hpp"
#include "harness/cli/suite_file.hpp"
#include "tests/fuzz/fuzz_target.hpp"

#include <set>
#include <string>

namespace iobench::fuzz {

std::span<const std::string_view> dictionary() {
    static constexpr std::string_view words[] = {
        "[global]\n", "[job]\n", "\n", "=", ",", "#", ";", " ", "[", "]", "backend=", "iodepth=1,4,16\n",
        "bs=4k,64k\n", "workload=", "randread", "echo", "http", "ws_echo", "size=", "runtime=", "rate=", "true",
        "false", "o=", "repeat=2\n", "b=all\n", "connections=", "msg-size=", "format=csv\n"};
    return words;
}

}  // namespace iobench::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace iobench;
    const std::string text(reinterpret_cast<const char*>(data), size);
    suite s;
    try {
        s = parse_suite(text, "fuzz.ini", {{"repeat", "1", 0}});
    } catch (const usage_error&) {
        return 0;
    }
    const suite again = parse_suite(text, "fuzz.ini", {{"repeat", "1", 0}});
    FUZZ_CHECK(again.jobs.size() == s.jobs.size() && !s.jobs.empty());
    std::set<std::string> names;
    for (size_t i = 0; i < s.jobs.size(); ++i) {
        FUZZ_CHECK(s.jobs[i].args == again.jobs[i].args);
        FUZZ_CHECK(!s.jobs[i].args.empty() && s.jobs[i].args[0] == "run");
        FUZZ_CHECK(names.insert(s.jobs[i].name).second);
    }
    try {
        check_suite(s);
    } catch (const usage_error&) {
    }
    return 0;
}
