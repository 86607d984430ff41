#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace switchboard::http {

/// Header fields in arrival order; names compare case-insensitively.
class Headers {
 public:
  /// The first value of `name`, or an empty view.
  std::string_view get(std::string_view name) const;
  bool contains(std::string_view name) const;
  /// Adds a field (repeats are kept).
  void add(std::string name, std::string value);
  /// Replaces every field called `name` by one.
  void set(std::string name, std::string value);
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

/// True when two ASCII strings are equal ignoring case.
bool iequals(std::string_view a, std::string_view b);
/// True when a comma-separated header value lists `token` (case-insensitive).
bool has_token(std::string_view list, std::string_view token);

/// One parsed HTTP/1.1 request. `path` is percent-decoded; `target` is as received.
struct Request {
  std::string method;
  std::string target;
  std::string path;
  std::string query;
  /// 10 for HTTP/1.0, 11 for HTTP/1.1.
  unsigned version = 11;
  Headers headers;
  std::string body;
  bool keep_alive = true;
  /// Path parameters captured by the route (":room" -> "lobby").
  std::vector<std::pair<std::string, std::string>> params;
  std::string remote_address;
  bool tls = false;

  std::string_view header(std::string_view name) const { return headers.get(name); }
  /// The value of a path parameter, or an empty view.
  std::string_view param(std::string_view name) const;
  /// The decoded value of the first query parameter `name`, if present.
  std::optional<std::string> query_param(std::string_view name) const;
};

/// Percent-decodes `in` ('+' stays '+'); nullopt when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view in, bool plus_as_space = false);

}  // namespace switchboard::http
