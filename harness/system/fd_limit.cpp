// RLIMIT_NOFILE raised at start and named in EMFILE messages.
#include "harness/system/fd_limit.hpp"

#include <cerrno>
#include <sys/resource.h>

namespace iobench {

namespace {

std::string limit_text(rlim_t v) { return v == RLIM_INFINITY ? "unlimited" : std::to_string(v); }

}  // namespace

void raise_fd_limit() {
    rlimit l{};
    if (::getrlimit(RLIMIT_NOFILE, &l) != 0 || l.rlim_cur >= l.rlim_max) return;
    l.rlim_cur = l.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &l);
}

std::string fd_limit_hint(int err) {
    if (err == ENFILE) return " (the system's file table is full: fs.file-max)";
    if (err != EMFILE) return {};
    rlimit l{};
    if (::getrlimit(RLIMIT_NOFILE, &l) != 0) return " (out of file descriptors: raise ulimit -n)";
    return " (out of file descriptors: ulimit -n is " + limit_text(l.rlim_cur) + ", hard " + limit_text(l.rlim_max) +
           "; raise it)";
}

}  // namespace iobench
