// The echo workload: the client sends msg_size bytes, the server sends them
// back, one round trip is one request, and the client checks every byte.
#pragma once

#include "workloads/net_session.hpp"

#include <memory>

namespace iobench {

// Echo payload: each 8-byte word encodes (connection, sequence, word offset),
// so a misplaced, stale or corrupted byte differs from what is expected.
void fill_message(uint8_t* p, uint32_t len, uint32_t conn, uint64_t seq);

std::unique_ptr<server_session> make_echo_server(const server_session_config&);
std::unique_ptr<client_session> make_echo_client(const client_session_config&);

}  // namespace iobench
