// The transfer receiver: a buffer whose start is always at a multiple of its
// size in the stream, so each full buffer is checked as whole 8-byte pattern
// words; the tail (the file's unaligned end) is checked byte by byte.
#include "harness/transfer/transfer_receiver.hpp"

#include "harness/system/clock.hpp"
#include "workloads/verify_pattern.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <sys/resource.h>
#include <sys/socket.h>

namespace iobench {

namespace {

constexpr uint32_t recv_buf = 256 * 1024;

cpu_usage thread_cpu() {
    rusage ru{};
    ::getrusage(RUSAGE_THREAD, &ru);
    return {seconds_of(ru.ru_utime), seconds_of(ru.ru_stime)};
}

// `len` bytes at stream offset `base` (a multiple of 8): the first bad offset or UINT64_MAX.
uint64_t check_span(const unsigned char* p, uint32_t len, uint64_t base, uint64_t seed) {
    const uint32_t whole = len & ~7u;
    if (const uint64_t bad = check_pattern(p, whole, base, seed); bad != UINT64_MAX) return bad;
    if (whole == len) return UINT64_MAX;
    const uint64_t w = pattern_word(base + whole, seed);
    unsigned char want[8];
    std::memcpy(want, &w, 8);
    for (uint32_t i = whole; i < len; ++i)
        if (p[i] != want[i - whole]) return base + i;
    return UINT64_MAX;
}

}  // namespace

void receive_and_verify(int sock, uint64_t expect, uint64_t seed, receive_report& out) {
    const cpu_usage c0 = thread_cpu();
    std::unique_ptr<unsigned char[]> buf(new unsigned char[recv_buf]);
    uint64_t base = 0;  // stream offset of buf[0]
    uint32_t fill = 0;
    auto check = [&](uint32_t len) {
        if (out.bad_offset != UINT64_MAX || base >= expect) return;
        const auto n = static_cast<uint32_t>(std::min<uint64_t>(len, expect - base));
        out.bad_offset = check_span(buf.get(), n, base, seed);
    };
    for (;;) {
        const ssize_t n = ::recv(sock, buf.get() + fill, recv_buf - fill, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            out.err = -errno;
            break;
        }
        if (n == 0) break;
        fill += static_cast<uint32_t>(n);
        out.bytes += static_cast<uint64_t>(n);
        if (fill == recv_buf) {
            check(fill);
            base += fill;
            fill = 0;
        }
    }
    check(fill);
    const cpu_usage c1 = thread_cpu();
    out.cpu = {c1.user_s - c0.user_s, c1.sys_s - c0.sys_s};
}

}  // namespace iobench
