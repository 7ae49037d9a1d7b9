// io_uring only: the NOP round trip, and registered files / fixed buffers
// on and off. The front layer has no NOP op kind, so the NOP benchmarks
// drive liburing directly (ring set up with the backend's own flags for the
// mode, uring_params) and say so in their name: "nop_liburing_direct".
#include "bench/micro/storage_loop.hpp"

#include "backends/probe_util.hpp"
#include "backends/uring_setup.hpp"

#include <optional>
#include <vector>

namespace iobench::micro {

namespace {

// The ring mode of a registry entry, or none for non-io_uring backends.
std::optional<uring_mode> mode_of(const backend_entry& e) {
    for (uring_mode m : {uring_mode::interrupt, uring_mode::sqpoll, uring_mode::iopoll})
        if (uring_mode_name(m) == e.name) return m;
    return std::nullopt;
}

// An SQE, waiting for room if there is none. GOTCHA: with SQPOLL a NOP's CQE
// can be visible before the poller has moved the SQ head past its SQE, so a
// ring of `depth` entries may look full right after a completion (seen here
// as a NULL io_uring_get_sqe at QD1). Counts the waits it entered for.
io_uring_sqe* next_sqe(io_uring& ring, unsigned& calls) {
    for (int tries = 0; tries < 1000; ++tries) {
        if (io_uring_sqe* sqe = io_uring_get_sqe(&ring)) return sqe;
        ++calls;
        if (io_uring_sqring_wait(&ring) < 0) break;  // not SQPOLL: a full SQ is a bug here
    }
    return nullptr;
}

// `depth` NOPs in flight; completions are taken `batch` at a time, each
// re-prepared, and the batch goes back in the same io_uring_enter that waits
// for the next one: one enter per batch, t/io_uring -N1's shape (its
// defaults: depth 128, submit and complete batches of 32). One iteration per NOP.
void run_nop(benchmark::State& st, uring_mode m, unsigned depth, unsigned batch) {
    uring_owner ring;
    io_uring_params p = uring_params(m, backend_options{}, uring_sq_entries(depth));
    if (const int r = ring.init(uring_sq_entries(depth), p); r < 0) {
        st.SkipWithError(uring_setup_failure(-r, p.flags).c_str());
        return;
    }
    std::vector<io_uring_cqe*> cqes(batch);
    unsigned ready = 0, next = 0, calls = 0;
    for (unsigned i = 0; i < depth; ++i) io_uring_prep_nop(io_uring_get_sqe(&ring.ring));  // an empty ring has room
    const long csw = process_context_switches();
    for (auto _ : st) {
        if (next == ready) {
            io_uring_cq_advance(&ring.ring, ready);
            const int r = io_uring_submit_and_wait(&ring.ring, batch);
            ++calls;
            if (r < 0) {
                st.SkipWithError(("io_uring_submit_and_wait: " + errno_text(-r)).c_str());
                break;
            }
            ready = io_uring_peek_batch_cqe(&ring.ring, cqes.data(), batch);
            next = 0;
            if (ready == 0) {  // submit_and_wait returned with fewer than batch: never expected
                st.SkipWithError("io_uring_submit_and_wait returned with no completion");
                break;
            }
        }
        if (cqes[next++]->res != 0) {
            st.SkipWithError(("nop: " + errno_text(-cqes[next - 1]->res)).c_str());
            break;
        }
        io_uring_sqe* sqe = next_sqe(ring.ring, calls);
        if (!sqe) {
            st.SkipWithError("io_uring: no SQE free after 1000 waits for SQ room");
            break;
        }
        io_uring_prep_nop(sqe);
    }
    using benchmark::Counter;
    // One io_uring_submit_and_wait both submits and waits: one call, one enter.
    st.counters["submit_calls/op"] = Counter(calls, Counter::kAvgIterations);
    st.counters["enter_calls/op"] = Counter(calls, Counter::kAvgIterations);
    st.counters["ctx_switches/op"] = Counter(static_cast<double>(process_context_switches() - csw), Counter::kAvgIterations);
    st.SetItemsProcessed(st.iterations());
}

void register_nop(const backend_entry& e, uring_mode m, const probe_result& probe, unsigned depth, unsigned batch) {
    const std::string name = "nop_liburing_direct/qd:" + std::to_string(depth) + "/batch:" + std::to_string(batch) +
                             "/" + std::string(e.name);
    defaults(benchmark::RegisterBenchmark(name.c_str(), [m, probe, depth, batch](benchmark::State& st) {
        if (!probe.ok) {
            st.SkipWithError(probe.reason.c_str());
            return;
        }
        run_nop(st, m, depth, batch);
    }));
}

}  // namespace

void register_uring(const backend_entry& e) {
    const probe_result probe = probe_file(e, scratch().disk);
    if (const auto m = mode_of(e)) {
        register_nop(e, *m, probe, 1, 1);
        register_nop(e, *m, probe, 128, 32);
    }
    // Registration on/off: the page-cache read with files, buffers or both
    // registered (the plain runs in storage_round_trip.cpp are "off").
    if (!(e.caps & (cap_registered_files | cap_fixed_buffers))) return;
    struct variant {
        bool files, buffers;
        const char* label;
    };
    struct shape {
        unsigned depth, batch;
    };
    for (const variant v : {variant{true, false, "files"}, variant{false, true, "buffers"}, variant{true, true, "files+buffers"}}) {
        if ((v.files && !(e.caps & cap_registered_files)) || (v.buffers && !(e.caps & cap_fixed_buffers))) continue;
        for (const shape s : {shape{1, 1}, shape{32, 8}}) {
            storage_case c;
            c.path = &scratch().disk;
            c.depth = s.depth;
            c.batch = s.batch;
            c.registered_files = v.files;
            c.fixed_buffers = v.buffers;
            register_storage("read_4k_pagecache/qd:" + std::to_string(s.depth) + "/batch:" + std::to_string(s.batch) +
                                 "/registered:" + v.label + "/" + std::string(e.name),
                             e, probe, c);
        }
    }
}

}  // namespace iobench::micro
