// Which thread is whose: iobench names the threads it starts and registers
// their class, so the CPU sampler (thread_cpu.hpp) can tell its own threads
// from io_uring's kernel threads and glibc's AIO helpers. Names alone cannot:
// a new thread inherits its creator's name, so glibc's helpers carry the name
// of whichever iobench thread first asked for AIO.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <sys/types.h>

namespace iobench {

// The classes results report CPU by (cpu.by_thread): iobench's own threads
// (harness: the main thread, storage workers, server loops and acceptors;
// load: the load generator's loops and watchdog), io_uring's SQPOLL poller
// and io-wq workers, glibc's POSIX AIO helpers, and the rest.
enum class thread_class : uint8_t { harness, iou_sqp, iou_wrk, aio_helpers, load, other };
inline constexpr size_t thread_class_count = 6;

std::string_view to_string(thread_class c);  // "harness", "iou-sqp", "iou-wrk", "aio-helpers", "load", "other"

// A thread's figures from /proc/self/task/<tid>/{stat,status} and its CPU clock.
struct task_times {
    pid_t tid = 0;
    uint64_t start_ticks = 0;                // stat field 22: with tid, names one thread (tids are reused)
    uint64_t user_ticks = 0, sys_ticks = 0;  // stat fields 14, 15 (clock ticks): the user/sys split
    uint64_t runtime_ns = 0;                 // the thread's CPU clock: user + sys, to the ns
    uint64_t vcsw = 0, ivcsw = 0;            // status: voluntary_ctxt_switches, nonvoluntary_ctxt_switches
    char comm[16] = {};                      // stat field 2
};

// For the life of the object, the calling thread is `cls`, named `name`
// (at most 15 characters; the main thread keeps its name, which is the
// process's). Put one at the top of every thread iobench starts. When the
// role ends the thread records its final figures, so a thread that exits
// inside a measured window is still counted. Setup-time work: a mutex, a
// rename and two small /proc reads, never on a hot path.
class thread_role {
public:
    thread_role(thread_class cls, const char* name);
    ~thread_role();
    thread_role(const thread_role&) = delete;
    thread_role& operator=(const thread_role&) = delete;

private:
    pid_t tid_;
    bool main_;
};

}  // namespace iobench
