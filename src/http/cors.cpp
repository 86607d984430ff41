#include "switchboard/http/cors.hpp"

#include <algorithm>

namespace switchboard::http {

bool valid_origin(std::string_view origin) {
  if (origin == "null") return true;
  auto sep = origin.find("://");
  if (sep == std::string_view::npos || sep == 0) return false;
  for (char c : origin) {
    // Visible ASCII only: no spaces, controls or non-ASCII bytes (header injection).
    if (c <= 0x20 || c >= 0x7f) return false;
  }
  return sep + 3 < origin.size();
}

bool CorsOptions::allows(std::string_view origin) const {
  if (origin.empty() || !valid_origin(origin)) return false;
  return std::any_of(allowed_origins.begin(), allowed_origins.end(),
                     [&](const std::string& o) { return o == "*" || iequals(o, origin); });
}

void CorsOptions::decorate(const Request& request, Headers& headers) const {
  auto origin = request.header("Origin");
  if (!allows(origin)) return;
  headers.set("Access-Control-Allow-Origin", std::string(origin));
  headers.add("Vary", "Origin");
  if (allow_credentials) headers.set("Access-Control-Allow-Credentials", "true");
}

std::optional<Response> CorsOptions::preflight(const Request& request) const {
  if (request.method != "OPTIONS" || !request.headers.contains("Access-Control-Request-Method")) {
    return std::nullopt;
  }
  if (!allows(request.header("Origin"))) return Response::error(403, "origin not allowed");
  Response r = Response::empty(204);
  decorate(request, r.headers);
  r.headers.set("Access-Control-Allow-Methods", allowed_methods);
  auto asked = request.header("Access-Control-Request-Headers");
  std::string headers = allowed_headers.empty() ? std::string(asked) : allowed_headers;
  if (!headers.empty()) r.headers.set("Access-Control-Allow-Headers", headers);
  r.headers.set("Access-Control-Max-Age", std::to_string(max_age.count()));
  return r;
}

}  // namespace switchboard::http
