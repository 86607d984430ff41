#include "engineio/base64.hpp"

#include <array>
#include <cstddef>
#include <cstdint>

namespace switchboard::engineio::detail {
namespace {

constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t invalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_reverse_table() {
  std::array<std::uint8_t, 256> table{};
  table.fill(invalid);
  for (std::size_t i = 0; i < alphabet.size(); ++i) {
    table[static_cast<unsigned char>(alphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr std::array<std::uint8_t, 256> reverse_table = make_reverse_table();

// Strips one or two '=' of a complete last quantum; false when padding is misplaced.
bool strip_padding(std::string_view& text) {
  std::size_t pad = 0;
  while (pad < 2 && pad < text.size() && text[text.size() - 1 - pad] == '=') ++pad;
  if (pad > 0 && text.size() % 4 != 0) return false;
  text.remove_suffix(pad);
  return true;
}

}  // namespace

void append_base64(std::string& out, std::string_view bytes) {
  const auto* in = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t full = bytes.size() / 3 * 3;
  std::size_t pos = out.size();
  out.resize(pos + (bytes.size() + 2) / 3 * 4);
  char* dst = out.data() + pos;
  for (std::size_t i = 0; i < full; i += 3) {
    const std::uint32_t n = (in[i] << 16) | (in[i + 1] << 8) | in[i + 2];
    *dst++ = alphabet[(n >> 18) & 63];
    *dst++ = alphabet[(n >> 12) & 63];
    *dst++ = alphabet[(n >> 6) & 63];
    *dst++ = alphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - full;
  if (rest == 0) return;
  std::uint32_t n = in[full] << 16;
  if (rest == 2) n |= in[full + 1] << 8;
  *dst++ = alphabet[(n >> 18) & 63];
  *dst++ = alphabet[(n >> 12) & 63];
  *dst++ = rest == 2 ? alphabet[(n >> 6) & 63] : '=';
  *dst = '=';
}

bool decode_base64(std::string_view text, std::string& out) {
  if (!strip_padding(text) || text.size() % 4 == 1) return false;
  out.reserve(out.size() + text.size() / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (const char c : text) {
    const std::uint8_t v = reverse_table[static_cast<unsigned char>(c)];
    if (v == invalid) return false;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return true;
}

}  // namespace switchboard::engineio::detail
