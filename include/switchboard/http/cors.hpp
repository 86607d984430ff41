#pragma once
/// The server's cross-origin policy (ServerOptions::cors).

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/http/request.hpp"
#include "switchboard/http/response.hpp"

namespace switchboard::http {

/// Cross-origin policy. By default no cross-origin request is allowed, and the server leaves
/// OPTIONS preflights to the routes.
struct CorsOptions {
  /// Origins allowed ("https://example.com", compared case-insensitively); "*" allows any.
  /// An allowed origin is echoed in Access-Control-Allow-Origin, never "*".
  std::vector<std::string> allowed_origins;
  /// Sends `Access-Control-Allow-Credentials: true` to allowed origins (with "*" in
  /// allowed_origins, that lets every site make credentialed requests).
  bool allow_credentials = false;
  /// Access-Control-Allow-Methods of a preflight answer.
  std::string allowed_methods = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
  /// Request headers allowed in a preflight; empty reflects what the browser asks for.
  std::string allowed_headers;
  /// How long a browser may cache a preflight answer (Access-Control-Max-Age).
  std::chrono::seconds max_age{600};

  /// True when `origin` is well formed (valid_origin) and allowed.
  bool allows(std::string_view origin) const;
  /// Adds the CORS response headers for a request from an allowed origin.
  void decorate(const Request& request, Headers& headers) const;
  /// The answer to an OPTIONS preflight (204, or 403 for an origin not allowed), or nullopt
  /// when `request` is not one.

  std::optional<Response> preflight(const Request& request) const;
};

/// True when an Origin header value is well formed ("null" or scheme://host[:port]).
bool valid_origin(std::string_view origin);

}  // namespace switchboard::http
