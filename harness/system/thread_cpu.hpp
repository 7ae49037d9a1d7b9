// Whole-process CPU over a measured window, split by thread class: one
// sample at each edge of the window (getrusage(RUSAGE_SELF) plus one pass over
// /proc/self/task), and the difference of the two. Setup-time work: it runs on
// the thread that opens and closes the window, never on a hot path.
//
// The split adds up to the process total exactly: what the sampled threads do
// not explain (threads that started and ended inside the window without a
// role, e.g. glibc's AIO helpers that exit when idle) is the residue, and it
// is counted in one class (split_rules::residue_to).
#pragma once

#include "harness/system/cpu_time.hpp"
#include "harness/system/thread_role.hpp"
#include "results/run_result.hpp"

#include <array>
#include <string_view>
#include <vector>

namespace iobench {

struct task_entry {
    task_times t;
    thread_class cls = thread_class::other;
    bool client = false;       // the load generator's side (network runs)
    bool exited = false;       // a role's final record, not a live thread
    uint64_t exit_ns = 0;      // when the role ended (exited only)
};

struct cpu_sample {
    uint64_t at_ns = 0;
    cpu_usage process;             // RUSAGE_SELF, halfway between the reads before and after the pass
    uint64_t vcsw = 0, ivcsw = 0;  // RUSAGE_SELF ru_nvcsw / ru_nivcsw
    std::vector<task_entry> tasks; // live threads, then roles that ended (sorted by tid)
    bool valid = false;
};

// One sample: call it at each edge of the window, where process_cpu() was.
cpu_sample sample_cpu();

// Parsers of one /proc/self/task/<tid>/stat and .../status text (exposed for tests).
bool parse_task_stat(std::string_view text, task_times& out);
void parse_task_status(std::string_view text, task_times& out);
// The class of a thread from its comm, for threads without a role.
thread_class class_of_comm(std::string_view comm, std::string_view process_comm);

struct split_rules {
    thread_class residue_to = thread_class::other;  // aio_helpers when posix_aio ran in the window
    bool helpers_client = false;  // glibc's helpers (and the residue) are the load side's
    bool residue_client = false;
};

// The rules for a storage run on `backend`, and for a network run (`server`
// empty: `load`, the process is all load side; `client` empty: `serve`).
split_rules storage_split_rules(std::string_view backend);
split_rules network_split_rules(std::string_view server, std::string_view client);

struct class_cpu {
    cpu_usage cpu;
    unsigned threads = 0;  // seen at the window's end, or seen at its start and gone since
    uint64_t vcsw = 0, ivcsw = 0;
};

struct cpu_split {
    cpu_usage total;                 // b.process - a.process
    uint64_t vcsw = 0, ivcsw = 0;    // RUSAGE_SELF deltas
    std::array<class_cpu, thread_class_count> by_class{};  // sums to total exactly
    cpu_usage residue;               // included in by_class[residue_to]
    thread_class residue_to = thread_class::other;
    cpu_usage client;                // the load side: load threads, their rings' kernel threads, helpers by the rule
};

cpu_split split_window(const cpu_sample& a, const cpu_sample& b, const split_rules& rules);

// Copies a split into a result: cpu (user_s, sys_s, per_op_ns), cpu_detail
// (by_thread, context switches and their per-op figures).
void set_window_cpu(run_result& r, const cpu_split& s);

}  // namespace iobench
