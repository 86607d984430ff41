#include "switchboard/http/router.hpp"

namespace switchboard::http {

namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    auto end = path.find('/', i);
    if (end == std::string_view::npos) end = path.size();
    out.push_back(path.substr(i, end - i));
    i = end;
  }
  return out;
}

// Matches the path's segments against a pattern, collecting parameters; false on mismatch.
bool match_segments(const std::vector<std::string>& pattern, std::string_view path,
                    std::vector<std::pair<std::string, std::string>>& params) {
  auto parts = split_path(path);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (!p.empty() && p[0] == '*') {
      // The rest of the path, from the start of segment i, as received.
      std::string rest;
      for (std::size_t j = i; j < parts.size(); ++j) {
        if (j > i) rest += '/';
        rest += parts[j];
      }
      params.emplace_back(p.substr(1), std::move(rest));
      return true;
    }
    if (i >= parts.size()) return false;
    if (!p.empty() && p[0] == ':') {
      params.emplace_back(p.substr(1), std::string(parts[i]));
    } else if (p != parts[i]) {
      return false;
    }
  }
  return parts.size() == pattern.size();
}
}  // namespace

Router& Router::add(std::string method, std::string_view pattern, Handler handler,
                    RouteOptions options) {
  Route route{std::move(method), {}, std::move(handler), options};
  for (auto s : split_path(pattern)) route.segments.emplace_back(s);
  routes_.push_back(std::move(route));
  return *this;
}

Router& Router::get(std::string_view pattern, Handler h, RouteOptions o) {
  return add("GET", pattern, std::move(h), o);
}

Router& Router::post(std::string_view pattern, Handler h, RouteOptions o) {
  return add("POST", pattern, std::move(h), o);
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  Match result;
  for (const auto& route : routes_) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!match_segments(route.segments, path, params)) continue;
    bool method_ok = route.method == "*" || route.method == method ||
                     (method == "HEAD" && route.method == "GET");
    if (method_ok) {
      result.route = &route;
      result.status = 200;
      result.params = std::move(params);
      return result;
    }
    result.status = 405;
    if (result.allow.find(route.method) == std::string::npos) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += route.method;
      if (route.method == "GET") result.allow += ", HEAD";
    }
  }
  return result;
}

}  // namespace switchboard::http
