#pragma once
// A strict UTF-8 decoder (RFC 3629 §4, Unicode Table 3-7): one code point at a time.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace switchboard::store::detail {

/// Returned by `decode_one` for an ill-formed sequence.
inline constexpr char32_t invalid_code_point = 0xFFFFFFFF;

/// Decodes the code point starting at `s[pos]` and advances `pos` past it. Rejects overlong
/// forms, surrogates (U+D800-U+DFFF), values past U+10FFFF and truncated sequences.
inline char32_t decode_one(std::string_view s, std::size_t& pos) noexcept {
  const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(s[i]); };
  const std::uint8_t b0 = byte(pos);
  if (b0 < 0x80) {
    ++pos;
    return b0;
  }
  std::size_t length;
  char32_t cp;
  std::uint8_t lo = 0x80, hi = 0xBF;  // allowed range of the second byte (Table 3-7)
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    length = 2, cp = b0 & 0x1F;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    length = 3, cp = b0 & 0x0F;
    if (b0 == 0xE0) lo = 0xA0;  // overlong
    if (b0 == 0xED) hi = 0x9F;  // surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    length = 4, cp = b0 & 0x07;
    if (b0 == 0xF0) lo = 0x90;  // overlong
    if (b0 == 0xF4) hi = 0x8F;  // past U+10FFFF
  } else {
    return invalid_code_point;  // continuation byte, C0/C1 (overlong) or F5-FF
  }
  if (s.size() - pos < length) return invalid_code_point;
  for (std::size_t i = 1; i < length; ++i) {
    const std::uint8_t b = byte(pos + i);
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xBF)) return invalid_code_point;
    cp = (cp << 6) | (b & 0x3F);
  }
  pos += length;
  return cp;
}

/// True for the Unicode White_Space property (PropList.txt).
constexpr bool is_white_space(char32_t c) noexcept {
  return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

/// True for C0 controls, DEL and C1 controls.
constexpr bool is_control(char32_t c) noexcept {
  return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

}  // namespace switchboard::store::detail
