#include "switchboard/http/request.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace switchboard::http {

namespace {
char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  // The usual case, a field name spelt as the caller spells it: one memcmp.
  if (a.empty() || std::memcmp(a.data(), b.data(), a.size()) == 0) return true;
  return std::equal(a.begin(), a.end(), b.begin(),
                    [](char x, char y) { return lower(x) == lower(y); });
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = trim(list.substr(0, comma));
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

namespace {
// A field in the buffer: the name's and the value's lengths (4 bytes each), then both.
constexpr std::size_t kPrefix = 8;

std::uint32_t read_length(const char* at) {
  std::uint32_t n;
  std::memcpy(&n, at, sizeof n);
  return n;
}

void append_field(std::string& data, std::string_view name, std::string_view value) {
  char prefix[kPrefix];
  auto nl = static_cast<std::uint32_t>(name.size());
  auto vl = static_cast<std::uint32_t>(value.size());
  std::memcpy(prefix, &nl, 4);
  std::memcpy(prefix + 4, &vl, 4);
  data.append(prefix, kPrefix).append(name).append(value);
}
}  // namespace

Headers::Field Headers::const_iterator::operator*() const {
  auto nl = read_length(at_);
  auto vl = read_length(at_ + 4);
  return {{at_ + kPrefix, nl}, {at_ + kPrefix + nl, vl}};
}

Headers::const_iterator& Headers::const_iterator::operator++() {
  at_ += kPrefix + read_length(at_) + read_length(at_ + 4);
  return *this;
}

std::string_view Headers::get(std::string_view name) const {
  for (auto [n, v] : *this) {
    if (iequals(n, name)) return v;
  }
  return {};
}

std::string Headers::joined(std::string_view name) const {
  std::string out;
  bool first = true;
  for (auto [n, v] : *this) {
    if (!iequals(n, name)) continue;
    if (!first) out += ", ";
    out += v;
    first = false;
  }
  return out;
}

std::size_t Headers::count(std::string_view name) const {
  return static_cast<std::size_t>(
      std::count_if(begin(), end(), [&](const Field& f) { return iequals(f.name, name); }));
}

bool Headers::contains(std::string_view name) const {
  return std::any_of(begin(), end(), [&](const Field& f) { return iequals(f.name, name); });
}

void Headers::add(std::string_view name, std::string_view value) {
  append_field(data_, name, value);
  ++count_;
}

void Headers::set(std::string_view name, std::string_view value) {
  std::string kept;
  std::size_t count = 0;
  for (auto [n, v] : *this) {
    if (iequals(n, name)) continue;
    append_field(kept, n, v);
    ++count;
  }
  append_field(kept, name, value);
  data_ = std::move(kept);
  count_ = count + 1;
}

void Headers::reserve(std::size_t bytes, std::size_t count) {
  data_.reserve(data_.size() + bytes + count * kPrefix);
}

std::string_view Request::param(std::string_view name) const {
  for (auto& [n, v] : params) {
    if (n == name) return v;
  }
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    auto pair = rest.substr(0, amp);
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    if (key && *key == name) {
      if (eq == std::string_view::npos) return std::string();
      return percent_decode(pair.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return std::nullopt;
      int hi = hex_value(in[i + 1]);
      int lo = hex_value(in[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace switchboard::http
