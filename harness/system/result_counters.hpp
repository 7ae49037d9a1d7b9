// A backend's counters as the result model holds them: named values, in the
// order (and with the JSON names) results have always carried them.
#pragma once

#include "backends/backend.hpp"
#include "results/run_result.hpp"

namespace iobench {

inline counter_list counters_of(const backend_counters& c) {
    return {{"submit_calls", c.submit_calls},
            {"enobufs_rearms", c.enobufs_rearms},
            {"cq_overflows", c.cq_overflows},
            {"zc_sends", c.zc_sends},
            {"zc_copied", c.zc_copied}};
}

}  // namespace iobench
