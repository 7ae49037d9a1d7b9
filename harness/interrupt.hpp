// SIGINT/SIGTERM ask the run to stop cleanly (so temporary files are removed).
#pragma once

#include <atomic>

namespace iobench {

void install_interrupt_handlers();
bool interrupted();

}  // namespace iobench
