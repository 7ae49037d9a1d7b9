// The signal handler and the table of temporary files it removes on a second
// signal: fixed slots and lock-free atomics only, since the handler may run
// on any thread at any instant.
#include "harness/system/interrupt.hpp"

#include <array>
#include <atomic>
#include <csignal>
#include <cstring>
#include <unistd.h>

namespace iobench {

namespace {

constexpr size_t max_temp_files = 16, max_temp_path = 4096;
struct temp_slot {
    std::atomic<bool> claimed{false};  // owned by a guard (path being written or in use)
    std::atomic<bool> live{false};     // path complete: the handler may unlink it
    char path[max_temp_path]{};
};
std::array<temp_slot, max_temp_files> g_temps;
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free && std::atomic<bool>::is_always_lock_free);

void say(const char* s) {
    const ssize_t n = ::write(STDERR_FILENO, s, std::strlen(s));
    (void)n;  // nothing to do if stderr is gone
}

extern "C" void on_signal(int sig) {
    int none = 0;
    if (g_signal.compare_exchange_strong(none, sig)) return;  // first: the run stops cleanly
    // Second: the clean stop is not waited for. unlink, write and _exit are async-signal-safe.
    for (temp_slot& t : g_temps)
        if (t.live.load(std::memory_order_acquire)) ::unlink(t.path);
    say("iobench: second interrupt: exiting at once (temporary files removed, no results written)\n");
    ::_exit(128 + g_signal.load());
}

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

bool interrupted() { return g_signal.load(std::memory_order_relaxed) != 0; }
int interrupt_signal() { return g_signal.load(std::memory_order_relaxed); }
int interrupt_exit_code() { return 128 + interrupt_signal(); }
const char* interrupt_name() {
    switch (interrupt_signal()) {
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case 0: return "";
    default: return "a signal";
    }
}

temp_file_guard::temp_file_guard(const std::string& path) {
    if (path.empty() || path.size() >= max_temp_path) return;
    for (size_t i = 0; i < g_temps.size(); ++i) {
        bool free = false;
        if (!g_temps[i].claimed.compare_exchange_strong(free, true)) continue;
        std::memcpy(g_temps[i].path, path.c_str(), path.size() + 1);
        g_temps[i].live.store(true, std::memory_order_release);
        slot_ = static_cast<int>(i);
        return;
    }
}

temp_file_guard::~temp_file_guard() {
    if (slot_ < 0) return;
    g_temps[static_cast<size_t>(slot_)].live.store(false, std::memory_order_release);
    g_temps[static_cast<size_t>(slot_)].claimed.store(false, std::memory_order_release);
}

}  // namespace iobench
