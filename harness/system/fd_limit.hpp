// The process's open-file limit (RLIMIT_NOFILE). Many connections want many
// fds: the soft limit is raised to the hard one at start (as nginx's
// worker_rlimit_nofile and Go's runtime do), and an EMFILE names the knob
// (ulimit -n) with its value, so the user knows what to raise.
#pragma once

#include <string>

namespace iobench {

void raise_fd_limit();  // soft := hard; a failure leaves the limit as it was
// For EMFILE/ENFILE: " (out of file descriptors: ulimit -n is 64, hard 64; raise it)"; otherwise "".
std::string fd_limit_hint(int err);

}  // namespace iobench
