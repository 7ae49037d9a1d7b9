// io_uring provided-buffer helpers: a registered buffer ring per buffer group,
// and the table of buffer-select recvs in flight (so ENOBUFS can park and re-arm them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <liburing.h>
#include <vector>

namespace iobench {

// One buffer group: `count` (a power of two) buffers of `buf_size` bytes at
// `base`, handed to the kernel through a registered buffer ring. liburing 2.3
// has no io_uring_setup_buf_ring, so the ring memory is mmap'd here.
class uring_buf_group {
public:
    // Registers the ring and publishes every buffer; throws std::system_error.
    uring_buf_group(io_uring& ring, uint16_t group, void* base, uint32_t buf_size, uint32_t count);
    ~uring_buf_group();  // unmaps only: the owner exits the ring before this runs
    uring_buf_group(const uring_buf_group&) = delete;
    uring_buf_group& operator=(const uring_buf_group&) = delete;

    void* buffer(uint16_t bid) const { return base_ + size_t{bid} * buf_size_; }
    uint32_t count() const { return count_; }
    // A CQE handed buffer `bid` to the caller.
    void delivered() { ++held_; }
    // The caller is done with `bid`: publish it to the kernel again.
    void give_back(uint16_t bid);
    // Buffers neither delivered nor with the caller, as far as the CQEs
    // processed so far tell (the kernel may have taken some since).
    bool has_free() const { return held_ < count_; }

private:
    unsigned char* base_;
    uint32_t buf_size_;
    uint32_t count_;
    uint32_t held_ = 0;
    io_uring_buf_ring* br_ = nullptr;
    size_t map_len_ = 0;
};

// A recv with IOSQE_BUFFER_SELECT the kernel runs, or that ENOBUFS parked.
struct uring_bsel_op {
    uint64_t token = 0;
    int fd = -1;  // a registered-file index when fixed_file
    uint32_t len = 0;
    uint16_t group = 0;
    bool fixed_file = false;
    bool multishot = false;
    bool parked = false;     // ended with -ENOBUFS: re-arm once its group has a free buffer
    bool cancelled = false;  // cancel() asked: an -ENOBUFS end finishes it instead of parking
    bool in_use = false;
};

// token -> uring_bsel_op with a fixed capacity: open addressing, linear
// probing, backward-shift deletion. Consulted for every CQE while non-empty,
// so it never allocates after construction.
class uring_bsel_table {
public:
    explicit uring_bsel_table(unsigned capacity = 0);

    uring_bsel_op* insert(const uring_bsel_op& op);  // nullptr when full
    uring_bsel_op* find(uint64_t token);
    void erase(uint64_t token);
    unsigned size() const { return size_; }
    bool full() const { return free_.empty(); }

    template <class F>
    void for_each(F&& f) {
        for (uring_bsel_op& op : ops_)
            if (op.in_use) f(op);
    }

private:
    size_t home(uint64_t token) const { return (token * 0x9e3779b97f4a7c15ULL) >> shift_; }
    size_t locate(uint64_t token) const;  // slot holding token, or an empty slot

    std::vector<uring_bsel_op> ops_;
    std::vector<int32_t> slots_;  // index into ops_, or -1
    std::vector<int32_t> free_;   // unused indexes into ops_
    size_t mask_ = 0;
    unsigned shift_ = 63;
    unsigned size_ = 0;
};

}  // namespace iobench
