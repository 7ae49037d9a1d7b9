// A flag set from the signal handler and polled by workers once per batch.
#include "harness/system/interrupt.hpp"

#include <csignal>

namespace iobench {

namespace {
std::atomic<bool> g_interrupted{false};
extern "C" void on_signal(int) { g_interrupted.store(true, std::memory_order_relaxed); }
}  // namespace

void install_interrupt_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // A peer that goes away must be an -EPIPE result, not the end of the
    // process: glibc's POSIX AIO sends are write()s, which cannot say MSG_NOSIGNAL.
    ::signal(SIGPIPE, SIG_IGN);
}

bool interrupted() { return g_interrupted.load(std::memory_order_relaxed); }

}  // namespace iobench
