#include "switchboard/store/validation.hpp"

#include <gtest/gtest.h>

#include "switchboard/store/error.hpp"

namespace switchboard::store {
namespace {

using namespace std::string_literals;

std::string repeat(std::string_view s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

struct RoomNameCase {
  std::string name;
  bool valid;
};

const RoomNameCase room_name_cases[] = {
    {"lobby", true},          {"a", true},   {"room_1-2", true},  {repeat("x", 32), true},
    {repeat("x", 33), false}, {"", false},   {"Lobby", false},    {"room 1", false},
    {"r\xC3\xB6om", false},  // ö
    {"room/1", false},        {"..", false}, {"room\0x"s, false},
};

TEST(ValidRoomName, AcceptsOnlyLowercaseDigitsUnderscoreAndDash) {
  for (const auto& c : room_name_cases) {
    EXPECT_EQ(valid_room_name(c.name), c.valid) << '"' << c.name << '"';
  }
}

struct TextCase {
  const char* what;
  std::string text;
  std::error_code expected;
};

const std::error_code ok{};

const TextCase text_cases[] = {
    {"plain ASCII", "hello", ok},
    {"a single code point", "a", ok},
    {"empty", "", Errc::EmptyText},
    {"only spaces", "   ", Errc::EmptyText},
    {"only tabs and line breaks", "\t\n\r \v\f", Errc::EmptyText},
    {"only NBSP, ideographic space, NEL", "\u00A0\u3000\xC2\x85", Errc::EmptyText},
    {"a word between spaces", "  hi  ", ok},
    {"zero width space is not White_Space", "\u200B", ok},
    {"NUL is a code point like another", "a\0b"s, ok},
    {"two-byte", "\xC3\xA9", ok},
    {"three-byte", "\xE2\x82\xAC", ok},
    {"four-byte", "\xF0\x9F\x98\x80", ok},
    {"U+10FFFF, the last code point", "\xF4\x8F\xBF\xBF", ok},
    {"U+FFFF, a noncharacter, is valid", "\xEF\xBF\xBF", ok},
    {"past U+10FFFF", "\xF4\x90\x80\x80", Errc::InvalidUtf8},
    {"lead byte F5", "\xF5\x80\x80\x80", Errc::InvalidUtf8},
    {"byte FF", "\xFF", Errc::InvalidUtf8},
    {"overlong two-byte slash", "\xC0\xAF", Errc::InvalidUtf8},
    {"overlong C1", "\xC1\xBF", Errc::InvalidUtf8},
    {"overlong three-byte", "\xE0\x80\xAF", Errc::InvalidUtf8},
    {"overlong four-byte", "\xF0\x80\x80\xAF", Errc::InvalidUtf8},
    {"high surrogate", "\xED\xA0\x80", Errc::InvalidUtf8},
    {"low surrogate", "\xED\xBF\xBF", Errc::InvalidUtf8},
    {"lone continuation byte", "\x80", Errc::InvalidUtf8},
    {"truncated three-byte", "\xE2\x82", Errc::InvalidUtf8},
    {"truncated four-byte at the end", "ab\xF0\x9F\x98", Errc::InvalidUtf8},
    {"ASCII where a continuation belongs", "\xE2\x28\xA1", Errc::InvalidUtf8},
    {"4000 ASCII characters", repeat("x", 4000), ok},
    {"4001 ASCII characters", repeat("x", 4001), Errc::TextTooLong},
    {"4000 three-byte code points (12000 bytes)", repeat("\xE2\x82\xAC", 4000), ok},
    {"4001 four-byte code points", repeat("\xF0\x9F\x98\x80", 4001), Errc::TextTooLong},
    {"5000 spaces are empty, not too long", repeat(" ", 5000), Errc::EmptyText},
    {"invalid UTF-8 wins over length", repeat("x", 5000) + "\xFF", Errc::InvalidUtf8},
};

TEST(ValidateText, CountsCodePointsAndRejectsIllFormedUtf8) {
  for (const auto& c : text_cases) {
    EXPECT_EQ(validate_text(c.text), c.expected) << c.what;
  }
}

struct NameCase {
  const char* what;
  std::string input;
  std::optional<std::string> expected;
};

const NameCase name_cases[] = {
    {"a plain name", "Ada", "Ada"},
    {"zero-width space (Cf) refused", "Ad\u200Ba", std::nullopt},
    {"right-to-left override (Cf) refused", "\u202Eada", std::nullopt},
    {"zero-width joiner (Cf) refused", "A\u200Dda", std::nullopt},
    {"byte order mark (Cf) refused", "\uFEFFAda", std::nullopt},
    {"decomposed e-acute composed (NFC)", "Jose\u0301", "Jos\u00E9"},
    {"composed e-acute kept", "Jos\u00E9", "Jos\u00E9"},
    {"64 code points decomposed, 32 once composed", repeat("e\u0301", 32), repeat("\u00E9", 32)},
    {"spaces trimmed", "  Ada  ", "Ada"},
    {"tab and newline trimmed", "\tAda\r\n", "Ada"},
    {"Unicode spaces trimmed", "\u00A0Ada\u3000", "Ada"},
    {"NEL at the edge is White_Space, trimmed",
     "\xC2\x85"
     "Ada",
     "Ada"},
    {"inner space kept", "Ada Lovelace", "Ada Lovelace"},
    {"non-ASCII letters and emoji", "Zo\xC3\xAB \xF0\x9F\x98\x80", "Zo\xC3\xAB \xF0\x9F\x98\x80"},
    {"empty", "", std::nullopt},
    {"only spaces", "   ", std::nullopt},
    {"tab inside (C0)", "A\tda", std::nullopt},
    {"NUL inside (C0)", "A\0da"s, std::nullopt},
    {"escape (C0)", "\x1B[31mAda", std::nullopt},
    {"DEL", "Ada\x7F", std::nullopt},
    {"U+0080 (C1)", "Ada\xC2\x80", std::nullopt},
    {"NEL inside (C1)",
     "A\xC2\x85"
     "da",
     std::nullopt},
    {"U+009F (C1)",
     "\xC2\x9F"
     "Ada",
     std::nullopt},
    {"invalid UTF-8", "Ad\xFF", std::nullopt},
    {"overlong", "\xC0\xC1", std::nullopt},
    {"32 code points", repeat("\xC3\xA9", 32), repeat("\xC3\xA9", 32)},
    {"33 code points", repeat("\xC3\xA9", 33), std::nullopt},
    {"32 code points once trimmed", "  " + repeat("x", 32) + "  ", repeat("x", 32)},
    {"32 four-byte code points", repeat("\xF0\x9F\x98\x80", 32), repeat("\xF0\x9F\x98\x80", 32)},
};

TEST(NormalizeName, TrimsThenChecksLengthAndControlCharacters) {
  for (const auto& c : name_cases) {
    EXPECT_EQ(normalize_name(c.input), c.expected) << c.what;
  }
}

TEST(NormalizeName, IsIdempotent) {
  for (const auto& c : name_cases) {
    if (c.expected) {
      EXPECT_EQ(normalize_name(*c.expected), c.expected) << c.what;
    }
  }
}

}  // namespace
}  // namespace switchboard::store
