// A main for the fuzz targets in the normal GCC build (no libFuzzer): replays
// every file given (the corpus, or committed reproducers), then mutates the
// corpus with a seeded PRNG for a time budget. An input that crashes, aborts
// (a failed property, an uncaught exception, a sanitizer report) or runs past
// the hang limit is written to the crash directory, to be committed under
// tests/fuzz/crashes/TARGET/ as a reproducer.
//
//   fuzz_TARGET [--seconds=S] [--seed=N] [--crash-dir=DIR] [--hang-ms=MS] PATH...
//
// PATH: files or directories (every regular file in them). --seconds=0 only replays.
#include "tests/fuzz/fuzz_mutator.hpp"
#include "tests/fuzz/fuzz_target.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

extern "C" void __sanitizer_set_death_callback(void (*)(void)) __attribute__((weak));

namespace {

using namespace iobench::fuzz;
using clock_type = std::chrono::steady_clock;

// The input being run, for the signal handler and the watchdog.
const std::string* g_current = nullptr;
char g_crash_path[4096] = "crash-input";
std::atomic<uint64_t> g_runs{0};
std::atomic<bool> g_in_run{false};

// Async-signal-safe: open, write, close only.
void save_current() {
    static std::atomic<bool> saved{false};
    if (!g_current || saved.exchange(true)) return;
    const int fd = ::open(g_crash_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return;
    const char* p = g_current->data();
    size_t left = g_current->size();
    while (left > 0) {
        const ssize_t w = ::write(fd, p, left);
        if (w <= 0) break;
        p += w;
        left -= static_cast<size_t>(w);
    }
    ::close(fd);
    static const char msg[] = "fuzz_driver: the failing input is in ";
    (void)!::write(2, msg, sizeof msg - 1);
    (void)!::write(2, g_crash_path, std::strlen(g_crash_path));
    (void)!::write(2, "\n", 1);
}

void on_fatal_signal(int sig) {
    save_current();
    std::signal(sig, SIG_DFL);
    std::raise(sig);
}

void install_handlers() {
    for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) std::signal(sig, on_fatal_signal);
    if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(save_current);
}

// A run that has not ended after hang_ms is a hang: keep the input and abort.
void start_watchdog(unsigned hang_ms) {
    std::thread([hang_ms] {
        uint64_t last = ~0ull;
        auto since = clock_type::now();
        for (;;) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            const uint64_t runs = g_runs.load();
            if (runs != last || !g_in_run.load()) {
                last = runs;
                since = clock_type::now();
            } else if (clock_type::now() - since > std::chrono::milliseconds(hang_ms)) {
                std::cerr << "fuzz_driver: an input ran for more than " << hang_ms << " ms (a hang)\n";
                save_current();
                std::_Exit(3);
            }
        }
    }).detach();
}

struct stats {
    uint64_t runs = 0;
    double slowest_ms = 0;
};

void run_one(const std::string& input, stats& s) {
    g_current = &input;
    g_in_run = true;
    const auto t0 = clock_type::now();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
    const double ms = std::chrono::duration<double, std::milli>(clock_type::now() - t0).count();
    g_in_run = false;
    ++g_runs;
    ++s.runs;
    if (ms > s.slowest_ms) s.slowest_ms = ms;
}

std::vector<std::string> read_inputs(const std::vector<std::string>& paths) {
    std::vector<std::filesystem::path> files;
    for (const auto& p : paths) {
        if (std::filesystem::is_directory(p)) {
            for (const auto& e : std::filesystem::directory_iterator(p))
                if (e.is_regular_file() && e.path().filename() != "README.md") files.push_back(e.path());
        } else if (std::filesystem::exists(p)) {
            files.emplace_back(p);
        } else {
            std::cerr << "fuzz_driver: " << p << ": no such file or directory\n";
            std::exit(2);
        }
    }
    std::sort(files.begin(), files.end());  // the same order every time, for a seeded run
    std::vector<std::string> out;
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        out.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return out;
}

bool flag(const std::string& arg, const char* name, std::string& value) {
    const std::string prefix = std::string("--") + name + "=";
    if (!arg.starts_with(prefix)) return false;
    value = arg.substr(prefix.size());
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    double seconds = 0;
    uint64_t seed = 1;
    unsigned hang_ms = 1000;
    std::string crash_dir = ".", v;
    std::vector<std::string> paths;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (flag(a, "seconds", v)) seconds = std::stod(v);
        else if (flag(a, "seed", v)) seed = std::stoull(v);
        else if (flag(a, "crash-dir", v)) crash_dir = v;
        else if (flag(a, "hang-ms", v)) hang_ms = static_cast<unsigned>(std::stoul(v));
        else if (a.starts_with("--")) {
            std::cerr << "usage: " << argv[0] << " [--seconds=S] [--seed=N] [--crash-dir=DIR] [--hang-ms=MS] PATH...\n";
            return 2;
        } else paths.push_back(a);
    }
    const std::string name = std::filesystem::path(argv[0]).filename().string();
    std::snprintf(g_crash_path, sizeof g_crash_path, "%s/crash-%s-seed%llu", crash_dir.c_str(), name.c_str(),
                  static_cast<unsigned long long>(seed));
    std::filesystem::create_directories(crash_dir);
    install_handlers();
    start_watchdog(hang_ms);

    std::vector<std::string> corpus = read_inputs(paths);
    stats replay, fuzzed;
    for (const auto& in : corpus) run_one(in, replay);
    std::cout << name << ": replayed " << replay.runs << " inputs, slowest " << replay.slowest_ms << " ms\n";
    if (seconds <= 0) return 0;
    if (corpus.empty()) corpus.emplace_back();

    mutator m(seed, corpus, dictionary());
    const auto t0 = clock_type::now();
    const auto end = t0 + std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds));
    std::string input;
    while (clock_type::now() < end) {
        for (int i = 0; i < 64; ++i) {  // the clock read once per 64 runs
            m.next(input);
            run_one(input, fuzzed);
        }
    }
    const double took = std::chrono::duration<double>(clock_type::now() - t0).count();
    std::cout << name << ": " << fuzzed.runs << " mutated inputs in " << took << " s (" << fuzzed.runs / took
              << "/s, seed " << seed << "), slowest " << fuzzed.slowest_ms << " ms, no crash\n";
    return 0;
}
