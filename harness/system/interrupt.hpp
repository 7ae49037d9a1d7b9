// SIGINT/SIGTERM ask the run to stop cleanly: workers poll interrupted() once
// per batch, the finished runs are written and the exit code is 128 + the
// signal. A second signal exits at once from the handler, after unlinking
// the temporary files registered here (so it must stay async-signal-safe).
// SIGPIPE is ignored (a closed peer is an error result, not a crash).
#pragma once

#include <string>

namespace iobench {

void install_interrupt_handlers();
bool interrupted();
int interrupt_signal();     // the first signal received (SIGINT, SIGTERM), 0 = none
int interrupt_exit_code();  // 128 + that signal (130, 143)
const char* interrupt_name();  // "SIGINT", "SIGTERM" or "" when not interrupted

// A file this process made and must not leave behind, even when a second
// signal ends it at once: registered for the handler, unregistered at
// destruction (after the owner renamed or removed the file). A path longer
// than the handler's slots hold, or more than 16 at once, is not
// registered: the owner still removes it on every ordinary way out.
class temp_file_guard {
public:
    explicit temp_file_guard(const std::string& path);
    ~temp_file_guard();
    temp_file_guard(const temp_file_guard&) = delete;
    temp_file_guard& operator=(const temp_file_guard&) = delete;

private:
    int slot_ = -1;
};

}  // namespace iobench
