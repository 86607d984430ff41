#pragma once
/// Pure checks of what users type: room names, display names and message text. The chat app
/// uses them at its edges; the store applies them again to everything it writes.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace switchboard::store {

/// Longest room name, in bytes (room names are ASCII).
inline constexpr std::size_t max_room_name_length = 32;
/// Longest display name, in Unicode code points.
inline constexpr std::size_t max_name_code_points = 32;
/// Longest message text, in Unicode code points.
inline constexpr std::size_t max_text_code_points = 4000;

/// True when `name` is a room name: 1-32 characters from `a-z`, `0-9`, `_` and `-`.
bool valid_room_name(std::string_view name) noexcept;

/// Checks message text: valid UTF-8 (no overlong forms, surrogates or code points past
/// U+10FFFF), 1-4000 code points, and at least one that is not Unicode White_Space.
/// Returns an empty code when the text is acceptable, else `Errc::InvalidUtf8`,
/// `Errc::EmptyText` or `Errc::TextTooLong`.
std::error_code validate_text(std::string_view text) noexcept;

/// Normalises a display name: trims Unicode White_Space from both ends, refuses control
/// characters (C0, DEL, C1), converts to Unicode Normalization Form C (so that names are
/// compared by what they show), then accepts it when it has 1-32 code points and no format
/// character (general category Cf: zero-width spaces and joiners, bidi overrides, BOM).
/// Returns the normalised name, or nullopt when it is not acceptable (or not valid UTF-8).
std::optional<std::string> normalize_name(std::string_view name);

}  // namespace switchboard::store
