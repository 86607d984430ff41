#include "sio_client_codec.hpp"

namespace switchboard::bench {
namespace {

/// Reads a JSON string without escapes at the start of `text` ("abc"...), advancing past it.
bool take_plain_string(std::string_view& text, std::string_view& value) {
  if (text.empty() || text.front() != '"') return false;
  const auto close = text.find_first_of("\"\\", 1);
  if (close == std::string_view::npos || text[close] != '"') return false;
  value = text.substr(1, close - 1);
  text.remove_prefix(close + 1);
  return true;
}

SioMessage parse_event(std::string_view body) {
  // body is what follows "42": ["name","arg"]
  SioMessage m;
  if (body.empty() || body.front() != '[') return m;
  body.remove_prefix(1);
  if (!take_plain_string(body, m.name) || body.empty() || body.front() != ',') return m;
  body.remove_prefix(1);
  if (!take_plain_string(body, m.arg) || body != "]") return m;
  m.kind = SioInput::Event;
  return m;
}

}  // namespace

SioMessage parse_sio_message(std::string_view text) {
  if (text.empty()) return {};
  switch (text.front()) {
    case '0':
      return {text.size() > 1 && text[1] == '{' ? SioInput::Open : SioInput::Invalid};
    case '2':
      return {text.size() == 1 ? SioInput::Ping : SioInput::Invalid};
    case '6':
      return {SioInput::Other};
    case '4':
      break;
    default:
      return {};
  }
  if (text.starts_with("42")) return parse_event(text.substr(2));
  if (text.starts_with("40{")) return {SioInput::Connected};
  return {SioInput::Other};
}

void append_sio_event(std::string& out, std::string_view name, std::string_view arg) {
  out += "42[\"";
  out += name;
  out += "\",\"";
  out += arg;
  out += "\"]";
}

}  // namespace switchboard::bench
