// io_uring ring setup shared by the backend and its probes: the setup flags
// of each mode, setup failures in words, and the real probes.
#include "backends/uring_setup.hpp"

#include "backends/probe_util.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <span>
#include <sys/resource.h>

namespace iobench {

std::string_view uring_mode_name(uring_mode m) {
    switch (m) {
    case uring_mode::interrupt: return "io_uring";
    case uring_mode::sqpoll: return "io_uring_sqpoll";
    case uring_mode::iopoll: return "io_uring_iopoll";
    }
    return "io_uring?";
}

unsigned uring_sq_entries(unsigned depth) { return std::bit_ceil(std::clamp(depth, 1u, 32768u)); }

io_uring_params uring_params(uring_mode m, const backend_options& o, unsigned entries) {
    io_uring_params p{};
    // SUBMIT_ALL: an SQE that fails at prep must not stop the rest of the batch.
    // CQSIZE 4x: multishot ops post many CQEs per SQE.
    p.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_CQSIZE;
    p.cq_entries = o.test_small_cq ? entries : std::min(entries * 4, 65536u);
    switch (m) {
    case uring_mode::interrupt:
        // Completions run only when we enter to wait/get events: no IPIs, batched task work.
        p.flags |= IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
        break;
    case uring_mode::sqpoll:  // DEFER_TASKRUN excludes SQPOLL (-EINVAL)
        p.flags |= IORING_SETUP_SQPOLL;
        p.sq_thread_idle = o.sqpoll_idle_ms;
        if (o.sqpoll_cpu >= 0) {
            p.flags |= IORING_SETUP_SQ_AFF;
            p.sq_thread_cpu = static_cast<uint32_t>(o.sqpoll_cpu);
        }
        break;
    case uring_mode::iopoll: p.flags |= IORING_SETUP_IOPOLL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN; break;
    }
    return p;
}

std::string uring_flags_text(unsigned flags) {
    static constexpr std::pair<unsigned, const char*> names[] = {
        {IORING_SETUP_IOPOLL, "IOPOLL"},
        {IORING_SETUP_SQPOLL, "SQPOLL"},
        {IORING_SETUP_SQ_AFF, "SQ_AFF"},
        {IORING_SETUP_CQSIZE, "CQSIZE"},
        {IORING_SETUP_SUBMIT_ALL, "SUBMIT_ALL"},
        {IORING_SETUP_SINGLE_ISSUER, "SINGLE_ISSUER"},
        {IORING_SETUP_DEFER_TASKRUN, "DEFER_TASKRUN"},
    };
    std::string out;
    for (auto [bit, name] : names) {
        if (!(flags & bit)) continue;
        if (!out.empty()) out += '|';
        out += name;
    }
    return out;
}

std::string uring_memlock_hint() {
    rlimit rl{};
    if (::getrlimit(RLIMIT_MEMLOCK, &rl) != 0) return {};
    const std::string cur = rl.rlim_cur == RLIM_INFINITY ? "unlimited" : std::to_string(rl.rlim_cur / 1024) + " KiB";
    return "; ring and registered memory count against RLIMIT_MEMLOCK (ulimit -l = " + cur +
           ") unless the process has CAP_IPC_LOCK: raise it";
}

// "cannot create the ring with FLAGS (ENAME: text)" plus what usually causes it.
std::string uring_setup_failure(int err, unsigned flags) {
    std::string s = "cannot create the ring with " + uring_flags_text(flags) + " (" + errno_text(err) + ")";
    switch (err) {
    case EINVAL: s += "; the kernel rejects these setup flags (too old?)"; break;
    case EPERM: s += "; io_uring is disabled (sysctl kernel.io_uring_disabled) or needs privilege here"; break;
    case ENOMEM: s += uring_memlock_hint(); break;
    case ENOSYS: s += "; this kernel has no io_uring"; break;
    default: break;
    }
    return s;
}

namespace {

// One NOP through the ring: proves it really runs (for SQPOLL, that the poller is up).
int nop_round_trip(io_uring& ring) {
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (!sqe) return -EBUSY;
    io_uring_prep_nop(sqe);
    io_uring_sqe_set_data64(sqe, 1);
    int r = io_uring_submit(&ring);
    if (r < 0) return r;
    io_uring_cqe* cqe = nullptr;
    __kernel_timespec ts{1, 0};
    if ((r = io_uring_wait_cqe_timeout(&ring, &cqe, &ts)) < 0) return r;
    r = cqe->user_data == 1 ? cqe->res : -EIO;
    io_uring_cqe_seen(&ring, cqe);
    return r;
}

// {disk, "/sys/block/<disk>/queue/io_poll = N"} for a block device name; a
// partition's queue belongs to its disk.
std::pair<std::string, std::string> io_poll_setting(const std::string& dev) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path p = fs::canonical("/sys/class/block/" + dev, ec);
    if (ec) return {dev, {}};
    if (!fs::exists(p / "queue", ec)) p = p.parent_path();
    std::ifstream in(p / "queue" / "io_poll");
    std::string v;
    if (!(in >> v)) return {p.filename().string(), {}};
    return {p.filename().string(), "/sys/block/" + p.filename().string() + "/queue/io_poll = " + v};
}

// IOPOLL decides per device at completion time (the submit always succeeds),
// so run one real polled 4 KiB O_DIRECT read and look at its CQE.
probe_result iopoll_read(io_uring& ring, int fd, const std::string& path) {
    const std::string who = "io_uring_iopoll: ";
    std::unique_ptr<void, void (*)(void*)> buf(std::aligned_alloc(4096, 4096), std::free);
    io_uring_sqe* sqe = io_uring_get_sqe(&ring);
    if (!buf || !sqe) return probe_result::no(who + "cannot set up the probe read");
    io_uring_prep_read(sqe, fd, buf.get(), 4096, 0);
    io_uring_sqe_set_data64(sqe, 2);
    int r = io_uring_submit(&ring);
    if (r < 0) return probe_result::no(who + "submitting a polled O_DIRECT read failed (" + errno_text(-r) + ")");
    // Poll by hand: IOPOLL rings ignore the wait timeout, and a polling enter
    // can return before a failed request has posted its CQE.
    io_uring_cqe* cqe = nullptr;
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (io_uring_peek_cqe(&ring, &cqe) != 0 && std::chrono::steady_clock::now() < give_up) io_uring_get_events(&ring);
    if (!cqe) return probe_result::no(who + "no completion for a polled O_DIRECT read within 1 s (" + errno_text(ETIME) + ")");
    const int res = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
    if (res >= 0) return probe_result::yes();
    const std::string dev = block_device_of(path);
    const auto [disk, setting] = dev.empty() ? std::pair<std::string, std::string>{} : io_poll_setting(dev);
    if (res == -EOPNOTSUPP) {
        if (disk.empty()) return probe_result::no(who + path + " is not on a pollable block device (" + errno_text(EOPNOTSUPP) + ")");
        return probe_result::no(who + "device " + disk + " has no poll queues (" + errno_text(EOPNOTSUPP) +
                                (setting.empty() ? "" : "; " + setting) + ")");
    }
    return probe_result::no(who + "a polled O_DIRECT read of " + path + (disk.empty() ? "" : " on " + disk) + " failed (" +
                            errno_text(-res) + ")");
}

}  // namespace

