// Runs the built iobench binary for end-to-end tests and captures what it says.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

namespace iobench::test {

struct cli_result {
    int exit_code;
    std::string out, err;
};

// A per-process scratch directory, removed after the last test.
std::filesystem::path work_dir();
// work_dir()/name, emptied and created afresh.
std::filesystem::path fresh_dir(const std::string& name);
// Finished and measured: "ok", or "suspect" when a self-check (Little's
// law, censored ops) doubts a short run on this shared, busy machine.
bool measured(const nlohmann::json& run);
// The result of `backend` in a results document, or nullptr.
const nlohmann::json* find_run(const nlohmann::json& doc, const std::string& backend);
std::string slurp(const std::filesystem::path& p);
// `iobench ARGS` through the shell, stdout and stderr captured separately.
cli_result run_cli(const std::string& args);
// The same with PREFIX before the binary: a wrapper ("prlimit ... -- ") or
// shell words ("ulimit -n 64; ").
cli_result run_cli_with_prefix(const std::string& prefix, const std::string& args);
// The same inside a network namespace (`ip netns exec NS iobench ARGS`).
cli_result run_cli_in_netns(const std::string& ns, const std::string& args);
// A loopback TCP port that was free a moment ago (the kernel picks it).
int free_port();

}  // namespace iobench::test
