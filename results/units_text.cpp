// Numbers as the tables print them.
#include "results/units_text.hpp"

#include <cstdio>

namespace iobench {

std::string si(double v, const char* unit) {
    char buf[32];
    if (v >= 1e9) std::snprintf(buf, sizeof buf, "%.2fG%s", v / 1e9, unit);
    else if (v >= 1e6) std::snprintf(buf, sizeof buf, "%.2fM%s", v / 1e6, unit);
    else if (v >= 1e3) std::snprintf(buf, sizeof buf, "%.1fk%s", v / 1e3, unit);
    else std::snprintf(buf, sizeof buf, "%.0f%s", v, unit);
    return buf;
}

std::string duration(double ns) {
    char buf[32];
    if (ns <= 0) return "-";  // nothing measured (e.g. the server side of serve)
    if (ns >= 1e9) std::snprintf(buf, sizeof buf, "%.2fs", ns / 1e9);
    else if (ns >= 1e6) std::snprintf(buf, sizeof buf, "%.2fms", ns / 1e6);
    else if (ns >= 1e3) std::snprintf(buf, sizeof buf, "%.1fus", ns / 1e3);
    else std::snprintf(buf, sizeof buf, "%.0fns", ns);
    return buf;
}

}  // namespace iobench
