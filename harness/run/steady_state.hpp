// --steady-state iops:5%[:N] (fio's ss=iops idea): the window closes once the
// last N intervals' IOPS all lie within the band around their mean, or at
// --runtime when they never do. Parsed at the edge; judged by the runner
// thread at interval edges from the live op count, never on the hot path.
#pragma once

#include <cstdint>
#include <deque>
#include <string>

namespace iobench {

struct steady_state_spec {
    bool enabled = false;
    double band = 0.05;      // fraction of the mean each interval may differ by
    unsigned intervals = 5;  // N: how many consecutive intervals must agree
    std::string text;        // normalised, e.g. "iops:5%:5", for results
};

inline constexpr unsigned steady_state_default_intervals = 5;

// "iops:5%" or "iops:5%:8"; throws usage_error naming --steady-state.
steady_state_spec parse_steady_state(const std::string& text);

// Fed one interval's IOPS at a time; says when the last N agree.
class steady_state_detector {
public:
    explicit steady_state_detector(const steady_state_spec& s) : spec_(s) {}
    bool add(double iops);  // true once steady (and from then on)

private:
    steady_state_spec spec_;
    std::deque<double> last_;
    bool reached_ = false;
};

}  // namespace iobench
