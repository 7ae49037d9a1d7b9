// Test fixtures: scratch files, aligned buffers, loopback sockets, run_all().
#include "tests/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <sys/socket.h>
#include <system_error>
#include <unistd.h>

#ifndef IOBENCH_TEST_TMPDIR
#define IOBENCH_TEST_TMPDIR "tmp"
#endif

namespace iobench::test {

namespace {
const backend_entry* entry_ = nullptr;
io_target target_ = io_target::file;

[[noreturn]] void fail_setup(const std::string& what) { throw std::system_error(errno, std::system_category(), what); }

uint64_t mix(uint64_t x) {  // splitmix64: cheap, and no two words alike
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}
}  // namespace

void set_current(const backend_entry& entry, io_target target) {
    entry_ = &entry;
    target_ = target;
}
const backend_entry& current_entry() { return *entry_; }
io_target current_target() { return target_; }
bool has_cap(uint32_t bit) { return (entry_->caps & bit) != 0; }

std::unique_ptr<backend> make(unsigned depth) {
    backend_options o;
    o.depth = depth;
    return entry_->create(o);
}

const std::string& tmp_dir() {
    static const std::string dir = [] {
        std::filesystem::create_directories(IOBENCH_TEST_TMPDIR);
        return std::string(IOBENCH_TEST_TMPDIR);
    }();
    return dir;
}

aligned_buffer::aligned_buffer(size_t size) : size_(size) {
    void* p = nullptr;
    if (int err = ::posix_memalign(&p, 4096, std::max<size_t>(size, 1)); err != 0)
        throw std::system_error(err, std::system_category(), "posix_memalign");
    data_ = static_cast<uint8_t*>(p);
    std::memset(data_, 0, size_);
}
aligned_buffer::~aligned_buffer() { std::free(data_); }

void fill_pattern(std::span<uint8_t> out, uint64_t seed) {
    for (size_t i = 0; i < out.size(); i += 8) {
        const uint64_t w = mix((seed + i) / 8);
        std::memcpy(out.data() + i, &w, std::min<size_t>(8, out.size() - i));
    }
}

long pattern_mismatch(std::span<const uint8_t> got, uint64_t seed) {
    std::vector<uint8_t> want(got.size());
    fill_pattern(want, seed);
    const auto [g, w] = std::mismatch(got.begin(), got.end(), want.begin());
    return g == got.end() ? -1 : static_cast<long>(g - got.begin());
}

temp_file::temp_file(uint64_t size) {
    std::string tmpl = tmp_dir() + "/file-XXXXXX";
    unique_fd w(::mkstemp(tmpl.data()));
    if (!w) fail_setup("mkstemp " + tmpl);
    path_ = tmpl;
    std::vector<uint8_t> bytes(size);
    fill_pattern(bytes, 0);
    if (::pwrite(w.get(), bytes.data(), size, 0) != static_cast<ssize_t>(size)) fail_setup("pwrite " + path_);
    // Synced and evicted, so the O_DIRECT reads come from the disk.
    if (::fsync(w.get()) != 0) fail_setup("fsync " + path_);
    ::posix_fadvise(w.get(), 0, 0, POSIX_FADV_DONTNEED);
    fd_.reset(::open(path_.c_str(), O_RDWR | O_DIRECT | O_CLOEXEC));
    if (!fd_) fail_setup("open O_DIRECT " + path_);
}
temp_file::~temp_file() { ::unlink(path_.c_str()); }

bool nonblocking_sockets() { return !has_cap(cap_blocking_fds); }

void set_nonblocking(int fd, bool on) {
    const int fl = ::fcntl(fd, F_GETFL);
    if (fl < 0 || ::fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK) < 0) fail_setup("fcntl O_NONBLOCK");
}

unique_fd tcp_socket(bool nonblocking) {
    unique_fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblocking ? SOCK_NONBLOCK : 0), 0));
    if (!fd) fail_setup("socket");
    return fd;
}

void set_io_timeouts(int fd, std::chrono::seconds t) {
    const timeval tv{static_cast<time_t>(t.count()), 0};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

tcp_listener::tcp_listener(bool nonblocking) : fd(tcp_socket(nonblocking)) {
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail_setup("bind 127.0.0.1:0");
    if (::listen(fd.get(), 128) != 0) fail_setup("listen");
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) fail_setup("getsockname");
}

