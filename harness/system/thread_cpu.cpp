// The thread-CPU sampler: thread roles (a registry of iobench's own threads,
// with a final record for each that ends), one pass over /proc/self/task per
// sample, the classifier and the window split.
#include "harness/system/thread_cpu.hpp"

#include "harness/system/clock.hpp"
#include "harness/system/cpu_time.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <unordered_map>

namespace iobench {

namespace {

// The registry: live roles by tid, and the final records of roles that ended
// (bounded: a record older than the oldest window still open is not needed;
// 4096 covers thread-per-connection servers between two samples).
struct registry {
    std::mutex mu;
    std::unordered_map<pid_t, thread_class> live;
    std::deque<task_entry> ended;
    static constexpr size_t max_ended = 4096;
};

registry& reg() {
    static registry r;
    return r;
}

pid_t own_tid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// A thread's CPU clock by tid (MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)):
// any thread of this process, io_uring's kernel threads included.
clockid_t thread_clock(pid_t tid) {
    return static_cast<clockid_t>((~static_cast<unsigned>(tid) << 3) | 6u);
}

uint64_t clock_ns(clockid_t c) {
    timespec ts{};
    if (::clock_gettime(c, &ts) != 0) return 0;
    return static_cast<uint64_t>(ts.tv_sec) * 1'000'000'000ull + static_cast<uint64_t>(ts.tv_nsec);
}

// Reads a small /proc file relative to `dir` into `buf`; the length, or 0.
size_t read_small(int dir, const char* path, char* buf, size_t cap) {
    const int fd = ::openat(dir, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    size_t n = 0;
    while (n < cap) {
        const ssize_t r = ::read(fd, buf + n, cap - n);
        if (r <= 0) break;
        n += static_cast<size_t>(r);
    }
    ::close(fd);
    return n;
}

// stat and status of one task under the open /proc/self/task; false if it is gone.
bool read_task(int task_dir, pid_t tid, task_times& t) {
    char path[48];
    char buf[4096];  // status is ~1.5 KiB, stat ~300 bytes
    std::snprintf(path, sizeof path, "%d/stat", static_cast<int>(tid));
    size_t n = read_small(task_dir, path, buf, sizeof buf);
    if (n == 0 || !parse_task_stat({buf, n}, t)) return false;
    t.tid = tid;
    t.runtime_ns = clock_ns(thread_clock(tid));
    std::snprintf(path, sizeof path, "%d/status", static_cast<int>(tid));
    n = read_small(task_dir, path, buf, sizeof buf);
    parse_task_status({buf, n}, t);
    return true;
}

int open_task_dir() { return ::open("/proc/self/task", O_RDONLY | O_DIRECTORY | O_CLOEXEC); }

// The tid in "iou-sqp-<tid>" / "iou-wrk-<tid>": the thread whose ring (or io-wq) it serves.
pid_t owner_of(std::string_view comm) {
    if (comm.size() <= 8) return 0;
    int v = 0;
    const auto sv = comm.substr(8);
    std::from_chars(sv.data(), sv.data() + sv.size(), v);
    return v;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

}  // namespace

std::string_view to_string(thread_class c) {
    static constexpr std::string_view names[thread_class_count] = {"harness", "iou-sqp", "iou-wrk",
                                                                   "aio-helpers", "load", "other"};
    return names[static_cast<size_t>(c)];
}

// ---- thread roles ----

thread_role::thread_role(thread_class cls, const char* name) : tid_(own_tid()), main_(tid_ == ::getpid()) {
    // The main thread's name is the process's (ps, /proc/self/comm): keep it.
    if (!main_) ::pthread_setname_np(::pthread_self(), name);
    registry& r = reg();
    std::lock_guard lk(r.mu);
    r.live[tid_] = cls;
}

thread_role::~thread_role() {
    registry& r = reg();
    task_entry e;
    const int dir = main_ ? -1 : open_task_dir();
    const bool got = dir >= 0 && read_task(dir, tid_, e.t);
    if (dir >= 0) ::close(dir);
    std::lock_guard lk(r.mu);
    const auto it = r.live.find(tid_);
    if (it != r.live.end()) {
        e.cls = it->second;
        r.live.erase(it);
    }
    if (main_ || !got) return;  // the main thread lives on (as harness again)
    e.exited = true;
    e.exit_ns = now_ns();
    if (r.ended.size() == registry::max_ended) r.ended.pop_front();
    r.ended.push_back(e);
}

// ---- parsers and classifier ----

bool parse_task_stat(std::string_view text, task_times& out) {
    // "tid (comm) S ppid ...": comm may hold spaces and parentheses, so it
    // ends at the last ')'. Fields are counted from 1; the state is field 3.
    const auto open = text.find('(');
    const auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) return false;
    const auto comm = text.substr(open + 1, close - open - 1);
    const size_t len = std::min(comm.size(), sizeof out.comm - 1);
    std::memcpy(out.comm, comm.data(), len);
    out.comm[len] = '\0';
    unsigned field = 3;
    size_t i = close + 2;
    bool seen[3] = {};
    while (i < text.size() && field <= 22) {
        size_t j = text.find(' ', i);
        if (j == std::string_view::npos) j = text.size();
        uint64_t* dst = field == 14 ? &out.user_ticks : field == 15 ? &out.sys_ticks : field == 22 ? &out.start_ticks : nullptr;
        if (dst) {
            if (std::from_chars(text.data() + i, text.data() + j, *dst).ec != std::errc{}) return false;
            seen[field == 14 ? 0 : field == 15 ? 1 : 2] = true;
        }
        ++field;
        i = j + 1;
    }
    return seen[0] && seen[1] && seen[2];
}

void parse_task_status(std::string_view text, task_times& out) {
    auto value = [&](std::string_view key, uint64_t& dst) {
        const auto at = text.find(key);  // key starts with '\n': "voluntary" is also the tail of "nonvoluntary"
        if (at == std::string_view::npos) return;
        size_t i = at + key.size();
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        std::from_chars(text.data() + i, text.data() + text.size(), dst);
    };
    value("\nvoluntary_ctxt_switches:", out.vcsw);
    value("\nnonvoluntary_ctxt_switches:", out.ivcsw);
}

thread_class class_of_comm(std::string_view comm, std::string_view process_comm) {
    if (starts_with(comm, "iou-sqp-")) return thread_class::iou_sqp;
    if (starts_with(comm, "iou-wrk-")) return thread_class::iou_wrk;
    // glibc's helpers are never named: they carry the name of the thread that
    // created them, the process's or one of iobench's. (So does io_uring's
    // poller for ~1 ms after ring setup: samples classify by the name at the
    // window's end, when it has long been renamed.)
    if (comm == process_comm || starts_with(comm, "ib-")) return thread_class::aio_helpers;
    return thread_class::other;
}

// ---- one sample ----

cpu_sample sample_cpu() {
    cpu_sample s;
    registry& r = reg();
    const int dir = open_task_dir();
    std::lock_guard lk(r.mu);  // no role starts or ends during the pass
    rusage ru0{}, ru1{};
    ::getrusage(RUSAGE_SELF, &ru0);
    s.at_ns = now_ns();
    if (dir >= 0) {
        alignas(8) char dents[8192];
        for (;;) {
            const long n = ::syscall(SYS_getdents64, dir, dents, sizeof dents);
            if (n <= 0) break;
            for (long off = 0; off < n;) {
                const auto* d = reinterpret_cast<const dirent64*>(dents + off);
                off += d->d_reclen;
                if (d->d_name[0] < '0' || d->d_name[0] > '9') continue;
                task_entry e;
                if (read_task(dir, static_cast<pid_t>(std::atoi(d->d_name)), e.t)) s.tasks.push_back(e);
            }
        }
        ::close(dir);
    }
    ::getrusage(RUSAGE_SELF, &ru1);
    const auto mid = [](const timeval& a, const timeval& b) { return (seconds_of(a) + seconds_of(b)) / 2; };
    s.process = {mid(ru0.ru_utime, ru1.ru_utime), mid(ru0.ru_stime, ru1.ru_stime)};
    s.vcsw = static_cast<uint64_t>(ru0.ru_nvcsw + ru1.ru_nvcsw) / 2;
    s.ivcsw = static_cast<uint64_t>(ru0.ru_nivcsw + ru1.ru_nivcsw) / 2;

    // Classify: a role first; else io_uring's names; else the comm rule.
    const pid_t pid = ::getpid();
    std::string_view process_comm;
    for (const task_entry& e : s.tasks)
        if (e.t.tid == pid) process_comm = e.t.comm;
    auto role_of = [&](pid_t tid, thread_class& c) {
        const auto it = r.live.find(tid);
        if (it != r.live.end()) c = it->second;
        else if (tid == pid) c = thread_class::harness;
        else return false;
        return true;
    };
    for (task_entry& e : s.tasks) {
        if (!role_of(e.t.tid, e.cls)) e.cls = class_of_comm(e.t.comm, process_comm);
        e.client = e.cls == thread_class::load;
        if (e.cls == thread_class::iou_sqp || e.cls == thread_class::iou_wrk) {
            thread_class owner = thread_class::other;
            e.client = role_of(owner_of(e.t.comm), owner) && owner == thread_class::load;
        }
    }
    for (const task_entry& e : r.ended) {
        task_entry x = e;
        x.client = x.cls == thread_class::load;
        s.tasks.push_back(x);
    }
    // Sorted by tid, a role's final record before a live entry of the same tid.
    std::stable_sort(s.tasks.begin(), s.tasks.end(), [](const task_entry& a, const task_entry& b) {
        return a.t.tid != b.t.tid ? a.t.tid < b.t.tid : a.exited > b.exited;
    });
    s.valid = true;
    return s;
}

// ---- rules ----

namespace {
bool has_helpers(std::string_view backend) { return backend == "posix_aio"; }
}  // namespace

split_rules storage_split_rules(std::string_view backend) {
    split_rules r;
    if (has_helpers(backend)) r.residue_to = thread_class::aio_helpers;
    return r;
}

split_rules network_split_rules(std::string_view server, std::string_view client) {
    split_rules r;
    if (has_helpers(server) || has_helpers(client)) r.residue_to = thread_class::aio_helpers;
    // One pool serves every thread's requests: with posix_aio on both sides
    // the helpers cannot be told apart, and stay on the server's side.
    r.helpers_client = server.empty() || (has_helpers(client) && !has_helpers(server));
    r.residue_client = r.helpers_client;
    return r;
}

// ---- the window ----

namespace {

bool same_thread(const task_times& a, const task_times& b) { return a.tid == b.tid && a.start_ticks == b.start_ticks; }

// The user/sys split of a precise runtime delta, in the ratio of the tick
// deltas (the kernel splits getrusage the same way); with no tick in the
// window, in the ratio of the totals; with none at all, a kernel thread's is sys.
cpu_usage split_runtime(uint64_t runtime_ns, uint64_t du, uint64_t ds, const task_times& end, bool kernel_thread) {
    if (du + ds == 0) {
        du = end.user_ticks;
        ds = end.sys_ticks;
        if (du + ds == 0) (kernel_thread ? ds : du) = 1;
    }
    const double total = static_cast<double>(runtime_ns) / 1e9;
    const double user = total * static_cast<double>(du) / static_cast<double>(du + ds);
    return {user, total - user};
}

uint64_t minus(uint64_t b, uint64_t a) { return b > a ? b - a : 0; }

}  // namespace

cpu_split split_window(const cpu_sample& a, const cpu_sample& b, const split_rules& rules) {
    cpu_split s;
    s.total = b.process - a.process;
    s.vcsw = minus(b.vcsw, a.vcsw);
    s.ivcsw = minus(b.ivcsw, a.ivcsw);
    std::vector<bool> used(a.tasks.size(), false);
    auto baseline = [&](const task_times& t) -> const task_times* {
        // a's live entries, each used once (a's ended records are before the window).
        auto it = std::lower_bound(a.tasks.begin(), a.tasks.end(), t.tid,
                                   [](const task_entry& e, pid_t tid) { return e.t.tid < tid; });
        for (; it != a.tasks.end() && it->t.tid == t.tid; ++it) {
            const size_t i = static_cast<size_t>(it - a.tasks.begin());
            if (!it->exited && !used[i] && same_thread(it->t, t)) {
                used[i] = true;
                return &it->t;
            }
        }
        return nullptr;
    };
    cpu_usage sampled, client;
    uint64_t vcsw = 0, ivcsw = 0;
    for (size_t i = 0; i < b.tasks.size(); ++i) {
        const task_entry& e = b.tasks[i];
        if (e.exited) {
            if (e.exit_ns <= a.at_ns) continue;  // ended before the window
            // Still listed live at b: the live entry (just after) is newer.
            if (i + 1 < b.tasks.size() && !b.tasks[i + 1].exited && same_thread(b.tasks[i + 1].t, e.t)) continue;
        }
        const task_times* base = baseline(e.t);
        const task_times zero{};
        const task_times& z = base ? *base : zero;  // no baseline: started inside the window
        const bool kernel = e.cls == thread_class::iou_sqp || e.cls == thread_class::iou_wrk;
        const cpu_usage c = split_runtime(minus(e.t.runtime_ns, z.runtime_ns), minus(e.t.user_ticks, z.user_ticks),
                                          minus(e.t.sys_ticks, z.sys_ticks), e.t, kernel);
        class_cpu& k = s.by_class[static_cast<size_t>(e.cls)];
        k.cpu = {k.cpu.user_s + c.user_s, k.cpu.sys_s + c.sys_s};
        ++k.threads;
        k.vcsw += minus(e.t.vcsw, z.vcsw);
        k.ivcsw += minus(e.t.ivcsw, z.ivcsw);
        vcsw += minus(e.t.vcsw, z.vcsw);
        ivcsw += minus(e.t.ivcsw, z.ivcsw);
        sampled = {sampled.user_s + c.user_s, sampled.sys_s + c.sys_s};
        const bool on_client = e.cls == thread_class::aio_helpers ? rules.helpers_client : e.client;
        if (on_client) client = {client.user_s + c.user_s, client.sys_s + c.sys_s};
    }
    // Threads live at a and gone at b without a record: their share is in the residue.
    class_cpu& rest = s.by_class[static_cast<size_t>(rules.residue_to)];
    for (size_t i = 0; i < a.tasks.size(); ++i)
        if (!used[i] && !a.tasks[i].exited) ++rest.threads;
    s.residue = s.total - sampled;
    s.residue_to = rules.residue_to;
    rest.cpu = {rest.cpu.user_s + s.residue.user_s, rest.cpu.sys_s + s.residue.sys_s};
    rest.vcsw += minus(s.vcsw, vcsw);
    rest.ivcsw += minus(s.ivcsw, ivcsw);
    if (rules.residue_client) client = {client.user_s + s.residue.user_s, client.sys_s + s.residue.sys_s};
    s.client = client;
    return s;
}

void set_window_cpu(run_result& r, const cpu_split& s) {
    r.cpu = s.total;
    if (r.ops) r.cpu_per_op_ns = (r.cpu.user_s + r.cpu.sys_s) * 1e9 / static_cast<double>(r.ops);
    cpu_breakdown& d = r.cpu_detail;
    d.measured = true;
    d.by_thread.clear();
    for (size_t i = 0; i < thread_class_count; ++i) {
        const class_cpu& k = s.by_class[i];
        d.by_thread.push_back({std::string(to_string(static_cast<thread_class>(i))), k.cpu, k.threads, k.vcsw, k.ivcsw});
    }
    d.residue = s.residue;
    d.residue_in = std::string(to_string(s.residue_to));
    d.voluntary_cs = s.vcsw;
    d.involuntary_cs = s.ivcsw;
    if (r.ops) {
        d.per_op_voluntary_cs = static_cast<double>(s.vcsw) / static_cast<double>(r.ops);
        d.per_op_involuntary_cs = static_cast<double>(s.ivcsw) / static_cast<double>(r.ops);
    }
}

}  // namespace iobench
