// Fuzz target: the server's HTTP request scanner and the load side's
// response scanner (workloads/http_parser.hpp), as bytes from a hostile peer.
// Properties: how the bytes are split never changes the answer (requests
// counted, failed or not), and a scanner that failed stays failed.
#include "tests/fuzz/fuzz_target.hpp"
#include "workloads/http_parser.hpp"

#include <algorithm>

namespace iobench::fuzz {

std::span<const std::string_view> dictionary() {
    static constexpr std::string_view words[] = {
        "GET ", "POST ", "HEAD ", "/ ", "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "\r\n", "\n", "\r\n\r\n", ": ", ":",
        "Host: x\r\n", "Content-Length: ", "content-length:", "Content-Length: 5\r\n", "Content-Length: 5, 5\r\n",
        "Content-Length: 18446744073709551616\r\n", "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: identity\r\n",
        "Connection: close\r\n", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 099 X\r\n", " ", "\t", "\0"};
    return words;
}

namespace {

struct outcome {
    uint64_t requests = 0;
    bool ok = true;
};

// The request scanner fed in pieces of `step` bytes (0: all at once).
outcome requests(const char* p, size_t n, size_t step) {
    http_request_scanner s;
    outcome o;
    if (step == 0) step = std::max<size_t>(n, 1);
    for (size_t i = 0; i < n && o.ok; i += step) {
        const auto r = s.feed(p + i, std::min(step, n - i));
        o.requests += r.requests;
        o.ok = r.ok;
        FUZZ_CHECK(s.failed() == !r.ok);
    }
    if (!o.ok) {
        FUZZ_CHECK(!s.feed("GET / HTTP/1.1\r\n\r\n", 18).ok);  // failed stays failed
        FUZZ_CHECK(*s.error() != '\0');
    }
    return o;
}

int responses(const uint8_t* p, size_t n, size_t step, uint64_t& count) {
    http_response_scanner s;
    if (step == 0) step = std::max<size_t>(n, 1);
    for (size_t i = 0; i < n; i += step) {
        const auto st = s.feed(p + i, std::min(step, n - i), [&](auto&&...) { ++count; });
        if (st != http_response_scanner::status::ok) return static_cast<int>(st);
    }
    return 0;
}

}  // namespace

}  // namespace iobench::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace iobench::fuzz;
    const char* p = reinterpret_cast<const char*>(data);
    const size_t odd_step = size ? 1 + data[0] % 13 : 1;
    const outcome whole = requests(p, size, 0);
    if (size <= 4096) {  // byte by byte is slow on a flood; the odd step covers those
        const outcome bytes = requests(p, size, 1);
        FUZZ_CHECK(bytes.ok == whole.ok && bytes.requests == whole.requests);
    }
    const outcome odd = requests(p, size, odd_step);
    FUZZ_CHECK(odd.ok == whole.ok && odd.requests == whole.requests);

    uint64_t a = 0, b = 0;
    const int ra = responses(data, size, 0, a), rb = responses(data, size, odd_step, b);
    FUZZ_CHECK(ra == rb && a == b);
    return 0;
}
