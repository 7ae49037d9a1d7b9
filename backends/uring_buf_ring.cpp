// Provided buffer rings (mmap'd, registered, refilled one buffer at a time)
// and the fixed-size token table for buffer-select recvs.
#include "backends/uring_buf_ring.hpp"

#include <algorithm>
#include <bit>
#include <cerrno>
#include <string>
#include <sys/mman.h>
#include <system_error>
#include <unistd.h>

namespace iobench {

uring_buf_group::uring_buf_group(io_uring& ring, uint16_t group, void* base, uint32_t buf_size, uint32_t count)
    : base_(static_cast<unsigned char*>(base)), buf_size_(buf_size), count_(count) {
    const std::string what = "io_uring provided buffer group " + std::to_string(group);
    // The kernel wants a power-of-two entry count (at most 32768) and a
    // page-aligned ring address (malloc'd memory gives -EINVAL).
    if (count == 0 || !std::has_single_bit(count) || count > 32768 || buf_size == 0 || base == nullptr)
        throw std::system_error(EINVAL, std::system_category(),
                                what + ": need 1..32768 buffers, a power of two, of non-zero size");
    const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
    map_len_ = (size_t{count} * sizeof(io_uring_buf) + page - 1) / page * page;
    void* mem = ::mmap(nullptr, map_len_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::system_error(errno, std::system_category(), what + ": mmap of the ring");
    br_ = static_cast<io_uring_buf_ring*>(mem);

    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<uintptr_t>(mem);
    reg.ring_entries = count;
    reg.bgid = group;
    const int r = io_uring_register_buf_ring(&ring, &reg, 0);
    if (r < 0) {
        ::munmap(mem, map_len_);
        br_ = nullptr;
        throw std::system_error(-r, std::system_category(),
                                what + ": io_uring_register_buf_ring" + (r == -EEXIST ? " (group id already used)" : ""));
    }
    io_uring_buf_ring_init(br_);
    const int mask = io_uring_buf_ring_mask(count);
    // The last argument of _add is the slot within this batch, not the bid.
    for (uint32_t i = 0; i < count; ++i)
        io_uring_buf_ring_add(br_, buffer(static_cast<uint16_t>(i)), buf_size_, static_cast<uint16_t>(i), mask,
                              static_cast<int>(i));
    io_uring_buf_ring_advance(br_, static_cast<int>(count));
}

uring_buf_group::~uring_buf_group() {
    if (br_) ::munmap(br_, map_len_);
}

void uring_buf_group::give_back(uint16_t bid) {
    io_uring_buf_ring_add(br_, buffer(bid), buf_size_, bid, io_uring_buf_ring_mask(count_), 0);
    io_uring_buf_ring_advance(br_, 1);
    if (held_ > 0) --held_;
}

uring_bsel_table::uring_bsel_table(unsigned capacity) {
    ops_.resize(capacity);
    free_.reserve(capacity);
    for (unsigned i = capacity; i > 0; --i) free_.push_back(static_cast<int32_t>(i - 1));
    // At most half full, so probes stay short.
    const size_t nslots = std::bit_ceil(std::max<size_t>(2, size_t{capacity} * 2));
    slots_.assign(nslots, -1);
    mask_ = nslots - 1;
    shift_ = 64u - static_cast<unsigned>(std::countr_zero(nslots));
}

size_t uring_bsel_table::locate(uint64_t token) const {
    size_t i = home(token);
    while (slots_[i] >= 0 && ops_[static_cast<size_t>(slots_[i])].token != token) i = (i + 1) & mask_;
    return i;
}

uring_bsel_op* uring_bsel_table::insert(const uring_bsel_op& op) {
    if (free_.empty()) return nullptr;
    const int32_t idx = free_.back();
    free_.pop_back();
    uring_bsel_op& slot_op = ops_[static_cast<size_t>(idx)];
    slot_op = op;
    slot_op.in_use = true;
    size_t i = home(op.token);
    while (slots_[i] >= 0) i = (i + 1) & mask_;
    slots_[i] = idx;
    ++size_;
    return &slot_op;
}

uring_bsel_op* uring_bsel_table::find(uint64_t token) {
    const int32_t idx = slots_[locate(token)];
    return idx < 0 ? nullptr : &ops_[static_cast<size_t>(idx)];
}

void uring_bsel_table::erase(uint64_t token) {
    size_t i = locate(token);
    if (slots_[i] < 0) return;
    ops_[static_cast<size_t>(slots_[i])].in_use = false;
    free_.push_back(slots_[i]);
    --size_;
    // Backward shift: pull later entries of the probe run into the hole
    // unless their home lies cyclically within (hole, their slot].
    for (size_t j = (i + 1) & mask_; slots_[j] >= 0; j = (j + 1) & mask_) {
        const size_t k = home(ops_[static_cast<size_t>(slots_[j])].token);
        const bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            slots_[i] = slots_[j];
            i = j;
        }
    }
    slots_[i] = -1;
}

}  // namespace iobench
