// PLACEHOLDER while being written; must not land.
#include "harness/net_load.hpp"
namespace iobench {
load_result run_load(const load_options&) { load_result r; r.ok = false; r.error = "not written yet"; return r; }
}  // namespace iobench
