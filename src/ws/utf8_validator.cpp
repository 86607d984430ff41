#include "switchboard/ws/utf8_validator.hpp"

#include <array>
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

}  // namespace

bool Utf8Validator::feed(std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  const uint8_t* const end = p + bytes.size();
  uint8_t state = state_;
  while (p != end && state != kReject) {
    if (state == 0) {
      // Fast path: skip whole words of ASCII.
      while (end - p >= 8) {
        uint64_t word;
        std::memcpy(&word, p, sizeof word);
        if (word & kHighBits) break;
        p += 8;
      }
      if (p == end) break;
    }
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
