// One writer per output format, fed as runs finish: begin() once, add() per
// backend x workload, end() once. Streams are injected so writers are testable.
#pragma once

#include "results/run_result.hpp"

#include <memory>
#include <ostream>

namespace iobench {

class results_writer {
public:
    virtual ~results_writer() = default;
    virtual void begin(const run_context& ctx) = 0;
    virtual void add(const run_result& r) = 0;
    virtual void end() = 0;
};

std::unique_ptr<results_writer> make_json_writer(std::ostream& out);
std::unique_ptr<results_writer> make_table_writer(std::ostream& out);

}  // namespace iobench
