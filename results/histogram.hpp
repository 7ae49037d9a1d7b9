// Log-linear latency histogram in nanoseconds (fio's layout, HdrHistogram's manners).
//
// Values below 128 ns get one bucket each. Above, every power of two [2^k, 2^(k+1))
// is split into 64 equal sub-buckets, so a bucket spans at most 1/64 of its lower
// bound, and reporting the bucket's midpoint is off by at most 1/128 (< 0.8%).
// Buckets cover up to 2^40 ns (~18 minutes); larger values are counted as
// overflows (and still reach max), never clamped silently. Exact min, max and sum
// are kept beside the buckets. One histogram per thread; merge() adds buckets.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <limits>

namespace iobench {

class histogram {
public:
    static constexpr unsigned sub_bits = 6;                  // 64 sub-buckets per power of two
    static constexpr unsigned sub_count = 1u << sub_bits;
    static constexpr unsigned max_bits = 40;                 // values < 2^40 ns are bucketed
    static constexpr unsigned bucket_count = (max_bits - sub_bits + 1) * sub_count;  // 2240

    // Hot path: O(1), no branches beyond the range checks.
    void record(uint64_t ns) {
        ++count_;
        sum_ += ns;
        if (ns < min_) min_ = ns;
        if (ns > max_) max_ = ns;
        if (ns >> max_bits) {
            ++overflow_;
            return;
        }
        ++buckets_[index_of(ns)];
    }

    void merge(const histogram& o);

    uint64_t count() const { return count_; }
    uint64_t overflow() const { return overflow_; }
    uint64_t min() const { return count_ ? min_ : 0; }
    uint64_t max() const { return max_; }
    double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
    uint64_t sum() const { return sum_; }
    // Value at percentile p (0..100): the midpoint of the bucket holding it,
    // clamped to [min, max].
    uint64_t percentile(double p) const;

    const std::array<uint64_t, bucket_count>& buckets() const { return buckets_; }
    // Restores a histogram from its parts (e.g. read back from JSON).
    void set_bucket(unsigned idx, uint64_t n) { buckets_[idx] = n; }
    void set_summary(uint64_t count, uint64_t sum, uint64_t min, uint64_t max, uint64_t overflow) {
        count_ = count, sum_ = sum, min_ = min, max_ = max, overflow_ = overflow;
    }

    static unsigned index_of(uint64_t ns) {
        if (ns < 2 * sub_count) return static_cast<unsigned>(ns);
        const unsigned msb = 63u - static_cast<unsigned>(std::countl_zero(ns));
        const unsigned shift = msb - sub_bits;
        return (shift + 1) * sub_count + static_cast<unsigned>((ns >> shift) & (sub_count - 1));
    }
    static uint64_t lower_bound_of(unsigned idx) {
        if (idx < 2 * sub_count) return idx;
        const unsigned shift = idx / sub_count - 1;
        return (static_cast<uint64_t>(sub_count + idx % sub_count)) << shift;
    }
    static uint64_t width_of(unsigned idx) { return idx < 2 * sub_count ? 1 : 1ull << (idx / sub_count - 1); }

private:
    std::array<uint64_t, bucket_count> buckets_{};
    uint64_t count_ = 0;
    uint64_t sum_ = 0;
    uint64_t min_ = std::numeric_limits<uint64_t>::max();
    uint64_t max_ = 0;
    uint64_t overflow_ = 0;
};

}  // namespace iobench
