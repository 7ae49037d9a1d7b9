// Unit tests of the backend interface's plain pieces: caps_to_string,
// to_string(op_kind) and the registry table (no I/O, no probing).
#include "backends/registry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace iobench {
namespace {

constexpr std::string_view expected_names[] = {"blocking", "epoll",           "posix_aio",      "libaio",
                                               "io_uring", "io_uring_sqpoll", "io_uring_iopoll"};

TEST(caps_to_string, empty_for_no_caps) { EXPECT_EQ(caps_to_string(0), ""); }

TEST(caps_to_string, joins_names_in_bit_order) {
    EXPECT_EQ(caps_to_string(cap_files), "files");
    EXPECT_EQ(caps_to_string(cap_sockets | cap_files), "files,sockets");
    EXPECT_EQ(caps_to_string(cap_multishot | cap_provided_buffers | cap_kernel_async),
              "kernel_async,multishot,provided_buffers");
}

TEST(caps_to_string, every_bit_has_its_own_name) {
    std::set<std::string> names;
    for (uint32_t bit = cap_files; bit <= cap_fixed_buffers; bit <<= 1) {
        const std::string s = caps_to_string(bit);
        EXPECT_FALSE(s.empty()) << "bit 0x" << std::hex << bit;
        EXPECT_EQ(s.find(','), std::string::npos) << s;
        names.insert(s);
    }
    EXPECT_EQ(names.size(), 13u);
    EXPECT_EQ(caps_to_string(1u << 31), "") << "unknown bits are not named";
}

TEST(op_kind, every_kind_has_a_name) {
    std::set<std::string_view> names;
    for (auto k : {op_kind::read, op_kind::write, op_kind::fsync, op_kind::recv, op_kind::send, op_kind::accept,
                   op_kind::connect}) {
        EXPECT_NE(to_string(k), "?");
        names.insert(to_string(k));
    }
    EXPECT_EQ(names.size(), 7u);
    EXPECT_EQ(to_string(op_kind::fsync), "fsync");
}

TEST(registry, lists_every_backend_in_preference_order) {
    const auto reg = registry();
    ASSERT_EQ(reg.size(), std::size(expected_names));
    for (size_t i = 0; i < reg.size(); ++i) EXPECT_EQ(reg[i].name, expected_names[i]) << "entry " << i;
}

TEST(registry, names_are_unique_and_entries_complete) {
    std::set<std::string_view> names;
    for (const backend_entry& e : registry()) {
        EXPECT_TRUE(names.insert(e.name).second) << "duplicate " << e.name;
        EXPECT_FALSE(e.summary.empty()) << e.name;
        EXPECT_NE(e.probe, nullptr) << e.name;
        EXPECT_NE(e.create, nullptr) << e.name;
    }
}

TEST(registry, find_backend_returns_the_entry_by_name) {
    for (const backend_entry& e : registry()) EXPECT_EQ(find_backend(e.name), &e) << e.name;
    for (std::string_view n : expected_names) {
        const backend_entry* e = find_backend(std::string(n));  // a different buffer than the table's
        ASSERT_NE(e, nullptr) << n;
        EXPECT_EQ(e->name, n);
    }
}

TEST(registry, every_backend_has_a_conformance_test) {
    // tests/CMakeLists.txt passes its list, space-separated.
    const std::string list = " " IOBENCH_CONFORMANCE_BACKENDS " ";
    for (const backend_entry& e : registry()) {
        std::string needle(" ");
        needle.append(e.name).append(" ");  // (not operator+: GCC 12 -Wrestrict false positive)
        EXPECT_NE(list.find(needle), std::string::npos) << e.name << " is not in the list";
    }
}

TEST(registry, unknown_names_are_not_found) {
    EXPECT_EQ(find_backend("nope"), nullptr);
    EXPECT_EQ(find_backend(""), nullptr);
    EXPECT_EQ(find_backend("io_uring_"), nullptr);  // no prefix matching
    EXPECT_EQ(find_backend("IO_URING"), nullptr);   // names are case-sensitive
    EXPECT_EQ(find_backend("blocking "), nullptr);
}

}  // namespace
}  // namespace iobench
