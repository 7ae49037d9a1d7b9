// Histogram merge and percentile lookup (the cold parts).
#include "results/histogram.hpp"

#include <algorithm>
#include <cmath>

namespace iobench {

void histogram::merge(const histogram& o) {
    for (unsigned i = 0; i < bucket_count; ++i) buckets_[i] += o.buckets_[i];
    count_ += o.count_;
    sum_ += o.sum_;
    overflow_ += o.overflow_;
    min_ = std::min(min_, o.min_);
    max_ = std::max(max_, o.max_);
}

uint64_t histogram::percentile(double p) const {
    if (count_ == 0) return 0;
    // Rank of the wanted sample, 1-based: the smallest value with at least
    // p% of samples at or below it.
    const double exact = p / 100.0 * static_cast<double>(count_);
    const uint64_t rank = std::max<uint64_t>(1, static_cast<uint64_t>(std::ceil(exact)));
    uint64_t seen = 0;
    for (unsigned i = 0; i < bucket_count; ++i) {
        seen += buckets_[i];
        if (seen >= rank) {
            const uint64_t mid = lower_bound_of(i) + width_of(i) / 2;
            return std::clamp(mid, min(), max_);
        }
    }
    return max_;  // the rank falls among the overflows
}

}  // namespace iobench
