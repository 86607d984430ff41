#pragma once
/// Routes: which handler answers a method and a path.

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/http/exchange.hpp"

namespace switchboard::http {

/// Answers one request, on the connection's shard; it may keep the Exchange and answer later.
/// A std::exception it throws is answered 500 when nothing was answered yet.

using Handler = std::function<void(Exchange)>;

/// Per-route settings.
struct RouteOptions {
  /// Largest accepted body; larger → 413.
  std::size_t max_body = 1 << 20;
};

/// Matches method and path. Patterns are '/'-separated segments; ":name" captures one segment,
/// "*name" (last) captures the rest. A trailing slash is optional on both sides.
class Router {
 public:
  /// One registered route.
  struct Route {
    /// The method it answers ("*": any).
    std::string method;
    /// The pattern, split at '/'.
    std::vector<std::string> segments;
    /// What answers it.
    Handler handler;
    /// Its settings.
    RouteOptions options;
  };
  /// What match() found.
  struct Match {
    /// The route, or null when none (see status).
    const Route* route = nullptr;
    /// 404 when no pattern matched the path, 405 when one did but not for this method.
    int status = 404;
    /// For 405: the methods the path accepts ("GET, HEAD").
    std::string allow;
    /// The segments captured by the pattern's ":name" and "*name" (percent-decoded).
    std::vector<std::pair<std::string, std::string>> params;
  };

  /// Adds a route; `method` "*" matches any method. A GET route also answers HEAD.
  Router& add(std::string method, std::string_view pattern, Handler handler,
              RouteOptions options = {});
  /// add("GET", ...).
  Router& get(std::string_view pattern, Handler h, RouteOptions o = {});
  /// add("POST", ...).
  Router& post(std::string_view pattern, Handler h, RouteOptions o = {});
  /// The first route, in the order they were added, whose pattern and method match `path`
  /// (already percent-decoded).
  Match match(std::string_view method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace switchboard::http
