#pragma once
/// Writes one record as text or JSON (sans-I/O: the logger and the tests call it alike).
///
/// Text: `2026-12-07T18:19:46.123Z INFO  http access method=GET path=/ status=200`: the
/// time (UTC, milliseconds), the level, the message, then `key=value` for each field. A value
/// is quoted ("...", with \" \\ \n \r \t \xHH escapes) when it is empty or holds a space, `=`,
/// `"`, a control character or bytes that are not UTF-8; so is the message when it holds
/// anything but a space that would need it.
///
/// JSON: `{"ts":"...","level":"info","msg":"...","key":value,...}`, one object per line.
/// Strings are escaped as RFC 8259 §7 requires (every control character), and bytes that are
/// not UTF-8 become U+FFFD, so every line parses.

#include <chrono>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>

#include "switchboard/log/field.hpp"
#include "switchboard/log/level.hpp"

namespace switchboard::log {

/// Longest message or string value a record carries, in bytes; longer ones are cut (at a
/// character boundary) and end in "...". Keeps a record within one atomic pipe write.
inline constexpr std::size_t kMaxValueBytes = 1024;

/// Appends `s` as a JSON string literal, quotes included, to `out`: every control character
/// escaped (RFC 8259 §7) and bytes that are not UTF-8 replaced by U+FFFD, so the text always
/// parses. Not cut. The project's one JSON string escaper: HTTP bodies and the protocols'
/// packets use it too.
void append_json_string(std::string& out, std::string_view s);

/// Appends the record, ending in '\n', to `out` (which it does not clear).
void format_record(std::string& out, Format format, std::chrono::system_clock::time_point time,
                   Level level, std::string_view message, std::span<const Field> fields);

}  // namespace switchboard::log
