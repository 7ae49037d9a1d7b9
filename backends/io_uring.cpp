// PLACEHOLDER while the real backend is written; must not land.
#include "backends/io_uring.hpp"
#include <stdexcept>
namespace iobench {
probe_result probe_io_uring(const probe_context&) { return probe_result::no("not written yet"); }
probe_result probe_io_uring_sqpoll(const probe_context&) { return probe_result::no("not written yet"); }
probe_result probe_io_uring_iopoll(const probe_context&) { return probe_result::no("not written yet"); }
std::unique_ptr<backend> make_io_uring(const backend_options&) { throw std::logic_error("not written yet"); }
std::unique_ptr<backend> make_io_uring_sqpoll(const backend_options&) { throw std::logic_error("not written yet"); }
std::unique_ptr<backend> make_io_uring_iopoll(const backend_options&) { throw std::logic_error("not written yet"); }
}  // namespace iobench
