// The fuzz driver's mutator: one corpus entry, changed by one to four of byte
// flips, inserts, deletes, splices with another entry, dictionary words,
// interesting numbers (limits, negatives, long digit strings, NaN) and
// floods (a byte or word repeated up to 100000 times: deep JSON nesting, huge
// headers). Seeded: a seed and a corpus give the same inputs every time.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace iobench::fuzz {

class mutator {
public:
    static constexpr size_t max_len = 2u << 20;  // a flood may reach 1 MiB and more

    mutator(uint64_t seed, const std::vector<std::string>& corpus, std::span<const std::string_view> dict)
        : rng_(seed), corpus_(corpus), dict_(dict) {}

    // A new input in `out` (its capacity reused).
    void next(std::string& out) {
        out = corpus_[pick(corpus_.size())];
        const unsigned steps = 1 + static_cast<unsigned>(pick(4));
        for (unsigned i = 0; i < steps; ++i) step(out);
        if (out.size() > max_len) out.resize(max_len);
    }

private:
    size_t pick(size_t n) { return n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(rng_); }
    size_t at(const std::string& s) { return pick(s.size() + 1); }

    std::string_view number() {
        static constexpr std::string_view numbers[] = {
            "0", "-0", "1", "-1", "255", "256", "65535", "65536", "-2147483648", "2147483647", "4294967295",
            "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "18446744073709551615", "18446744073709551616", "1e308", "1e309", "-1e308", "1e-320", "nan", "NaN",
            "inf", "-inf", "0x10", "1.5", ".5", "5.", " -5", "+5", "00000000000000000000000000000000000001",
            "123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890"};
        return numbers[pick(std::size(numbers))];
    }

    // A run of digits (or a whole number) in s, replaced by an interesting number.
    void replace_number(std::string& s) {
        const size_t from = at(s);
        size_t b = from;
        while (b < s.size() && !(s[b] >= '0' && s[b] <= '9')) ++b;
        if (b == s.size()) {
            s.insert(from, number());
            return;
        }
        size_t e = b;
        while (e < s.size() && ((s[e] >= '0' && s[e] <= '9') || s[e] == '.' || s[e] == 'e' || s[e] == '-')) ++e;
        s.replace(b, e - b, number());
    }

    void flood(std::string& s) {
        static constexpr size_t counts[] = {16, 300, 5000, 100000};
        const size_t n = counts[pick(std::size(counts))];
        std::string unit;
        switch (pick(4)) {
        case 0: unit = "["; break;
        case 1: unit = "{\"a\":"; break;
        case 2: unit = dict_.empty() ? std::string(1, 'A') : std::string(dict_[pick(dict_.size())]); break;
        default: unit = s.empty() ? std::string(1, 'x') : std::string(1, s[pick(s.size())]); break;
        }
        std::string run;
        run.reserve(std::min(max_len, unit.size() * n));
        for (size_t i = 0; i < n && run.size() < max_len; ++i) run += unit;
        s.insert(at(s), run);
    }

    void step(std::string& s) {
        switch (pick(11)) {
        case 0:  // flip a bit
            if (!s.empty()) s[pick(s.size())] ^= static_cast<char>(1u << pick(8));
            break;
        case 1:  // a random byte
            if (!s.empty()) s[pick(s.size())] = static_cast<char>(pick(256));
            break;
        case 2:  // insert random bytes
            for (size_t n = 1 + pick(8), p = at(s); n > 0; --n) s.insert(s.begin() + static_cast<long>(p), static_cast<char>(pick(256)));
            break;
        case 3:  // delete a range (a field, a line, a header gone)
            if (!s.empty()) {
                const size_t p = pick(s.size());
                s.erase(p, 1 + pick(std::min<size_t>(s.size() - p, 64)));
            }
            break;
        case 4:  // duplicate a range in place (duplicate keys, repeated headers)
            if (!s.empty()) {
                const size_t p = pick(s.size()), n = 1 + pick(std::min<size_t>(s.size() - p, 256));
                s.insert(p, s.substr(p, n));
            }
            break;
        case 5: {  // splice: the head of this entry, the tail of another
            const std::string& o = corpus_[pick(corpus_.size())];
            s = s.substr(0, at(s)) + o.substr(pick(o.size() + 1));
            break;
        }
        case 6:
        case 7:
            replace_number(s);
            break;
        case 8:
        case 9:  // a dictionary word inserted, or one overwriting the bytes at its place
            if (!dict_.empty()) {
                const std::string_view w = dict_[pick(dict_.size())];
                const size_t p = at(s);
                if (pick(2)) s.insert(p, w);
                else s.replace(p, std::min(w.size(), s.size() - p), w);
            }
            break;
        default:
            if (pick(4) == 0) flood(s);  // rarer: floods are slow to run
            else if (!s.empty()) s.resize(pick(s.size()));  // truncated
            break;
        }
    }

    std::mt19937_64 rng_;
    const std::vector<std::string>& corpus_;
    std::span<const std::string_view> dict_;
};

}  // namespace iobench::fuzz
