// Error kinds that decide the exit code: usage_error is bad input (exit 2, a
// one-line message naming the flag); anything else thrown at setup exits 1.
#pragma once

#include <stdexcept>
#include <string>

namespace iobench {

struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The backend cannot do this here; what() is the probe's reason. Thrown by
// the part that probes (net_server), so a runner reports `unsupported`
// without probing a second time.
struct unsupported_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

inline constexpr int exit_ok = 0;
inline constexpr int exit_failure = 1;  // a run failed (I/O error, verify mismatch)
inline constexpr int exit_usage = 2;    // bad input: nothing was run

}  // namespace iobench