probe_result uring_probe(uring_mode m, const probe_context& ctx) {
    const std::string who = std::string(uring_mode_name(m)) + ": ";
    if (m == uring_mode::iopoll && ctx.target == io_target::socket)
        return probe_result::no(who + "IOPOLL only polls block devices; sockets are not supported");
    if (m == uring_mode::iopoll && !ctx.direct)
        return probe_result::no(who + "IOPOLL requires O_DIRECT and this run uses buffered I/O");
    backend_options o;
    o.sqpoll_idle_ms = 10;
    io_uring_params p = uring_params(m, o, 8);
    uring_owner ring;
    if (const int r = ring.init(8, p); r < 0) return probe_result::no(who + uring_setup_failure(-r, p.flags));

    std::unique_ptr<io_uring_probe, void (*)(io_uring_probe*)> ops(io_uring_get_probe_ring(&ring.ring), io_uring_free_probe);
    if (!ops) return probe_result::no(who + "the opcode probe (IORING_REGISTER_PROBE) failed; the kernel is too old");
    struct need {
        int op;
        const char* name;
    };
    static constexpr need file_ops[] = {{IORING_OP_READ, "READ"},
                                        {IORING_OP_WRITE, "WRITE"},
                                        {IORING_OP_FSYNC, "FSYNC"},
                                        {IORING_OP_READ_FIXED, "READ_FIXED"},
                                        {IORING_OP_WRITE_FIXED, "WRITE_FIXED"}};
    // SEND_ZC (6.0) also vouches for multishot recv and buffer rings, which caps advertise.
    static constexpr need socket_ops[] = {{IORING_OP_RECV, "RECV"},
                                          {IORING_OP_SEND, "SEND"},
                                          {IORING_OP_ACCEPT, "ACCEPT"},
                                          {IORING_OP_CONNECT, "CONNECT"},
                                          {IORING_OP_ASYNC_CANCEL, "ASYNC_CANCEL"},
                                          {IORING_OP_SEND_ZC, "SEND_ZC"}};
    const std::span<const need> needed = ctx.target == io_target::file ? std::span<const need>(file_ops) : socket_ops;
    for (const need& n : needed)
        if (!io_uring_opcode_supported(ops.get(), n.op))
            return probe_result::no(who + "the kernel lacks IORING_OP_" + n.name + " (" + errno_text(EOPNOTSUPP) + ")");
    if (const int r = nop_round_trip(ring.ring); r < 0)
        return probe_result::no(who + "a NOP round trip through the ring failed (" + errno_text(-r) + ")");
    if (ctx.target == io_target::socket) return probe_result::yes();

    std::string why;
    unique_fd fd = open_probe_file(ctx, why);
    if (!fd) return probe_result::no(who + why);
    if (m != uring_mode::iopoll) return probe_result::yes();
    return iopoll_read(ring.ring, fd.get(), ctx.file_path.empty() ? "/tmp" : ctx.file_path);
}

}  // namespace iobench
