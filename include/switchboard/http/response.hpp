#pragma once

#include <string>
#include <string_view>

#include "switchboard/http/request.hpp"

namespace switchboard::http {

/// A complete response. Content-Length is added when written.
struct Response {
  int status = 200;
  Headers headers;
  std::string body;

  static Response text(int status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
  static Response json(int status, std::string body);
  /// A JSON error body {"error": message} with the given status.
  static Response error(int status, std::string_view message);
  static Response empty(int status);
};

/// The reason phrase of a status code ("Not Found").
std::string_view reason_phrase(int status);

/// Appends a JSON string literal for `s` (quotes and escapes included) to `out`.
void append_json_string(std::string& out, std::string_view s);

}  // namespace switchboard::http
