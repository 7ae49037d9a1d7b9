// A backend's counters as the result model holds them: named values, in the
// order (and with the JSON names) results have always carried them; iobench/3
// adds reap_calls, enter_calls and cqes at the end.
#pragma once

#include "backends/backend.hpp"
#include "results/run_result.hpp"

namespace iobench {

inline counter_list counters_of(const backend_counters& c) {
    return {{"submit_calls", c.submit_calls},
            {"enobufs_rearms", c.enobufs_rearms},
            {"cq_overflows", c.cq_overflows},
            {"zc_sends", c.zc_sends},
            {"zc_copied", c.zc_copied},
            {"reap_calls", c.reap_calls},
            {"enter_calls", c.enter_calls},
            {"cqes", c.cqes}};
}

// Backend calls per op over the window (counted by the workers at its edges).
inline void set_calls_per_op(run_result& r, const backend_counters& in_window) {
    cpu_breakdown& d = r.cpu_detail;
    d.calls_measured = true;
    if (r.ops) {
        const auto ops = static_cast<double>(r.ops);
        d.per_op_submit_calls = static_cast<double>(in_window.submit_calls) / ops;
        d.per_op_reap_calls = static_cast<double>(in_window.reap_calls) / ops;
        d.per_op_enter_calls = static_cast<double>(in_window.enter_calls) / ops;
    }
    if (in_window.enter_calls)
        d.cqes_per_enter = static_cast<double>(in_window.cqes) / static_cast<double>(in_window.enter_calls);
}

}  // namespace iobench
