#include "switchboard/sse/event.hpp"

namespace switchboard::sse {
namespace {

// Calls fn for every line of `text`; CR LF, LF and CR each end a line (WHATWG HTML §9.2.5).
// An empty text, and a text ending with a line break, yield an empty last line.
template <class Fn>
void for_each_line(std::string_view text, Fn&& fn) {
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '\n' && c != '\r') continue;
    fn(text.substr(start, i - start));
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  fn(text.substr(start));
}

bool has_line_break(std::string_view s) {
  return s.find_first_of("\r\n") != s.npos;
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += '\n';
}

}  // namespace

boost::system::error_code append_event(std::string& out, const Event& e) {
  if (has_line_break(e.id) || e.id.find('\0') != e.id.npos) return Error::InvalidId;
  if (has_line_break(e.event)) return Error::InvalidEventName;
  if (!e.event.empty()) append_field(out, "event", e.event);
  if (!e.id.empty()) append_field(out, "id", e.id);
  if (e.retry) append_field(out, "retry", std::to_string(e.retry->count()));
  for_each_line(e.data, [&](std::string_view line) { append_field(out, "data", line); });
  out += '\n';
  return {};
}

boost::system::result<std::string> format(const Event& e) {
  std::string out;
  out.reserve(e.data.size() + e.event.size() + e.id.size() + 32);
  if (auto ec = append_event(out, e)) return ec;
  return out;
}

void append_comment(std::string& out, std::string_view text) {
  for_each_line(text, [&](std::string_view line) {
    out += line.empty() ? ":" : ": ";
    out += line;
    out += '\n';
  });
}

std::string comment(std::string_view text) {
  std::string out;
  append_comment(out, text);
  return out;
}

std::string retry(std::chrono::milliseconds delay) {
  return "retry: " + std::to_string(delay.count()) + "\n\n";
}

}  // namespace switchboard::sse
