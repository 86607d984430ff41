#include "switchboard/ws/utf8_validator.hpp"

#include <gtest/gtest.h>

#include <string>

#include "ws_test_util.hpp"

namespace switchboard::ws {
namespace {

using test::bytes;

struct Utf8Case {
  const char* name;
  std::string input;
  int fails_at;  // index of the byte that makes it invalid; -1: valid; -2: only finish() fails
};

const Utf8Case kCases[] = {
    {"empty", "", -1},
    {"ascii", "Hello, world! 0123456789 long enough for the word path", -1},
    {"two byte", "\xc2\xa2\xdf\xbf", -1},
    {"three byte", "\xe2\x82\xac\xe0\xa0\x80", -1},
    {"four byte", "\xf0\x9f\x98\x80", -1},
    {"U+FFFF", "\xef\xbf\xbf", -1},
    {"U+10FFFF", "\xf4\x8f\xbf\xbf", -1},
    {"U+D7FF before surrogates", "\xed\x9f\xbf", -1},
    {"U+E000 after surrogates", "\xee\x80\x80", -1},
    {"mixed after ascii run", "abcdefghij\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5", -1},
    {"overlong C0 80", "\xc0\x80", 0},
    {"overlong C1 BF", "\xc1\xbf", 0},
    {"overlong E0 80 80", "\xe0\x80\x80", 1},
    {"overlong E0 9F BF", "\xe0\x9f\xbf", 1},
    {"overlong F0 80 80 80", "\xf0\x80\x80\x80", 1},
    {"overlong F0 8F BF BF", "\xf0\x8f\xbf\xbf", 1},
    {"surrogate ED A0 80", "\xed\xa0\x80", 1},
    {"surrogate ED BF BF", "\xed\xbf\xbf", 1},
    {"above U+10FFFF F4 90 80 80", "\xf4\x90\x80\x80", 1},
    {"F5 lead byte", "\xf5\x80\x80\x80", 0},
    {"lone continuation", "a\x80", 1},
    {"continuation after complete char", "\xc2\xa2\xa2", 2},
    {"five byte form F8", "\xf8\x88\x80\x80\x80", 0},
    {"six byte form FC", "\xfc\x84\x80\x80\x80\x80", 0},
    {"FE", "\xfe", 0},
    {"FF", "\xff", 0},
    {"missing continuation",
     "\xe2\x82"
     "a",
     2},
    {"bad byte after long ascii run", "0123456789abcdef\xff", 16},
    {"truncated two byte", "\xc2", -2},
    {"truncated three byte", "\xe2\x82", -2},
    {"truncated four byte", "\xf0\x9f\x98", -2},
};

TEST(Utf8Validator, AcceptsValidAndFailsOnTheFirstBadByte) {
  for (const Utf8Case& c : kCases) {
    SCOPED_TRACE(c.name);
    Utf8Validator v;
    int failed_at = -1;
    for (size_t i = 0; i < c.input.size(); ++i) {
      if (!v.feed(std::string_view(c.input).substr(i, 1))) {
        failed_at = static_cast<int>(i);
        break;
      }
    }
    if (c.fails_at >= 0) {
      EXPECT_EQ(failed_at, c.fails_at);
      EXPECT_TRUE(v.failed());
    } else {
      EXPECT_EQ(failed_at, -1);
      EXPECT_EQ(v.finish(), c.fails_at == -1);
    }
    EXPECT_EQ(is_valid_utf8(c.input), c.fails_at == -1);
  }
}

TEST(Utf8Validator, GivesTheSameAnswerForEveryChunking) {
  for (const Utf8Case& c : kCases) {
    SCOPED_TRACE(c.name);
    for (size_t chunk = 1; chunk <= c.input.size() + 1; ++chunk) {
      Utf8Validator v;
      bool ok = true;
      for (size_t i = 0; i < c.input.size() && ok; i += chunk) {
        ok = v.feed(std::string_view(c.input).substr(i, chunk));
      }
      EXPECT_EQ(ok && v.finish(), c.fails_at == -1) << "chunk " << chunk;
    }
  }
}

TEST(Utf8Validator, StaysFailedUntilReset) {
  Utf8Validator v;
  EXPECT_FALSE(v.feed(bytes({0xff})));
  EXPECT_FALSE(v.feed("abc"));
  v.reset();
  EXPECT_TRUE(v.feed("abc"));
  EXPECT_TRUE(v.finish());
}

TEST(Utf8Validator, MatchesAReferenceDecoderOnEveryCodePoint) {
  // Every scalar value encodes to valid UTF-8; every surrogate encoding is rejected.
  for (uint32_t cp = 0; cp <= 0x10FFFF; cp += (cp < 0x20000 ? 1 : 97)) {
    std::string s;
    if (cp < 0x80) {
      s += static_cast<char>(cp);
    } else if (cp < 0x800) {
      s += static_cast<char>(0xC0 | (cp >> 6));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      s += static_cast<char>(0xE0 | (cp >> 12));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      s += static_cast<char>(0xF0 | (cp >> 18));
      s += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      s += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      s += static_cast<char>(0x80 | (cp & 0x3F));
    }
    const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
    ASSERT_EQ(is_valid_utf8(s), !surrogate) << std::hex << cp;
  }
}

// The ASCII fast path reads 16 and 8 bytes at a time and the last few as the word ending the
// chunk: a sequence placed at every offset of ASCII runs of every length up to three words,
// fed whole and cut at every byte, is judged by the bytes alone.
TEST(Utf8Validator, JudgesASequenceTheSameAtEveryOffsetOfAnAsciiRun) {
  struct Inserted {
    std::string bytes;
    bool valid;
  };
  const Inserted inserted[] = {
      {"\xc3\xa9", true},
      {"\xe2\x82\xac", true},
      {"\xf0\x9f\x98\x80", true},
      {"\x80", false},
      {"\xff", false},
      {"\xc0\x80", false},
      {"\xed\xa0\x80", false},
      {"\xc3", false},
      {"\xc3\xa9\xa9", false},
      {"\xe2\x82"
       "a",
       false},
  };
  for (const auto& ins : inserted) {
    for (size_t length = 0; length <= 24; ++length) {
      for (size_t at = 0; at <= length; ++at) {
        std::string text(length, 'a');
        for (size_t i = 0; i < length; ++i) text[i] = static_cast<char>('a' + i % 26);
        text.insert(at, ins.bytes);
        SCOPED_TRACE(testing::Message() << testing::PrintToString(text));
        EXPECT_EQ(is_valid_utf8(text), ins.valid);
        for (size_t cut = 0; cut <= text.size(); ++cut) {
          Utf8Validator v;
          const bool ok = v.feed(std::string_view(text).substr(0, cut)) &&
                          v.feed(std::string_view(text).substr(cut)) && v.finish();
          ASSERT_EQ(ok, ins.valid) << "cut at " << cut;
        }
      }
    }
  }
}

// A chunk that starts with the end of a character and then holds fewer than eight bytes of
// ASCII: the word read back from its end must not take that end for a new character.
TEST(Utf8Validator, ReadsTheLastWordOfAChunkWithoutRereadingACharacter) {
  for (const std::string lead : {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"}) {
    for (size_t ascii = 1; ascii < 8; ++ascii) {
      const std::string text = "abcdefgh" + lead + std::string(ascii, 'x');
      EXPECT_TRUE(is_valid_utf8(text)) << testing::PrintToString(text);
      EXPECT_FALSE(is_valid_utf8(text + "\x80")) << testing::PrintToString(text);
    }
  }
}

// Where the first bad byte after an ASCII run is, the validator stops: what follows it
// (valid or not) changes nothing, and feed() says so at once, not at finish().
TEST(Utf8Validator, FailsOnTheFirstBadByteRightAfterAnAsciiRun) {
  for (size_t run = 0; run <= 40; ++run) {
    for (const std::string bad : {"\x80", "\xbf", "\xc1\x80", "\xf5\x80\x80\x80"}) {
      Utf8Validator v;
      EXPECT_TRUE(v.feed(std::string(run, 'q')));
      EXPECT_FALSE(v.feed(bad + "more ascii after it")) << run;
      EXPECT_TRUE(v.failed());
    }
  }
}

}  // namespace
}  // namespace switchboard::ws
