// Unit tests of the latency histogram: bucket math, error bound, percentiles, merge.
#include "results/histogram.hpp"

#include <gtest/gtest.h>
#include <random>

using iobench::histogram;

TEST(histogram, every_bucket_maps_back_to_itself) {
    for (unsigned i = 0; i < histogram::bucket_count; ++i) {
        const uint64_t lo = histogram::lower_bound_of(i);
        EXPECT_EQ(histogram::index_of(lo), i);
        EXPECT_EQ(histogram::index_of(lo + histogram::width_of(i) - 1), i);
        if (i + 1 < histogram::bucket_count) {
            EXPECT_EQ(lo + histogram::width_of(i), histogram::lower_bound_of(i + 1));
        }
    }
}

TEST(histogram, single_value_percentiles_are_within_the_error_bound) {
    std::mt19937_64 rng(42);
    for (int i = 0; i < 20000; ++i) {
        const uint64_t v = rng() >> (24 + rng() % 40);  // spread over many magnitudes
        histogram h;
        h.record(v);
        const uint64_t got = h.percentile(50);
        EXPECT_EQ(got, v);  // one sample: clamped to exact min/max
    }
    // Two samples in one bucket: the midpoint is off by under 1/128 of the value.
    std::uniform_int_distribution<uint64_t> d(200, 1ull << 39);
    for (int i = 0; i < 20000; ++i) {
        const uint64_t v = d(rng);
        histogram h;
        h.record(1);
        h.record(v);
        h.record(1ull << 39);
        const double err = std::abs(static_cast<double>(h.percentile(50)) - static_cast<double>(v)) / static_cast<double>(v);
        EXPECT_LT(err, 1.0 / 128 + 1e-12) << v;
    }
}

TEST(histogram, percentiles_of_a_uniform_distribution) {
    histogram h;
    for (uint64_t v = 1; v <= 100000; ++v) h.record(v * 100);
    EXPECT_EQ(h.count(), 100000u);
    EXPECT_EQ(h.min(), 100u);
    EXPECT_EQ(h.max(), 10'000'000u);
    EXPECT_NEAR(h.mean(), 5'000'050.0, 1e-6);
    for (double p : {50.0, 90.0, 99.0, 99.9}) {
        const double want = p / 100 * 10'000'000;
        EXPECT_NEAR(static_cast<double>(h.percentile(p)), want, want / 100) << p;
    }
    EXPECT_EQ(h.percentile(100), 10'000'000u);
}

TEST(histogram, merge_equals_recording_everything_in_one) {
    histogram a, b, all;
    std::mt19937_64 rng(7);
    for (int i = 0; i < 10000; ++i) {
        const uint64_t v = rng() % 5'000'000;
        (i % 3 ? a : b).record(v);
        all.record(v);
    }
    a.merge(b);
    EXPECT_EQ(a.count(), all.count());
    EXPECT_EQ(a.sum(), all.sum());
    EXPECT_EQ(a.min(), all.min());
    EXPECT_EQ(a.max(), all.max());
    EXPECT_EQ(a.buckets(), all.buckets());
}

TEST(histogram, values_beyond_the_range_are_counted_as_overflow_not_clamped) {
    histogram h;
    h.record(1ull << 45);
    h.record(10);
    EXPECT_EQ(h.overflow(), 1u);
    EXPECT_EQ(h.count(), 2u);
    EXPECT_EQ(h.max(), 1ull << 45);
    EXPECT_EQ(h.percentile(100), 1ull << 45);
}

TEST(histogram, empty_histogram_reports_zeros) {
    histogram h;
    EXPECT_EQ(h.percentile(99), 0u);
    EXPECT_EQ(h.min(), 0u);
    EXPECT_EQ(h.mean(), 0.0);
}
