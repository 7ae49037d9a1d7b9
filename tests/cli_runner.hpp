// Runs the built iobench binary for end-to-end tests and captures what it says.
#pragma once

#include <filesystem>
#include <string>

namespace iobench::test {

struct cli_result {
    int exit_code;
    std::string out, err;
};

// A per-process scratch directory, removed after the last test.
std::filesystem::path work_dir();
std::string slurp(const std::filesystem::path& p);
// `iobench ARGS` through the shell, stdout and stderr captured separately.
cli_result run_cli(const std::string& args);
// `PREFIX iobench ARGS` through the shell, e.g. PREFIX "ulimit -n 64; ".
cli_result run_cli_prefixed(const std::string& prefix, const std::string& args);
// The same inside a network namespace (`ip netns exec NS iobench ARGS`).
cli_result run_cli_in_netns(const std::string& ns, const std::string& args);
// A loopback TCP port that was free a moment ago (the kernel picks it).
int free_port();

}  // namespace iobench::test
