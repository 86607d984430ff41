#pragma once
/// A complete HTTP response and the helpers that make one.

#include <string>
#include <string_view>

#include "switchboard/http/request.hpp"

namespace switchboard::http {

/// A complete response. Content-Length, Date, Server (ServerOptions::server_name) and the
/// CORS headers are added when written; HEAD requests and 1xx/204/304 answers get no body.
struct Response {
  /// The status code; the reason phrase is reason_phrase(status).
  int status = 200;
  /// Header fields to send (do not set Content-Length or Transfer-Encoding).
  Headers headers;
  /// The body, sent as is.
  std::string body;

  /// `body` with `status` and a Content-Type.
  static Response text(int status, std::string body,
                       std::string_view content_type = "text/plain; charset=utf-8");
  /// `body` (JSON text, not checked) with `status` and `Content-Type: application/json`.
  static Response json(int status, std::string body);
  /// A JSON error body {"error": message} with the given status.
  static Response error(int status, std::string_view message);
  /// No body, no Content-Type.
  static Response empty(int status);
};

/// The reason phrase of a status code ("Not Found").
std::string_view reason_phrase(int status);

}  // namespace switchboard::http
