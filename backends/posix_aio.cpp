// PLACEHOLDER while the real backend is written; must not land.
#include "backends/posix_aio.hpp"
#include <stdexcept>
namespace iobench {
probe_result probe_posix_aio(const probe_context&) { return probe_result::no("posix_aio: not written yet"); }
std::unique_ptr<backend> make_posix_aio(const backend_options&) { throw std::logic_error("posix_aio: not written yet"); }
}  // namespace iobench
