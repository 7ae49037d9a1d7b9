// HOST:PORT parsing for --listen and --target (IPv4 dotted quad, [IPv6], or
// localhost). No name resolution: iobench never looks anything up.
#pragma once

#include <string>
#include <sys/socket.h>

namespace iobench {

struct net_address {
    sockaddr_storage addr{};
    socklen_t len = 0;
    int family() const { return addr.ss_family; }
    std::string to_string() const;
};

// Throws usage_error naming `flag` on a malformed address.
net_address parse_net_address(const std::string& text, const std::string& flag);

}  // namespace iobench
