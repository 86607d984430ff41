#include "switchboard/log/format.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <ctime>

namespace switchboard::log {

namespace {

constexpr char kHex[] = "0123456789abcdef";

// The length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629 §4: no
// overlong forms, no surrogates, nothing past U+10FFFF), or 0 when it is not one.
std::size_t utf8_length(std::string_view s) noexcept {
  auto b = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
  auto tail = [&](std::size_t i) { return i < s.size() && (b(i) & 0xC0) == 0x80; };
  unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return tail(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!tail(1) || !tail(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // a surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!tail(1) || !tail(2) || !tail(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // past U+10FFFF
    return 4;
  }
  return 0;
}

// `s` cut to kMaxValueBytes at a character boundary; `cut` says whether it was.
std::string_view bounded(std::string_view s, bool& cut) noexcept {
  cut = s.size() > kMaxValueBytes;
  if (!cut) return s;
  std::size_t end = kMaxValueBytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

// --- text ---------------------------------------------------------------------------------

// True when `s` can be written bare: not empty, and only printable ASCII other than space,
// '=', '"' and '\', or well-formed UTF-8 beyond ASCII.
bool bare(std::string_view s) {
  if (s.empty()) return false;
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      auto n = utf8_length(s.substr(i));
      if (n == 0) return false;
      i += n;
      continue;
    }
    if (c <= 0x20 || c == 0x7F || c == '=' || c == '"' || c == '\\') return false;
    ++i;
  }
  return true;
}

void append_hex_escape(std::string& out, unsigned char c) {
  out += "\\x";
  out += kHex[c >> 4];
  out += kHex[c & 0xF];
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      auto n = utf8_length(s.substr(i));
      if (n == 0) {
        append_hex_escape(out, c);
        ++i;
      } else {
        out.append(s.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          append_hex_escape(out, c);
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

void append_text_string(std::string& out, std::string_view s) {
  bool cut = false;
  auto part = bounded(s, cut);
  if (cut) {
    std::string whole(part);
    whole += "...";
    return append_quoted(out, whole);
  }
  if (bare(part)) {
    out += part;
  } else {
    append_quoted(out, part);
  }
}

// The message is bare unless it needs quotes for a reason other than its inner spaces.
void append_text_message(std::string& out, std::string_view s) {
  bool cut = false;
  auto part = bounded(s, cut);
  bool plain = !cut && !part.empty() && part.front() != ' ' && part.back() != ' ';
  for (std::size_t start = 0; plain && start < part.size();) {
    auto end = std::min(part.find(' ', start), part.size());
    if (end > start && !bare(part.substr(start, end - start))) plain = false;
    start = end + 1;
  }
  if (plain) {
    out += part;
  } else if (cut) {
    std::string whole(part);
    whole += "...";
    append_quoted(out, whole);
  } else {
    append_quoted(out, part);
  }
}

// --- JSON ---------------------------------------------------------------------------------

void append_json_escaped(std::string& out, std::string_view part) {
  for (std::size_t i = 0; i < part.size();) {
    auto c = static_cast<unsigned char>(part[i]);
    if (c >= 0x80) {
      auto n = utf8_length(part.substr(i));
      if (n == 0) {
        out += "\\ufffd";  // not UTF-8: the replacement character (RFC 8259 §8.1)
        ++i;
      } else {
        out.append(part.substr(i, n));
        i += n;
      }
      continue;
    }
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
}

// A record's string: cut at kMaxValueBytes, with "..." inside the quotes.
void append_json_value(std::string& out, std::string_view s) {
  bool cut = false;
  auto part = bounded(s, cut);
  out += '"';
  append_json_escaped(out, part);
  if (cut) out += "...";
  out += '"';
}

// --- values -------------------------------------------------------------------------------

template <class T>
void append_number(std::string& out, T number) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, number);
  if (ec == std::errc()) out.append(buf, end);
}

// A number as text; non-finite ones have no JSON form, so they are strings there.
void append_double(std::string& out, double number, bool json) {
  if (std::isfinite(number)) return append_number(out, number);
  std::string_view word = std::isnan(number) ? "NaN" : number > 0 ? "Infinity" : "-Infinity";
  if (json) {
    out += '"';
    out += word;
    out += '"';
  } else {
    out += word;
  }
}

void append_value(std::string& out, const Value& value, bool json) {
  switch (value.kind()) {
    case Value::Kind::String:
      return json ? append_json_value(out, value.text()) : append_text_string(out, value.text());
    case Value::Kind::Signed:
      return append_number(out, value.as_signed());
    case Value::Kind::Unsigned:
      return append_number(out, value.as_unsigned());
    case Value::Kind::Double:
      return append_double(out, value.as_double(), json);
    case Value::Kind::Bool:
      out += value.as_bool() ? "true" : "false";
      return;
  }
}

// A key as given, with anything that would break the line's syntax replaced by '_'.
void append_text_key(std::string& out, std::string_view key) {
  if (key.empty()) key = "_";
  for (char ch : key) {
    auto c = static_cast<unsigned char>(ch);
    out += c <= 0x20 || c >= 0x7F || ch == '=' || ch == '"' || ch == '\\' ? '_' : ch;
  }
}

void append_time(std::string& out, std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(time.time_since_epoch()).count();
  auto seconds = static_cast<std::time_t>(ms / 1000);
  auto millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    --seconds;
  }
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[40];
  auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  out.append(buf, n);
  out += '.';
  out += static_cast<char>('0' + millis / 100);
  out += static_cast<char>('0' + millis / 10 % 10);
  out += static_cast<char>('0' + millis % 10);
  out += 'Z';
}

constexpr std::string_view kTextLevels[] = {"TRACE", "DEBUG", "INFO ", "WARN ", "ERROR", "OFF  "};

}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  append_json_escaped(out, s);
  out += '"';
}

void format_record(std::string& out, Format format, std::chrono::system_clock::time_point time,
                   Level level, std::string_view message, std::span<const Field> fields) {
  auto index = static_cast<std::size_t>(level);
  if (index > static_cast<std::size_t>(Level::Off)) index = static_cast<std::size_t>(Level::Off);
  if (format == Format::Json) {
    out += "{\"ts\":\"";
    append_time(out, time);
    out += "\",\"level\":\"";
    out += to_string(static_cast<Level>(index));
    out += "\",\"msg\":";
    append_json_value(out, message);
    for (const auto& field : fields) {
      out += ',';
      append_json_value(out, field.key);
      out += ':';
      append_value(out, field.value, true);
    }
    out += "}\n";
    return;
  }
  append_time(out, time);
  out += ' ';
  out += kTextLevels[index];
  out += ' ';
  append_text_message(out, message);
  for (const auto& field : fields) {
    out += ' ';
    append_text_key(out, field.key);
    out += '=';
    append_value(out, field.value, false);
  }
  out += '\n';
}

}  // namespace switchboard::log
