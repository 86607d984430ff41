#include "payload.hpp"

#include <charconv>

namespace switchboard::bench {
namespace {

constexpr std::size_t checksum_size = 9;  // '#' and eight hex digits

std::uint32_t fnv1a(std::string_view text) {
  std::uint32_t hash = 2166136261u;
  for (unsigned char c : text) hash = (hash ^ c) * 16777619u;
  return hash;
}

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, value);
  out.append(digits, end);
}

/// Reads a decimal number ending at ':' from `text`, advancing it past the ':'.
bool take_number(std::string_view& text, std::uint64_t& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end == text.data() || end == text.data() + text.size() || *end != ':') {
    return false;
  }
  text.remove_prefix(static_cast<std::size_t>(end - text.data()) + 1);
  return true;
}

}  // namespace

void append_payload(std::string& out, const PayloadFields& fields, std::size_t size) {
  const std::size_t start = out.size();
  append_number(out, fields.stream);
  out += ':';
  append_number(out, fields.seq);
  out += ':';
  append_number(out, fields.sent_ns);
  out += ':';
  const std::size_t used = out.size() - start + checksum_size;
  if (size > used) out.append(size - used, 'x');
  static constexpr char hex[] = "0123456789abcdef";
  std::uint32_t sum = fnv1a(std::string_view(out).substr(start));
  out += '#';
  for (int shift = 28; shift >= 0; shift -= 4) out += hex[(sum >> shift) & 0xF];
}

std::optional<PayloadFields> parse_payload(std::string_view text) {
  if (text.size() < checksum_size || text[text.size() - checksum_size] != '#') return std::nullopt;
  std::string_view body = text.substr(0, text.size() - checksum_size);
  std::uint32_t sum = 0;
  const char* hex = text.data() + body.size() + 1;
  auto [end, ec] = std::from_chars(hex, hex + 8, sum, 16);
  if (ec != std::errc() || end != hex + 8 || sum != fnv1a(body)) return std::nullopt;
  PayloadFields fields;
  if (!take_number(body, fields.stream) || !take_number(body, fields.seq) ||
      !take_number(body, fields.sent_ns)) {
    return std::nullopt;
  }
  return fields;
}

}  // namespace switchboard::bench
