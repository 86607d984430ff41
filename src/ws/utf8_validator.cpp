#include "switchboard/ws/utf8_validator.hpp"

#include <array>
#include <bit>
#include <cstring>

namespace switchboard::ws {
namespace {

// A DFA in the style of Hoehrmann's decoder. Byte classes:
//   0: 00-7F  1: 80-8F  2: 90-9F  3: A0-BF  4: C0 C1 F5-FF  5: C2-DF  6: E0
//   7: E1-EC EE EF  8: ED  9: F0  10: F1-F3  11: F4
// States: 0 accept; 1 one continuation left; 2 two left; 3 after E0 (A0-BF, no overlong);
// 4 after ED (80-9F, no surrogate); 5 after F0 (90-BF, no overlong); 6 after F1-F3;
// 7 after F4 (80-8F, not above U+10FFFF); 8 reject (sticky).
constexpr uint8_t kClasses = 12;
constexpr uint8_t kStates = 9;
constexpr uint8_t R = 8;

constexpr std::array<uint8_t, 256> make_classes() {
  std::array<uint8_t, 256> c{};
  for (int b = 0; b < 256; ++b) {
    if (b < 0x80)
      c[b] = 0;
    else if (b < 0x90)
      c[b] = 1;
    else if (b < 0xA0)
      c[b] = 2;
    else if (b < 0xC0)
      c[b] = 3;
    else if (b < 0xC2)
      c[b] = 4;
    else if (b < 0xE0)
      c[b] = 5;
    else if (b == 0xE0)
      c[b] = 6;
    else if (b == 0xED)
      c[b] = 8;
    else if (b < 0xF0)
      c[b] = 7;
    else if (b == 0xF0)
      c[b] = 9;
    else if (b < 0xF4)
      c[b] = 10;
    else if (b == 0xF4)
      c[b] = 11;
    else
      c[b] = 4;
  }
  return c;
}

// kNext[state][class]; continuation classes are 1 (80-8F), 2 (90-9F), 3 (A0-BF).
constexpr uint8_t kNext[kStates][kClasses] = {
    {0, R, R, R, R, 1, 3, 2, 4, 5, 6, 7},  // 0: accept
    {R, 0, 0, 0, R, R, R, R, R, R, R, R},  // 1
    {R, 1, 1, 1, R, R, R, R, R, R, R, R},  // 2
    {R, R, R, 1, R, R, R, R, R, R, R, R},  // 3: after E0
    {R, 1, 1, R, R, R, R, R, R, R, R, R},  // 4: after ED
    {R, R, 2, 2, R, R, R, R, R, R, R, R},  // 5: after F0
    {R, 2, 2, 2, R, R, R, R, R, R, R, R},  // 6: after F1-F3
    {R, 2, R, R, R, R, R, R, R, R, R, R},  // 7: after F4
    {R, R, R, R, R, R, R, R, R, R, R, R},  // 8: reject
};

constexpr std::array<uint8_t, 256> kClassOf = make_classes();
constexpr uint64_t kHighBits = 0x8080808080808080ull;

// Which byte (in memory order) holds the first bit set in `high`.
int first_high_byte(uint64_t high) {
  return (std::endian::native == std::endian::little ? std::countr_zero(high)
                                                     : std::countl_zero(high)) /
         8;
}

// The first byte at or after `p` that is not ASCII, or `end`: sixteen, then eight bytes at a
// time, and in the word holding it, straight to that byte. The last few bytes are read as the
// word ending at `end`, when `begin` leaves room for it.
const uint8_t* skip_ascii(const uint8_t* const begin, const uint8_t* p, const uint8_t* const end) {
  while (end - p >= 16) {
    uint64_t a;
    uint64_t b;
    std::memcpy(&a, p, sizeof a);
    std::memcpy(&b, p + 8, sizeof b);
    if ((a | b) & kHighBits) break;
    p += 16;
  }
  while (end - p >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof word);
    if (const uint64_t high = word & kHighBits) return p + first_high_byte(high);
    p += 8;
  }
  if (p == end) return p;
  if (end - begin >= 8) {
    uint64_t word;
    std::memcpy(&word, end - 8, sizeof word);
    // Leave out the bytes before `p` (1 to 7 of them; the end of a character, maybe).
    const auto before = static_cast<unsigned>(p - (end - 8)) * 8;
    const uint64_t mine = std::endian::native == std::endian::little ? ~uint64_t{0} << before
                                                                     : ~uint64_t{0} >> before;
    const uint64_t high = word & kHighBits & mine;
    return high ? end - 8 + first_high_byte(high) : end;
  }
  while (p != end && *p < 0x80) ++p;
  return p;
}

}  // namespace

bool Utf8Validator::feed(std::span<const uint8_t> bytes) {
  const uint8_t* const begin = bytes.data();
  const uint8_t* p = begin;
  const uint8_t* const end = p + bytes.size();
  uint8_t state = state_;
  while (p != end && state != kReject) {
    if (state == 0) {
      p = skip_ascii(begin, p, end);
      if (p == end) break;
    }
    // A byte that is not ASCII, or one inside a sequence: through the DFA.
    state = kNext[state][kClassOf[*p++]];
  }
  state_ = state;
  return state != kReject;
}

bool is_valid_utf8(std::string_view text) {
  Utf8Validator validator;
  return validator.feed(text) && validator.finish();
}

}  // namespace switchboard::ws
