#include "origin_policy.hpp"

#include "switchboard/http/cors.hpp"

namespace switchboard::app {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool origin_allowed(const http::Request& request, const std::vector<std::string>& allowed) {
  auto origin = request.header("Origin");
  if (origin.empty()) return true;
  if (!http::valid_origin(origin)) return false;
  auto sep = origin.find("://");
  auto host = request.header("Host");
  if (sep != std::string_view::npos && !host.empty() &&
      http::iequals(origin.substr(sep + 3), host)) {
    return true;
  }
  return http::CorsOptions{.allowed_origins = allowed}.allows(origin);
}

bool is_json_body(const http::Request& request) {
  auto type = request.header("Content-Type");
  return http::iequals(trim(type.substr(0, type.find(';'))), "application/json");
}

}  // namespace switchboard::app
