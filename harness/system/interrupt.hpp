// SIGINT/SIGTERM ask the run to stop cleanly (so temporary files are removed);
// SIGPIPE is ignored (a closed peer is an error result, not a crash).
#pragma once

#include <atomic>

namespace iobench {

void install_interrupt_handlers();
bool interrupted();

}  // namespace iobench
