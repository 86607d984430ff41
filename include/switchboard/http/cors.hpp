#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "switchboard/http/request.hpp"
#include "switchboard/http/response.hpp"

namespace switchboard::http {

/// Cross-origin policy. By default no cross-origin request is allowed.
struct CorsOptions {
  /// Origins allowed ("https://example.com"); "*" allows any.
  std::vector<std::string> allowed_origins;
  bool allow_credentials = false;
  std::string allowed_methods = "GET, HEAD, POST, PUT, DELETE, OPTIONS";
  /// Request headers allowed in a preflight; empty reflects what the browser asks for.
  std::string allowed_headers;
  std::chrono::seconds max_age{600};

  /// True when `origin` may make cross-origin requests.
  bool allows(std::string_view origin) const;
  /// Adds the CORS response headers for a request from an allowed origin.
  void decorate(const Request& request, Headers& headers) const;
  /// The answer to an OPTIONS preflight, or nullopt when `request` is not one.
  std::optional<Response> preflight(const Request& request) const;
};

/// True when an Origin header value is well formed ("null" or scheme://host[:port]).
bool valid_origin(std::string_view origin);

}  // namespace switchboard::http
