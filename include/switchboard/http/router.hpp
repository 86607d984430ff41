#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/http/exchange.hpp"

namespace switchboard::http {

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
  struct Route {
    std::string method;
    std::vector<std::string> segments;
    Handler handler;
    RouteOptions options;
  };
  struct Match {
    const Route* route = nullptr;
    /// 404 when no pattern matched the path, 405 when one did but not for this method.
    int status = 404;
    /// For 405: the methods the path accepts ("GET, HEAD").
    std::string allow;
    std::vector<std::pair<std::string, std::string>> params;
  };

  /// Adds a route; `method` "*" matches any method. A GET route also answers HEAD.
  Router& add(std::string method, std::string_view pattern, Handler handler,
              RouteOptions options = {});
  Router& get(std::string_view pattern, Handler h, RouteOptions o = {});
  Router& post(std::string_view pattern, Handler h, RouteOptions o = {});
  Match match(std::string_view method, std::string_view path) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace switchboard::http
