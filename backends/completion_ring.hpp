// A fixed-capacity FIFO of completions, allocated once at construction: the
// front layer's queue of ops that completed without the kernel.
#pragma once

#include "backends/backend_types.hpp"

#include <algorithm>
#include <cstddef>
#include <memory>
#include <span>

namespace iobench {

class completion_ring {
public:
    explicit completion_ring(size_t capacity) : cap_(std::max<size_t>(capacity, 1)), ring_(new io_completion[cap_]) {}

    size_t size() const { return count_; }
    size_t room() const { return cap_ - count_; }

    // False when full: the caller decides what that means (it never grows).
    bool push(const io_completion& c) {
        if (count_ == cap_) return false;
        ring_[(head_ + count_) % cap_] = c;
        ++count_;
        return true;
    }

    // Moves up to out.size() completions out, oldest first.
    size_t take(std::span<io_completion> out) {
        const size_t n = std::min(out.size(), count_);
        for (size_t k = 0; k < n; ++k) {
            out[k] = ring_[head_];
            head_ = head_ + 1 == cap_ ? 0 : head_ + 1;
        }
        count_ -= n;
        return n;
    }

private:
    const size_t cap_;
    std::unique_ptr<io_completion[]> ring_;
    size_t head_ = 0, count_ = 0;
};

}  // namespace iobench
