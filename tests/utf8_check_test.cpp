// utf8_check, the streaming validator behind ws_echo's close 1007: well-formed
// text at every boundary of Unicode's Table 3-7, each ill-formed class, and
// any split of a message into pieces.
#include "workloads/utf8_check.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace iobench {
namespace {

bool whole(const std::string& s) {
    utf8_check u;
    u.reset();
    return u.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size()) && u.complete();
}

// Every split into two pieces gives the same answer as the whole.
bool every_split(const std::string& s) {
    const bool want = whole(s);
    for (size_t cut = 0; cut <= s.size(); ++cut) {
        utf8_check u;
        u.reset();
        const auto* p = reinterpret_cast<const uint8_t*>(s.data());
        u.feed(p, cut);
        u.feed(p + cut, s.size() - cut);
        if (u.complete() != want) return !want;
    }
    return want;
}

TEST(utf8_check, well_formed_text_at_every_boundary) {
    for (const std::string& s : std::vector<std::string>{
             "", "plain ascii", "\x7f", "\xc2\x80", "\xdf\xbf",      // U+0080, U+07FF
             "\xe0\xa0\x80", "\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",  // U+0800, U+D7FF, U+E000, U+FFFF
             "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",                // U+10000, U+10FFFF
             "Gr\xc3\xbc\xc3\x9f Gott, \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x98\x80!"}) {
        EXPECT_TRUE(whole(s)) << s;
        EXPECT_TRUE(every_split(s)) << s;
    }
    // The 8-byte ASCII skip: long runs with sequences at every alignment.
    for (size_t lead = 0; lead < 17; ++lead) EXPECT_TRUE(whole(std::string(lead, 'a') + "\xe2\x82\xac" + std::string(20, 'b')));
}

TEST(utf8_check, each_ill_formed_class_is_refused) {
    for (const std::string& s : std::vector<std::string>{
             "\x80", "a\xbf", "\xc0\x80", "\xc1\xbf",          // stray continuation; overlong ASCII (C0, C1)
             "\xe0\x80\x80", "\xe0\x9f\xbf",                  // overlong 3-byte (below U+0800)
             "\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf",          // overlong 4-byte (below U+10000)
             "\xed\xa0\x80", "\xed\xbf\xbf",                  // surrogates U+D800, U+DFFF
             "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff",  // above U+10FFFF; F5-FF never appear
             "\xe2\x82", "ok\xf0\x9f\x98",                    // truncated at the message's end
             "\xe2\x41\x82", "\xc3\xc3\xbc"}) {               // a sequence interrupted
        EXPECT_FALSE(whole(s)) << testing::PrintToString(s);
        EXPECT_FALSE(every_split(s)) << testing::PrintToString(s);
    }
    for (size_t lead = 0; lead < 17; ++lead) EXPECT_FALSE(whole(std::string(lead, 'a') + "\xed\xa0\x80" + "bbbbbbbbb"));
}

TEST(utf8_check, a_failure_sticks_and_reset_starts_over) {
    utf8_check u;
    u.reset();
    const uint8_t bad[] = {0xff}, good[] = {'o', 'k'};
    EXPECT_FALSE(u.feed(bad, 1));
    EXPECT_FALSE(u.feed(good, 2));
    EXPECT_TRUE(u.failed());
    u.reset();
    EXPECT_TRUE(u.feed(good, 2));
    EXPECT_TRUE(u.complete());
}

}  // namespace
}  // namespace iobench