tcp_pair make_tcp_pair(const tcp_listener& l) {
    tcp_pair p{tcp_socket(false), {}};
    if (::connect(p.a.get(), reinterpret_cast<const sockaddr*>(&l.addr), sizeof l.addr) != 0) fail_setup("connect");
    // The server side may reach the accept queue just after connect() returns.
    pollfd pfd{l.fd.get(), POLLIN, 0};
    if (::poll(&pfd, 1, 5000) != 1) fail_setup("poll for accept");
    p.b.reset(::accept4(l.fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!p.b) fail_setup("accept4");
    set_nonblocking(p.a.get(), nonblocking_sockets());
    set_io_timeouts(p.b.get(), std::chrono::seconds(10));
    return p;
}

namespace {
// Submits until `to_submit` ops went in and reaps until `finals` final
// completions (no cqe_more) arrived, then checks that nothing more comes.
completion_map drive(backend& be, size_t to_submit, size_t finals_wanted, std::chrono::milliseconds deadline) {
    completion_map got;
    const auto until = std::chrono::steady_clock::now() + deadline;
    std::array<io_completion, 16> out{};
    auto take = [&](int n) {
        size_t finals = 0;
        for (int i = 0; i < n; ++i) {
            got[out[i].token].push_back(out[i]);
            if (!(out[i].flags & cqe_more)) ++finals;
        }
        return finals;
    };
    size_t submitted = 0, finals = 0;
    while (finals < finals_wanted) {
        if (submitted < to_submit) {
            const int s = be.submit();
            if (s < 0) {
                ADD_FAILURE() << "submit() returned " << s << " (" << strerrorname_np(-s)
                              << "): per-op errors must come back as completions";
                return got;
            }
            submitted += static_cast<size_t>(s);
            EXPECT_LE(submitted, to_submit) << "submit() reported more ops than were prepared";
        }
        if (std::chrono::steady_clock::now() > until) {
            ADD_FAILURE() << "deadline: " << finals << " of " << finals_wanted << " ops completed (" << submitted
                          << " of " << to_submit << " submitted)";
            return got;
        }
        const int n = be.reap(out, 1, std::chrono::milliseconds(100));
        if (n < 0) {
            ADD_FAILURE() << "reap() returned " << n << " (" << strerrorname_np(-n) << ")";
            return got;
        }
        EXPECT_LE(static_cast<size_t>(n), out.size());
        finals += take(std::min<int>(n, static_cast<int>(out.size())));
    }
    // A duplicate or phantom completion would arrive here.
    const int n = be.reap(out, 1, std::chrono::milliseconds(20));
    EXPECT_EQ(n, 0) << "completions after every op had its final one";
    if (n > 0) take(std::min<int>(n, static_cast<int>(out.size())));
    return got;
}
}  // namespace

completion_map run_all(backend& be, std::span<const io_op> ops, std::chrono::milliseconds deadline) {
    be.prepare(ops);
    return drive(be, ops.size(), ops.size(), deadline);
}

completion_map reap_finals(backend& be, size_t n, std::chrono::milliseconds deadline) {
    return drive(be, 0, n, deadline);
}

void expect_all(const completion_map& got, std::span<const io_op> ops, int64_t want) {
    EXPECT_EQ(got.size(), ops.size()) << "distinct tokens completed";
    for (const io_op& op : ops) {
        const auto it = got.find(op.token);
        if (it == got.end()) {
            ADD_FAILURE() << "token 0x" << std::hex << op.token << " never completed";
            continue;
        }
        ASSERT_EQ(it->second.size(), 1u) << "token 0x" << std::hex << op.token << " completed more than once";
        EXPECT_EQ(it->second[0].result, want == op_len ? int64_t{op.len} : want) << to_string(op.kind) << " token 0x" << std::hex << op.token;
        EXPECT_EQ(it->second[0].flags, 0u) << to_string(op.kind) << " token 0x" << std::hex << op.token;
    }
}

int64_t run_one(backend& be, const io_op& op) {
    const completion_map got = run_all(be, std::span(&op, 1));
    const auto it = got.find(op.token);
    if (got.size() != 1 || it == got.end() || it->second.size() != 1) {
        ADD_FAILURE() << "expected exactly one completion with token " << op.token << ", got " << got.size()
                      << " tokens";
        return INT64_MIN;
    }
    return it->second.front().result;
}

}  // namespace iobench::test
