// The lists that must follow the backend registry, checked against it: the
// backend sources in CMakeLists.txt, the conformance and network-server test
// lists, and the README's backends table. Adding a backend to registry.cpp
// without the rest fails here instead of silently running fewer tests.
#include "backends/registry.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

namespace iobench {
namespace {

namespace fs = std::filesystem;
const fs::path source_dir = IOBENCH_SOURCE_DIR;

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    EXPECT_TRUE(in.good()) << "cannot read " << p;
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::set<std::string> words(std::string_view list) {
    std::set<std::string> out;
    std::istringstream in{std::string(list)};
    for (std::string w; in >> w;) out.insert(w);
    return out;
}

std::set<std::string> registry_names() {
    std::set<std::string> out;
    for (const backend_entry& e : registry()) out.insert(std::string(e.name));
    return out;
}

TEST(registry_lists, every_backend_source_is_built) {
    const std::string cmake = slurp(source_dir / "CMakeLists.txt");
    for (const auto& f : fs::directory_iterator(source_dir / "backends")) {
        if (f.path().extension() != ".cpp") continue;
        const std::string rel = "backends/" + f.path().filename().string();
        EXPECT_NE(cmake.find(rel), std::string::npos) << rel << " is not in CMakeLists.txt's iobench_backends";
    }
}

TEST(registry_lists, conformance_covers_every_backend) {
    EXPECT_EQ(words(IOBENCH_CONFORMANCE_BACKENDS), registry_names());
}

TEST(registry_lists, net_server_tests_cover_every_socket_backend) {
    std::set<std::string> socket_backends;
    for (const backend_entry& e : registry())
        if (e.caps & cap_sockets) socket_backends.insert(std::string(e.name));
    const std::set<std::string> tested = words(IOBENCH_NET_SERVER_BACKENDS);
    for (const std::string& b : socket_backends) EXPECT_TRUE(tested.count(b)) << b << " has no net.server test";
}

TEST(registry_lists, readme_backends_table_has_every_backend) {
    const std::string readme = slurp(source_dir / "README.md");
    // Rows of the table start "| `name` |". (No std::regex: GCC 12's <regex>
    // trips -Wmaybe-uninitialized under the sanitizer build.)
    std::set<std::string> rows;
    std::istringstream lines(readme);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind("| `", 0) != 0) continue;
        const size_t end = line.find("` |", 3);
        if (end != std::string::npos) rows.insert(line.substr(3, end - 3));
    }
    EXPECT_EQ(rows, registry_names()) << "README.md's backends table must have one row per registry entry";
}

}  // namespace
}  // namespace iobench
