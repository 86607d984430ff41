#include "switchboard/store/validation.hpp"

#include "store/unicode.hpp"
#include "store/utf8.hpp"
#include "switchboard/store/error.hpp"

namespace switchboard::store {

bool valid_room_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > max_room_name_length) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::error_code validate_text(std::string_view text) noexcept {
  std::size_t count = 0;
  bool blank = true;
  for (std::size_t pos = 0; pos < text.size();) {
    const char32_t c = detail::decode_one(text, pos);
    if (c == detail::invalid_code_point) return Errc::InvalidUtf8;
    ++count;
    blank = blank && detail::is_white_space(c);
  }
  if (blank) return Errc::EmptyText;
  if (count > max_text_code_points) return Errc::TextTooLong;
  return {};
}

std::optional<std::string> normalize_name(std::string_view name) {
  // Decode once; remember where the first and past the last non-space code points are.
  std::size_t begin = name.size(), end = 0;
  for (std::size_t pos = 0; pos < name.size();) {
    const std::size_t at = pos;
    const char32_t c = detail::decode_one(name, pos);
    if (c == detail::invalid_code_point) return std::nullopt;
    if (detail::is_white_space(c)) continue;
    if (begin == name.size()) begin = at;
    end = pos;
  }
  if (begin == name.size()) return std::nullopt;
  const std::string_view trimmed = name.substr(begin, end - begin);
  for (std::size_t pos = 0; pos < trimmed.size();) {
    if (detail::is_control(detail::decode_one(trimmed, pos))) return std::nullopt;
  }
  // NFC first, so that two spellings of one name ("e" + U+0301 and U+00E9) are one name; then
  // the checks apply to what is kept.
  auto nfc = detail::to_nfc(trimmed);
  if (!nfc) return std::nullopt;
  std::size_t count = 0;
  for (std::size_t pos = 0; pos < nfc->size(); ++count) {
    const char32_t c = detail::decode_one(*nfc, pos);
    // Format characters (Cf: zero-width spaces and joiners, bidi overrides...) are invisible
    // or reorder what is shown: a name with one can pass for another.
    if (c == detail::invalid_code_point || detail::is_format(c)) return std::nullopt;
  }
  if (count > max_name_code_points) return std::nullopt;
  return nfc;
}

}  // namespace switchboard::store
