// The network workload registry: one line per protocol, mapping its name to
// the sessions the net loops drive (see net_session.hpp). Adding a workload
// is one file pair in workloads/ and one line in net_workload.cpp.
#pragma once

#include "workloads/net_session.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace iobench {

struct net_workload {
    std::string_view name;
    std::string_view summary;
    uint32_t default_msg_size;  // --msg-size when it is not given
    bool sized;                 // msg_size is its payload, so it must be above 0
    bool one_way;               // the payload goes client -> server only: bytes sent are the work done
    std::unique_ptr<server_session> (*make_server)(const server_session_config&);
    std::unique_ptr<client_session> (*make_client)(const client_session_config&);
};

const net_workload* find_net_workload(std::string_view name);  // nullptr: no such workload
// The names in registry order, joined by `sep`, with `last` before the final one.
std::string net_workload_names(std::string_view sep = ", ", std::string_view last = ", ");

}  // namespace iobench
