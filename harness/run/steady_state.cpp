// --steady-state: the flag's syntax and the band test (see steady_state.hpp).
#include "harness/run/steady_state.hpp"

#include "harness/cli/errors.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace iobench {

steady_state_spec parse_steady_state(const std::string& text) {
    const std::string bad = "--steady-state " + text + ": ";
    if (text.rfind("iops:", 0) != 0) throw usage_error(bad + "give iops:PCT% or iops:PCT%:N (e.g. iops:5%)");
    const std::string rest = text.substr(5);
    const auto pct_end = rest.find('%');
    if (pct_end == std::string::npos || pct_end == 0) throw usage_error(bad + "the band needs a % (e.g. iops:5%)");
    steady_state_spec s;
    s.enabled = true;
    size_t used = 0;
    double pct = 0;
    try {
        pct = std::stod(rest.substr(0, pct_end), &used);
    } catch (const std::exception&) {
        throw usage_error(bad + "the band is not a number");
    }
    if (used != pct_end || !(pct > 0) || pct > 100) throw usage_error(bad + "the band must be above 0% and at most 100%");
    s.band = pct / 100;
    s.intervals = steady_state_default_intervals;
    const std::string tail = rest.substr(pct_end + 1);
    if (!tail.empty()) {
        if (tail[0] != ':' || tail.size() == 1) throw usage_error(bad + "expected :N (intervals) after the band");
        const std::string n = tail.substr(1);
        if (n.find_first_not_of("0123456789") != std::string::npos) throw usage_error(bad + "N must be a whole number");
        const unsigned long v = std::stoul(n);
        if (v < 2 || v > 1000) throw usage_error(bad + "N must be between 2 and 1000");
        s.intervals = static_cast<unsigned>(v);
    }
    char norm[64];
    std::snprintf(norm, sizeof norm, "iops:%g%%:%u", pct, s.intervals);
    s.text = norm;
    return s;
}

bool steady_state_detector::add(double iops) {
    if (reached_) return true;
    last_.push_back(iops);
    if (last_.size() > spec_.intervals) last_.pop_front();
    if (last_.size() < spec_.intervals) return false;
    double mean = 0;
    for (double x : last_) mean += x;
    mean /= static_cast<double>(last_.size());
    if (mean <= 0) return false;
    reached_ = std::all_of(last_.begin(), last_.end(), [&](double x) { return std::abs(x - mean) <= spec_.band * mean; });
    return reached_;
}

}  // namespace iobench
