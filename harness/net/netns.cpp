// Namespace pair set-up with `ip` (one place that runs it) and per-thread setns.
#include "harness/net/netns.hpp"

#include "backends/probe_util.hpp"

#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <sched.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

namespace iobench {

namespace {

// Runs `ip ARGS`; returns what it printed when it fails, empty on success.
std::string ip(const std::string& args) {
    const std::string cmd = "ip " + args + " 2>&1";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return "cannot run ip: " + errno_text(errno);
    std::string out;
    char buf[256];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    const int status = ::pclose(p);
    if (status == 0) return {};
    if (out.empty()) out = "exit status " + std::to_string(WEXITSTATUS(status));
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return "ip " + args + ": " + out;
}

}  // namespace

netns_pair::netns_pair() {
    const std::string id = std::to_string(::getpid());
    server_ = "iobench-srv-" + id;
    client_ = "iobench-cli-" + id;
    // A /30 of our own between the two namespaces; nothing outside them can
    // reach it, and nothing is routed anywhere else.
    const std::string net = "10.254." + std::to_string(::getpid() % 250) + ".";
    server_ip_ = net + "1";
    const std::string veth_s = "iobs" + id, veth_c = "iobc" + id;
    const std::string steps[] = {
        "netns add " + server_,
        "netns add " + client_,
        "link add " + veth_s + " type veth peer name " + veth_c,
        "link set " + veth_s + " netns " + server_,
        "link set " + veth_c + " netns " + client_,
        "-n " + server_ + " addr add " + server_ip_ + "/30 dev " + veth_s,
        "-n " + client_ + " addr add " + net + "2/30 dev " + veth_c,
        "-n " + server_ + " link set " + veth_s + " up",
        "-n " + client_ + " link set " + veth_c + " up",
        "-n " + server_ + " link set lo up",
        "-n " + client_ + " link set lo up",
    };
    for (const auto& s : steps) {
        if (std::string err = ip(s); !err.empty()) {
            remove();
            throw std::runtime_error("--netns: " + err);
        }
    }
}

netns_pair::~netns_pair() { remove(); }

void netns_pair::remove() {
    // Deleting a namespace takes its end of the veth pair, and so the pair, with it.
    ip("netns del " + server_);
    ip("netns del " + client_);
}

netns_guard::netns_guard(const std::string& ns_name) : home_(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) {
    if (!home_) throw std::runtime_error("--netns: open /proc/thread-self/ns/net: " + errno_text(errno));
    const std::string path = "/run/netns/" + ns_name;
    unique_fd target(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!target) throw std::runtime_error("--netns: open " + path + ": " + errno_text(errno));
    if (::setns(target.get(), CLONE_NEWNET) != 0) throw std::runtime_error("--netns: setns " + ns_name + ": " + errno_text(errno));
}

netns_guard::~netns_guard() { ::setns(home_.get(), CLONE_NEWNET); }

}  // namespace iobench
