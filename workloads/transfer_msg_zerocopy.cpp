// msg_zerocopy: SO_ZEROCOPY + send(MSG_ZEROCOPY) from a ring of buffers; the
// kernel reports finished sends on the socket's error queue as ranges of send
// ids, with SO_EE_CODE_ZEROCOPY_COPIED when it copied after all (loopback does).
#include "workloads/transfer_method.hpp"
#include "workloads/transfer_read.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <linux/errqueue.h>
#include <memory>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef SO_EE_ORIGIN_ZEROCOPY
#define SO_EE_ORIGIN_ZEROCOPY 5
#endif
#ifndef SO_EE_CODE_ZEROCOPY_COPIED
#define SO_EE_CODE_ZEROCOPY_COPIED 1
#endif

namespace iobench {

namespace {

constexpr unsigned slots = 8;      // buffers
constexpr unsigned id_ring = 256;  // send ids tracked at once (each buffer may need several sends)

struct zc_state {
    unsigned owed[slots] = {};         // sends whose completion is still owed, per buffer
    uint8_t id_slot[id_ring] = {};     // send id % id_ring -> its buffer
    uint32_t id_len[id_ring] = {};     // ...and its bytes
    uint32_t next_id = 0, done_id = 0;  // ids handed out; ids completed (kernel reports them in order)
};

// Reads what the error queue holds (non-blocking): 0, or -errno.
int reap_errqueue(int sock, zc_state& z, transfer_counts& c) {
    for (;;) {
        char control[128];
        msghdr msg{};
        msg.msg_control = control;
        msg.msg_controllen = sizeof control;
        const ssize_t n = ::recvmsg(sock, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
        ++c.syscalls;
        if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -errno;
        for (cmsghdr* cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
            if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
                  (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)))
                continue;
            const auto* ee = reinterpret_cast<const sock_extended_err*>(CMSG_DATA(cm));
            if (ee->ee_origin != SO_EE_ORIGIN_ZEROCOPY) continue;
            if (ee->ee_errno != 0) return -static_cast<int>(ee->ee_errno);
            const bool copied = ee->ee_code & SO_EE_CODE_ZEROCOPY_COPIED;
            // [ee_info, ee_data]: an inclusive range of send ids (32-bit, wrapping).
            for (uint32_t id = ee->ee_info;; ++id) {
                const unsigned k = id % id_ring;
                (copied ? c.bytes_copied : c.bytes_zero_copied) += z.id_len[k];
                --z.owed[z.id_slot[k]];
                z.done_id = id + 1;
                if (id == ee->ee_data) break;
            }
        }
    }
}

// Waits (bounded: 10 s) until the error queue has something, then reaps it.
int wait_errqueue(int sock, zc_state& z, transfer_counts& c) {
    pollfd p{sock, 0, 0};  // POLLERR is always reported: the error queue is not empty
    const int n = ::poll(&p, 1, 10'000);
    ++c.syscalls;
    if (n < 0) return errno == EINTR ? 0 : -errno;
    if (n == 0) return -ETIMEDOUT;
    return reap_errqueue(sock, z, c);
}

}  // namespace

int transfer_msg_zerocopy(const transfer_io& io, transfer_counts& c) {
    c.zerocopy_reported = true;
    const int one = 1;
    ++c.syscalls;
    if (::setsockopt(io.sock, SOL_SOCKET, SO_ZEROCOPY, &one, sizeof one) != 0) {
        c.unsupported = true;
        c.error = "setsockopt(SO_ZEROCOPY)";
        return -errno;
    }
    const aligned_buffer mem = alloc_aligned(static_cast<size_t>(io.bs) * slots, c);
    if (!mem) return -ENOMEM;
    char* base = mem.get();
    auto z = std::make_unique<zc_state>();  // setup, before the loop
    unsigned next = 0;
    for (uint64_t off = 0; off < io.size;) {
        // A buffer is reused only once every send from it is reported done.
        while (z->owed[next] > 0 || z->next_id - z->done_id >= id_ring)
            if (const int e = wait_errqueue(io.sock, *z, c)) {
                c.error = "MSG_ZEROCOPY: error queue";
                return e;
            }
        const auto want = static_cast<uint32_t>(std::min<uint64_t>(io.bs, io.size - off));
        char* p = base + static_cast<size_t>(next) * io.bs;
        if (const int e = read_chunk(io, p, off, want, c, "MSG_ZEROCOPY: pread")) return e;
        for (uint32_t sent = 0; sent < want;) {
            if (z->next_id - z->done_id >= id_ring) {
                if (const int e = wait_errqueue(io.sock, *z, c)) {
                    c.error = "MSG_ZEROCOPY: error queue";
                    return e;
                }
                continue;
            }
            const ssize_t n = ::send(io.sock, p + sent, want - sent, MSG_ZEROCOPY | MSG_NOSIGNAL);
            ++c.syscalls;
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == ENOBUFS) {  // optmem_max: too many notifications pending; reap them first
                if (const int e = wait_errqueue(io.sock, *z, c)) {
                    c.error = "MSG_ZEROCOPY: error queue";
                    return e;
                }
                continue;
            }
            if (n <= 0) {
                c.error = "send(MSG_ZEROCOPY)";
                return n < 0 ? -errno : -EPIPE;
            }
            // Every successful send takes the next id, reported later on the error queue.
            const unsigned k = z->next_id % id_ring;
            z->id_slot[k] = static_cast<uint8_t>(next);
            z->id_len[k] = static_cast<uint32_t>(n);
            ++z->next_id;
            ++z->owed[next];
            sent += static_cast<uint32_t>(n);
            c.bytes += static_cast<uint64_t>(n);
        }
        off += want;
        next = (next + 1) % slots;  // reports are read only when a buffer is needed: fewer, coalesced
    }
    while (z->done_id != z->next_id)  // the buffers go away after this: wait for every report
        if (const int e = wait_errqueue(io.sock, *z, c)) {
            c.error = "MSG_ZEROCOPY: error queue (final reports)";
            return e;
        }
    return 0;
}

}  // namespace iobench
