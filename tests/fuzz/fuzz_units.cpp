// Fuzz target: the size and duration parsers, and a --rate value through the
// whole command-line parser. A usage_error is the answer to bad input;
// anything else escaping (another exception, a crash, UB) is a bug. A value
// that parses must survive being written back.
#include "harness/cli/errors.hpp"
#include "harness/cli/options.hpp"
#include "tests/fuzz/fuzz_target.hpp"

#include <cmath>
#include <string>

namespace iobench::fuzz {

std::span<const std::string_view> dictionary() {
    static constexpr std::string_view words[] = {"k", "m", "g", "t", "kib", "MiB", "b", "B", "ms", "us", "s", "min",
                                                 "h", "e", "E", ".", "-", "+", " ", "nan", "inf", "0x", "1e400"};
    return words;
}

namespace {

void sizes(const std::string& text) {
    uint64_t n = 0;
    try {
        n = parse_size(text, "--bs");
    } catch (const usage_error&) {
        return;
    }
    FUZZ_CHECK(parse_size(std::to_string(n), "--bs") == n);
    if (n % 1024 == 0) FUZZ_CHECK(parse_size(std::to_string(n / 1024) + "k", "--bs") == n);
}

void durations(const std::string& text) {
    uint64_t ns = 0;
    try {
        ns = parse_duration_ns(text, "--runtime");
    } catch (const usage_error&) {
        return;
    }
    // Whole microseconds (their ns too) are exact in a double below 2^53.
    const uint64_t us = ns / 1000;
    if (ns < (1ull << 53)) FUZZ_CHECK(parse_duration_ns(std::to_string(us) + "us", "--runtime") == us * 1000);
}

void rate(const std::string& text) {
    const char* argv[] = {"iobench", "run", "--workload", "echo", "--backend", "epoll", "--rate", text.c_str()};
    command_line cl;
    try {
        cl = parse_command_line(static_cast<int>(std::size(argv)), argv);
    } catch (const usage_error&) {
        return;
    }
    FUZZ_CHECK(cl.cmd == command_line::verb::run);
    FUZZ_CHECK(std::isfinite(cl.run.rate) && cl.run.rate >= 0);
}

}  // namespace

}  // namespace iobench::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    // Command-line words are C strings: up to the first NUL.
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::string word = text.substr(0, text.find('\0'));
    iobench::fuzz::sizes(word);
    iobench::fuzz::durations(word);
    iobench::fuzz::rate(word);
    return 0;
}
