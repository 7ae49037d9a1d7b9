// CPU time of the whole process (RUSAGE_SELF): every thread, including
// io_uring's SQPOLL kernel thread and glibc's POSIX AIO helpers, so models
// that spend CPU outside the caller's thread pay for it.
#pragma once

#include "harness/system/clock.hpp"
#include "results/run_result.hpp"

#include <sys/resource.h>

namespace iobench {

inline cpu_usage process_cpu() {
    rusage ru {};
    ::getrusage(RUSAGE_SELF, &ru);
    return {seconds_of(ru.ru_utime), seconds_of(ru.ru_stime)};
}

inline cpu_usage operator-(const cpu_usage& a, const cpu_usage& b) { return {a.user_s - b.user_s, a.sys_s - b.sys_s}; }

}  // namespace iobench
