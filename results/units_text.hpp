// Numbers as the tables print them: 82.5k, 1.20GB/s, 366.6us. Shared by the
// results table and the comparison's outputs so both read the same.
#pragma once

#include <string>

namespace iobench {

// 999 -> "999", 82512 -> "82.5k", 1.2e9 with "B/s" -> "1.20GB/s".
std::string si(double v, const char* unit);
// Nanoseconds in the largest unit that keeps a digit before the point; "-" for <= 0.
std::string duration(double ns);

}  // namespace iobench
