// PLACEHOLDER while the real backend is written; must not land.
#include "backends/libaio.hpp"
#include <stdexcept>
namespace iobench {
probe_result probe_libaio(const probe_context&) { return probe_result::no("libaio: not written yet"); }
std::unique_ptr<backend> make_libaio(const backend_options&) { throw std::logic_error("libaio: not written yet"); }
}  // namespace iobench
