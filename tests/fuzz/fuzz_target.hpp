// What a fuzz target (tests/fuzz/fuzz_*.cpp) offers besides libFuzzer's
// LLVMFuzzerTestOneInput: words the mutator of fuzz_driver.cpp splices into
// inputs (a hand-made dictionary, as libFuzzer's -dict= files are), and the
// check that fails a target when a property does not hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace iobench::fuzz {

// The target's tokens (fields, keywords, delimiters); may be empty.
std::span<const std::string_view> dictionary();

// A property that must hold for every input: abort, so the driver keeps the input.
#define FUZZ_CHECK(cond)                                                                    \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            std::fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond); \
            std::abort();                                                                   \
        }                                                                                   \
    } while (0)

}  // namespace iobench::fuzz
