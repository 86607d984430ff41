#include "switchboard/log/level.hpp"

#include <array>

namespace switchboard::log {

namespace {
constexpr std::array<std::string_view, 6> kLevelNames{"trace", "debug", "info",
                                                      "warn",  "error", "off"};
}  // namespace

std::string_view to_string(Level level) noexcept {
  auto i = static_cast<std::size_t>(level);
  return i < kLevelNames.size() ? kLevelNames[i] : "unknown";
}

std::string_view to_string(Format format) noexcept {
  return format == Format::Json ? "json" : "text";
}

std::optional<Level> parse_level(std::string_view text) noexcept {
  for (std::size_t i = 0; i < kLevelNames.size(); ++i) {
    if (text == kLevelNames[i]) return static_cast<Level>(i);
  }
  if (text == "warning") return Level::Warn;
  return std::nullopt;
}

std::optional<Format> parse_format(std::string_view text) noexcept {
  if (text == "text") return Format::Text;
  if (text == "json") return Format::Json;
  return std::nullopt;
}

}  // namespace switchboard::log
