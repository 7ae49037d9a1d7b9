// HOST:PORT to sockaddr and back.
#include "harness/net/net_address.hpp"

#include "harness/cli/errors.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <netinet/in.h>

namespace iobench {

net_address parse_net_address(const std::string& text, const std::string& flag) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 == text.size())
        throw usage_error(flag + " " + text + ": expected HOST:PORT (e.g. 127.0.0.1:7000)");
    std::string host = text.substr(0, colon);
    const std::string port_text = text.substr(colon + 1);
    char* end = nullptr;
    const unsigned long port = std::strtoul(port_text.c_str(), &end, 10);
    if (*end != '\0' || port > 65535) throw usage_error(flag + " " + text + ": bad port '" + port_text + "'");
    if (host.empty() || host == "localhost") host = "127.0.0.1";

    net_address a;
    if (host.front() == '[' && host.back() == ']') {
        auto* s6 = reinterpret_cast<sockaddr_in6*>(&a.addr);
        s6->sin6_family = AF_INET6;
        s6->sin6_port = htons(static_cast<uint16_t>(port));
        if (::inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &s6->sin6_addr) != 1)
            throw usage_error(flag + " " + text + ": bad IPv6 address");
        a.len = sizeof(sockaddr_in6);
        return a;
    }
    auto* s4 = reinterpret_cast<sockaddr_in*>(&a.addr);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(static_cast<uint16_t>(port));
    if (::inet_pton(AF_INET, host.c_str(), &s4->sin_addr) != 1)
        throw usage_error(flag + " " + text + ": bad IPv4 address '" + host + "' (names are not resolved)");
    a.len = sizeof(sockaddr_in);
    return a;
}

std::string net_address::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    if (family() == AF_INET6) {
        const auto* s6 = reinterpret_cast<const sockaddr_in6*>(&addr);
        ::inet_ntop(AF_INET6, &s6->sin6_addr, buf, sizeof buf);
        std::string out(1, '[');  // appended piecewise: g++ 12 warns falsely (-Wrestrict) on "[" + string
        out += buf;
        out += "]:";
        out += std::to_string(ntohs(s6->sin6_port));
        return out;
    }
    const auto* s4 = reinterpret_cast<const sockaddr_in*>(&addr);
    ::inet_ntop(AF_INET, &s4->sin_addr, buf, sizeof buf);
    return std::string(buf) + ":" + std::to_string(ntohs(s4->sin_port));
}

}  // namespace iobench
