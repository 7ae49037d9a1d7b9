// Validation of run, serve and load flags: raw text to typed run_options,
// each mistake a usage_error naming its flag (exit 2).
#include "harness/cli/option_parts.hpp"

#include "backends/registry.hpp"
#include "harness/cli/errors.hpp"
#include "harness/net/net_address.hpp"
#include "workloads/net_workload.hpp"
#include "workloads/transfer_method.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <sstream>

namespace iobench {

namespace {

// NAME[,NAME...]: each name handed to `add` in order (empty names too, which `add` refuses).
template <class Add>
void for_each_listed(const std::string& list, Add add) {
    for (size_t start = 0; start <= list.size();) {
        const size_t end = std::min(list.find(',', start), list.size());
        add(list.substr(start, end - start));
        start = end + 1;
    }
}

constexpr const char* ev_backend_names[] = {"epoll", "linuxaio", "iouring"};

// --server/--ev-backend: validated here; with lws* the backends become the
// labels results carry ("lws:NAME", "lws-libev:NAME").
void check_server(const raw_flags& f, const po::variables_map& vm, run_options& o) {
    if (!vm.count("server")) return;  // load has no server
    const bool ev_given = vm.count("ev-backend") > 0;
    if (o.server != "native" && o.server != "lws" && o.server != "lws-libev")
        throw usage_error("--server: unknown server '" + o.server + "' (native, lws, lws-libev)");
    if (ev_given && o.server != "lws-libev") throw usage_error("--ev-backend: needs --server lws-libev");
    if (o.server == "native") return;
    if (o.workload != "ws_echo") throw usage_error("--server " + o.server + ": --workload ws_echo only");
    if (o.server == "lws") {
        for (auto& b : o.backends) b = "lws:" + b;
        return;
    }
    if (!vm["backend"].defaulted()) throw usage_error("--backend: --server lws-libev takes --ev-backend instead");
    const std::string list = ev_given ? f.ev_backend : "epoll";
    o.ev_backends.clear();
    for_each_listed(list, [&](const std::string& name) {
        if (name == "all") {
            o.ev_backends.insert(o.ev_backends.end(), std::begin(ev_backend_names), std::end(ev_backend_names));
        } else if (std::find(std::begin(ev_backend_names), std::end(ev_backend_names), name) != std::end(ev_backend_names)) {
            o.ev_backends.push_back(name);
        } else {
            throw usage_error("--ev-backend: unknown libev backend '" + name + "' (epoll, linuxaio, iouring, all)");
        }
    });
    o.backends.clear();
    for (const auto& e : o.ev_backends) o.backends.push_back("lws-libev:" + e);
}

constexpr const char* storage_only[] = {
    "bs", "iodepth", "size", "ops", "file", "dir", "buffered", "rwmixread", "fsync", "verify", "seed", "batch",
    "aio-fds", "registered-files", "fixed-buffers"};
constexpr const char* network_only[] = {
    "connections", "msg-size", "rate", "pipeline", "client-backend", "listen", "zerocopy", "no-multishot",
    "buf-size", "buf-count", "netns", "ws-protocol"};
constexpr const char* transfer_only[] = {"method", "cache"};

}  // namespace

const std::span<const char* const> storage_only_flags{storage_only}, network_only_flags{network_only},
    transfer_only_flags{transfer_only};

std::string backend_names() {
    std::string s;
    for (const auto& e : registry()) s += (s.empty() ? "" : ", ") + std::string(e.name);
    return s;
}

// --format: parsed once, for run and suite.
export_set parse_formats(const std::string& list) {
    std::string unknown;
    const auto s = parse_export_list(list, unknown);
    if (!s) throw usage_error("--format " + list + ": unknown format '" + unknown + "' (json, csv, gbench, gab)");
    return *s;
}

void expand_backends(const std::string& list, std::vector<std::string>& out) {
    if (list == "all") {
        for (const auto& e : registry()) out.emplace_back(e.name);
        return;
    }
    std::stringstream ss(list);
    for (std::string name; std::getline(ss, name, ',');) {
        if (!find_backend(name)) throw usage_error("--backend: unknown backend '" + name + "' (known: " + backend_names() + ")");
        out.push_back(name);
    }
    if (out.empty()) throw usage_error("--backend: no backend named");
}

void refuse_flags(const po::variables_map& vm, std::span<const char* const> flags, const std::string& why) {
    for (const char* flag : flags)
        if (vm.count(flag) && !vm[flag].defaulted()) throw usage_error(std::string("--") + flag + ": " + why);
}

void check_common(const raw_flags& f, run_options& o) {
    o.runtime_ns = parse_duration_ns(f.runtime, "--runtime");
    o.ramp_ns = parse_duration_ns(f.ramp, "--ramp");
    o.interval_ns = parse_duration_ns(f.interval, "--interval");
    if (o.interval_ns != 0 && o.interval_ns < 10'000'000) throw usage_error("--interval " + f.interval + ": must be 0 (off) or at least 10ms");
    if (o.repeat == 0 || o.repeat > 1000) throw usage_error("--repeat: must be between 1 and 1000");
    if (!f.steady.empty()) {
        o.steady = parse_steady_state(f.steady);
        if (o.interval_ns == 0) throw usage_error("--steady-state: needs --interval above 0 (the band is judged per interval)");
    }
    if (o.jobs == 0 || o.jobs > 256) throw usage_error("--jobs: must be between 1 and 256");
    if (f.notify == "suspend") o.notify = aio_notify::suspend;
    else if (f.notify == "signal") o.notify = aio_notify::signal;
    else if (f.notify == "thread") o.notify = aio_notify::thread;
    else throw usage_error("--aio-notify: unknown mode '" + f.notify + "' (suspend, signal, thread)");
    backend_options& b = o.backend_opts;
    b.batch = o.batch;
    b.registered_files = o.registered_files;
    b.fixed_buffers = o.fixed_buffers;
    b.sqpoll_idle_ms = o.sqpoll_idle_ms;
    b.sqpoll_cpu = o.sqpoll_cpu;
    b.notify = o.notify;
}

void check_storage(const raw_flags& f, const po::variables_map& vm, run_options& o) {
    const uint64_t bs_bytes = parse_size(f.bs, "--bs");
    if (bs_bytes == 0 || bs_bytes > (64u << 20)) throw usage_error("--bs: must be between 1 byte and 64 MiB");
    o.bs = static_cast<uint32_t>(bs_bytes);
    if (!o.buffered && o.bs % 512 != 0)
        throw usage_error("--bs " + f.bs + ": must be a multiple of 512 with O_DIRECT (or add --buffered)");
    if (o.verify && o.bs % 8 != 0) throw usage_error("--bs " + f.bs + ": --verify needs a multiple of 8");
    o.size = parse_size(f.size, "--size");
    if (o.size < o.bs) throw usage_error("--size " + f.size + ": smaller than --bs " + f.bs);
    o.size -= o.size % o.bs;
    if (o.runtime_ns == 0 && o.ops == 0) throw usage_error("--runtime: must be more than 0 (or give --ops)");
    if (vm.count("ops") && o.ops == 0) throw usage_error("--ops: must be more than 0");
    if (o.iodepth == 0 || o.iodepth > 4096) throw usage_error("--iodepth: must be between 1 and 4096");
    if (o.rwmixread > 100) throw usage_error("--rwmixread: must be between 0 and 100");
    if (o.batch == 0 || o.batch > o.iodepth) throw usage_error("--batch: must be between 1 and --iodepth");
    if (!vm["file"].empty() && !vm["dir"].defaulted()) throw usage_error("--file and --dir: give one, not both");
    if (f.aio_fds == "per-slot") o.aio_fds = aio_fd_mode::per_slot;
    else if (f.aio_fds == "one") o.aio_fds = aio_fd_mode::one;
    else throw usage_error("--aio-fds: unknown setup '" + f.aio_fds + "' (per-slot, one)");
    o.backend_opts.aio_fds = o.aio_fds;
}

void check_transfer(const raw_flags& f, const po::variables_map& vm, run_options& o) {
    o.transfer = true;
    const uint64_t bs = vm["bs"].defaulted() ? 64 * 1024 : parse_size(f.bs, "--bs");
    if (bs == 0 || bs > (16u << 20)) throw usage_error("--bs: must be between 1 byte and 16 MiB for transfer");
    o.bs = static_cast<uint32_t>(bs);
    if (o.direct && o.bs % 4096 != 0) throw usage_error("--bs " + f.bs + ": --direct needs a multiple of 4096");
    o.size = parse_size(f.size, "--size");
    if (o.size == 0) throw usage_error("--size: must be more than 0");
    if (!vm["file"].empty() && !vm["dir"].defaulted()) throw usage_error("--file and --dir: give one, not both");
    if (f.cache == "warm") o.cold = false;
    else if (f.cache == "cold") o.cold = true;
    else throw usage_error("--cache: unknown state '" + f.cache + "' (warm, cold)");
    o.buffered = false;  // storage's flag; transfer reads buffered unless --direct (o.direct)
    o.methods.clear();
    for_each_listed(f.method, [&](const std::string& name) {
        if (name == "all") {
            for (size_t i = 0; i < transfer_method_count(); ++i) o.methods.emplace_back(transfer_method_at(i).name);
        } else if (find_transfer_method(name)) {
            o.methods.push_back(name);
        } else {
            throw usage_error("--method: unknown method '" + name + "' (" + transfer_method_names() + ", all)");
        }
    });
}


void check_network(const raw_flags& f, const po::variables_map& vm, run_options& o) {
    const net_workload* w = o.net = find_net_workload(o.workload);
    const uint64_t msg = vm.count("msg-size") ? parse_size(f.msg_size, "--msg-size") : w->default_msg_size;
    if (msg == 0 || msg > (16u << 20)) throw usage_error("--msg-size: must be between 1 byte and 16 MiB");
    o.msg_size = static_cast<uint32_t>(msg);
    const uint64_t buf = parse_size(f.buf_size, "--buf-size");
    if (buf < 64 || buf > (16u << 20)) throw usage_error("--buf-size: must be between 64 bytes and 16 MiB");
    o.buf_size = static_cast<uint32_t>(buf);
    if (o.connections == 0 || o.connections > 65536) throw usage_error("--connections: must be between 1 and 65536");
    // Boost's lexical_cast takes "nan" and "inf": neither is a rate.
    if (!std::isfinite(o.rate)) throw usage_error("--rate: must be a finite number");
    if (o.rate < 0) throw usage_error("--rate: must not be negative");
    if (o.pipeline == 0 || o.pipeline > 1024) throw usage_error("--pipeline: must be between 1 and 1024");
    if (vm.count("ws-protocol")) {
        if (o.workload != "ws_echo") throw usage_error("--ws-protocol: --workload ws_echo only");
        // RFC 6455 §4.1: a token (RFC 2616 §2.2): visible ASCII, none of the separators.
        const bool token = !o.ws_protocol.empty() && o.ws_protocol.size() <= 64 &&
                           std::all_of(o.ws_protocol.begin(), o.ws_protocol.end(), [](char ch) {
                               return ch > 32 && ch < 127 && !std::strchr("()<>@,;:\\\"/[]?={}", ch);
                           });
        if (!token) throw usage_error("--ws-protocol '" + o.ws_protocol + "': not an HTTP token of 1-64 characters");
    }
    if (o.buf_count == 0 || (o.buf_count & (o.buf_count - 1)) || o.buf_count > 32768)
        throw usage_error("--buf-count: must be a power of two up to 32768");
    // Checked here too (the runners parse them again), so a bad address is
    // found before the preflight or any other work.
    parse_net_address(o.listen, "--listen");
    if (!o.target.empty()) parse_net_address(o.target, "--target");
    if (vm.count("no-multishot")) o.multishot = false;
    if (!f.client_backend.empty() && !find_backend(f.client_backend))
        throw usage_error("--client-backend: unknown backend '" + f.client_backend + "' (known: " + backend_names() + ")");
    o.client_backend = f.client_backend;
    check_server(f, vm, o);
}

uint64_t parse_size(const std::string& text, const std::string& flag) {
    size_t pos = 0;
    unsigned long long n = 0;
    try {
        n = std::stoull(text, &pos);
    } catch (const std::exception&) {
        throw usage_error(flag + " " + text + ": not a size (e.g. 4k, 64k, 1m, 1G)");
    }
    // stoull skips leading blanks and wraps a minus sign ("  -5" is 2^64-5): refuse both.
    if (text.find('-') < pos || std::isspace(static_cast<unsigned char>(text[0])))
        throw usage_error(flag + " " + text + ": must not be negative or begin with a blank");
    std::string unit = text.substr(pos);
    for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (unit.ends_with("ib")) unit.erase(unit.size() - 2);
    else if (unit.size() > 1 && unit.ends_with("b")) unit.erase(unit.size() - 1);
    unsigned shift = 0;
    if (unit.empty() || unit == "b") shift = 0;
    else if (unit == "k") shift = 10;
    else if (unit == "m") shift = 20;
    else if (unit == "g") shift = 30;
    else if (unit == "t") shift = 40;
    else throw usage_error(flag + " " + text + ": unknown unit '" + text.substr(pos) + "' (k, m, g, t)");
    if (shift && n > (~0ull >> shift)) throw usage_error(flag + " " + text + ": too large");
    return n << shift;
}

uint64_t parse_duration_ns(const std::string& text, const std::string& flag) {
    size_t pos = 0;
    double v = 0;
    try {
        v = std::stod(text, &pos);
    } catch (const std::exception&) {
        throw usage_error(flag + " " + text + ": not a duration (e.g. 500ms, 10s, 2m)");
    }
    if (v < 0) throw usage_error(flag + " " + text + ": must not be negative");
    // stod takes "nan", "inf" and 1e300: casting those to uint64_t is undefined.
    if (!std::isfinite(v)) throw usage_error(flag + " " + text + ": not a finite duration");
    const std::string unit = text.substr(pos);
    double scale = 0;
    if (unit.empty() || unit == "s") scale = 1e9;
    else if (unit == "ms") scale = 1e6;
    else if (unit == "us") scale = 1e3;
    else if (unit == "m" || unit == "min") scale = 60e9;
    else if (unit == "h") scale = 3600e9;
    else throw usage_error(flag + " " + text + ": unknown unit '" + unit + "' (us, ms, s, m, h)");
    const double ns = v * scale;
    if (ns >= 18446744073709551616.0) throw usage_error(flag + " " + text + ": too large");
    return static_cast<uint64_t>(ns);
}

}  // namespace iobench
