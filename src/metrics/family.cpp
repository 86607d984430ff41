#include "switchboard/metrics/family.hpp"

#include <charconv>
#include <cmath>
#include <unordered_map>

namespace switchboard::metrics {

namespace {

std::string_view type_name(Type type) {
  switch (type) {
    case Type::Counter:
      return "counter";
    case Type::Gauge:
      return "gauge";
    case Type::Histogram:
      return "histogram";
    case Type::Untyped:
      break;
  }
  return "untyped";
}

void append_sample(std::string& out, const Sample& sample) {
  out += sample.name;
  if (!sample.labels.empty()) {
    out += '{';
    for (std::size_t i = 0; i < sample.labels.size(); ++i) {
      if (i) out += ',';
      out += sample.labels[i].first;
      out += "=\"";
      out += escape_label_value(sample.labels[i].second);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += format_value(sample.value);
  out += '\n';
}

bool name_char(char c, bool first, bool colon) {
  bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (colon && c == ':');
  return alpha || (!first && c >= '0' && c <= '9');
}

bool valid(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (!name_char(name[i], i == 0, colon)) return false;
  }
  return true;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  // Integers up to 2^53 exactly, as integers; anything else in the shortest form that reads
  // back the same.
  if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0) {
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, static_cast<long long>(value));
    return std::string(buffer, end);
  }
  // Plain decimals in the usual range (0.0001, not 1e-04), exponents beyond it.
  auto magnitude = std::fabs(value);
  auto format =
      magnitude >= 1e-6 && magnitude < 1e15 ? std::chars_format::fixed : std::chars_format::general;
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value, format);
  return std::string(buffer, end);
}

bool valid_name(std::string_view name) {
  return valid(name, true);
}

bool valid_label_name(std::string_view name) {
  return valid(name, false) && !name.starts_with("__");
}

std::string format_text(const std::vector<Family>& families) {
  // Families of one name are merged, in the order of their first appearance.
  std::vector<const Family*> first;
  std::unordered_map<std::string_view, std::vector<const Family*>> by_name;
  for (const auto& family : families) {
    auto& same = by_name[family.name];
    if (same.empty()) first.push_back(&family);
    same.push_back(&family);
  }
  std::string out;
  for (const auto* family : first) {
    out += "# HELP ";
    out += family->name;
    out += ' ';
    out += escape_help(family->help);
    out += "\n# TYPE ";
    out += family->name;
    out += ' ';
    out += type_name(family->type);
    out += '\n';
    for (const auto* part : by_name[family->name]) {
      for (const auto& sample : part->samples) append_sample(out, sample);
    }
  }
  return out;
}

}  // namespace switchboard::metrics
