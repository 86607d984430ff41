#pragma once
/// How much is logged (Level) and how each record is written (Format), with their names as
/// the command line and the records spell them.

#include <cstdint>
#include <optional>
#include <string_view>

namespace switchboard::log {

/// The severity of a record, least to most; a logger set to one level writes the records of
/// that level and above. `Off` is only a threshold: it writes nothing.
enum class Level : std::uint8_t { Trace, Debug, Info, Warn, Error, Off };

/// How a record is written: one line of text, or one JSON object per line.
enum class Format : std::uint8_t { Text, Json };

/// The level's lower-case name ("trace", "debug", "info", "warn", "error", "off").
std::string_view to_string(Level level) noexcept;

/// The format's name ("text" or "json").
std::string_view to_string(Format format) noexcept;

/// The level named by `text` (a name to_string(Level) gives; "warning" too), or nullopt.
std::optional<Level> parse_level(std::string_view text) noexcept;

/// The format named by `text` ("text" or "json"), or nullopt.
std::optional<Format> parse_format(std::string_view text) noexcept;

}  // namespace switchboard::log
