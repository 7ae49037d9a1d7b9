// The statistics the regression gate (`iobench compare`) rests on, over the
// repetitions of two runs: a one-sided Mann-Whitney U test, the smallest p a
// sample size can reach, Benjamini-Hochberg across many comparisons, and the
// Hodges-Lehmann shift with its distribution-free confidence interval.
// Distribution-free on purpose: repetition figures of an I/O benchmark are
// skewed and heavy-tailed, so a t-test's normality is not there to assume.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace iobench {

enum class u_method {
    automatic,   // exact up to exact_limit values in all, asymptotic above
    exact,       // the permutation distribution of the rank sum, ties included
    asymptotic,  // normal approximation, tie-corrected, with continuity correction
};

// Exact counts are doubles: C(60, 30) ~ 1.2e17 stays well inside their range,
// and each p is a ratio of two counts, so rounding never moves it visibly.
inline constexpr size_t exact_limit = 60;

struct u_test {
    double u = 0;         // U of x: pairs (x_i, y_j) with x_i > y_j, ties counting 1/2
    double p = 1;         // P(U <= u) under H0: small when x tends to be smaller than y
    bool exact = false;   // which path computed p
};

// One-sided: H1 says `x` tends to be smaller than `y`. For "larger", swap the
// arguments. Empty samples give p = 1.
u_test mann_whitney_less(std::span<const double> x, std::span<const double> y,
                         u_method method = u_method::automatic);

// The smallest one-sided p the exact test can give for sizes m and n (all of
// x below all of y): 1 / C(m+n, m). 3 against 3 gives 0.05, so such a gate can
// never reach p < 0.05, whatever the data.
double smallest_p(size_t m, size_t n);

// Benjamini-Hochberg adjusted p-values (q-values), in the order given:
// compare each with alpha to keep the false discovery rate at alpha.
std::vector<double> benjamini_hochberg(std::span<const double> p);

struct shift_estimate {
    double shift = 0;           // median of all y_j - x_i
    double lower = 0, upper = 0;
    bool bounded = false;       // false: the samples are too small for this confidence
};

// How far y lies above x, with the confidence interval from the order
// statistics of the pairwise differences (Hollander & Wolfe, ch. 4).
shift_estimate hodges_lehmann(std::span<const double> x, std::span<const double> y, double confidence = 0.95);

}  // namespace iobench
