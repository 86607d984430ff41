#pragma once
// What needs the Unicode Character Database (utf8proc): normalisation and general categories.

#include <optional>
#include <string>
#include <string_view>

namespace switchboard::store::detail {

/// `text` (valid UTF-8) in Normalization Form C; nullopt when it cannot be normalised.
std::optional<std::string> to_nfc(std::string_view text);

/// True for the general category Cf (format: U+200B, U+200D, U+202E, U+2066, U+FEFF...).
bool is_format(char32_t c) noexcept;

}  // namespace switchboard::store::detail
