// --netns: two network namespaces joined by a veth pair, so the server under
// test and the load generator talk over a real (virtual) link instead of
// loopback. Made with iproute2's `ip`, removed when the object goes away.
#pragma once

#include "backends/unique_fd.hpp"

#include <string>

namespace iobench {

class netns_pair {
public:
    // Throws std::runtime_error with `ip`'s complaint (e.g. not root).
    netns_pair();
    ~netns_pair();
    netns_pair(const netns_pair&) = delete;
    netns_pair& operator=(const netns_pair&) = delete;

    const std::string& server_ns() const { return server_; }
    const std::string& client_ns() const { return client_; }
    const std::string& server_ip() const { return server_ip_; }

private:
    void remove();
    std::string server_, client_, server_ip_;
};

// Moves the calling thread into a namespace until the guard goes away.
// Threads it starts meanwhile (and sockets it opens) stay in that namespace.
class netns_guard {
public:
    explicit netns_guard(const std::string& ns_name);
    ~netns_guard();
    netns_guard(const netns_guard&) = delete;
    netns_guard& operator=(const netns_guard&) = delete;

private:
    unique_fd home_;
};

}  // namespace iobench
