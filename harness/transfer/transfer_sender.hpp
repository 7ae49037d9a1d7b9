// The pieces of a transfer every side shares: the sender's setup (method,
// backend under test, file fds), the cache state, the figures of a finished
// transfer, and the receivers' verdict. `run` (both ends in one process),
// `serve` (the sender) and `load` (a receiver) are built from them.
#pragma once

#include "backends/backend.hpp"
#include "backends/unique_fd.hpp"
#include "harness/cli/options.hpp"
#include "harness/transfer/transfer_receiver.hpp"
#include "results/run_result.hpp"
#include "workloads/transfer_method.hpp"

#include <memory>
#include <string>

namespace iobench {

class test_file;

inline constexpr int transfer_idle_bound_s = 10;  // a socket that moves nothing this long fails the run

// SO_RCVTIMEO and SO_SNDTIMEO: every blocking call on `fd` is bounded in time.
void set_transfer_timeouts(int fd);

struct transfer_sender {
    const transfer_method* method = nullptr;
    std::unique_ptr<backend> be;  // read_send: the backend under test
    unique_fd fd, dfd;            // the file, buffered and (--direct) O_DIRECT
    bool nonblocking_socket() const { return be && !(be->caps() & cap_blocking_fds); }
};

// Names the result (backend, workload, transfer facts) and sets up `s`; false
// with r unsupported (and its reason) when this method/backend cannot run.
bool make_sender(const transfer_method& m, const std::string& backend_name, const run_options& o,
                 const test_file& file, run_result& r, transfer_sender& s);

// warm: reads the file once; cold: drops it. Outside the timed window; records the resident fraction.
void set_cache_state(const test_file& file, int fd, bool cold, transfer_facts& t);

// Rate, calls and zero-copy figures of `bytes` delivered in `duration_s` (sender CPU already in t).
void fill_transfer_figures(run_result& r, const transfer_counts& c, uint64_t bytes, double duration_s);

// The method's failure as a sentence: "METHOD: CALL: ENAME: text".
std::string transfer_failure(const transfer_method& m, const transfer_counts& c, int rc);

// A receiver's verdict on a stream of `expect` bytes: "" when whole and intact.
std::string receive_verdict(const receive_report& rep, uint64_t expect, const std::string& who);

}  // namespace iobench
