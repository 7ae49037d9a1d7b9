// The pieces the verb parsers (harness/cli/options.cpp) assemble: each flag
// group's description, bound to raw text or to run_options, and the checks
// that turn the raw text into typed, validated options.
#pragma once

#include "harness/cli/options.hpp"

#include <boost/program_options.hpp>
#include <span>
#include <string>
#include <vector>

namespace iobench {

// Raw text of the flags that need parsing after Program_options has run.
struct raw_flags {
    std::string backend, bs, size, runtime, ramp, notify, client_backend, msg_size, buf_size = "64k";
    std::string interval = "1s", steady;
    std::string aio_fds = "per-slot";
    std::string format = "json";
    std::string method = "all", cache = "warm";
    std::string ev_backend;
};

extern const char* const format_help;  // --format's text, for run and suite

// Flag groups (harness/cli/option_groups.cpp).
namespace po = boost::program_options;
po::options_description common_description(raw_flags& f, run_options& o, const char* backend_help,
                                           const char* runtime_default);
po::options_description measure_description(raw_flags& f, run_options& o, bool with_repeat);
po::options_description storage_description(raw_flags& f, run_options& o);
po::options_description transfer_description(raw_flags& f, run_options& o);
po::options_description transfer_file_description(raw_flags& f, run_options& o, bool serve);
po::options_description server_description(raw_flags& f, run_options& o, const char* listen_help);
po::options_description load_description(raw_flags& f, run_options& o, bool with_target);

// Checks (harness/cli/option_checks.cpp): each throws usage_error naming the flag.
std::string backend_names();
export_set parse_formats(const std::string& list);
void expand_backends(const std::string& list, std::vector<std::string>& out);
// A flag of the other kind of workload would be silently ignored: refuse it,
// naming it (given = on the command line, not a default).
extern const std::span<const char* const> storage_only_flags, network_only_flags, transfer_only_flags;
void refuse_flags(const po::variables_map& vm, std::span<const char* const> flags, const std::string& why);
void check_common(const raw_flags& f, run_options& o);
void check_storage(const raw_flags& f, const po::variables_map& vm, run_options& o);
void check_transfer(const raw_flags& f, const po::variables_map& vm, run_options& o);
void check_network(const raw_flags& f, const po::variables_map& vm, run_options& o);

}  // namespace iobench
