#include "switchboard/http/metrics_route.hpp"

#include "switchboard/http/server.hpp"
#include "switchboard/metrics/family.hpp"
#include "switchboard/metrics/registry.hpp"
#include "switchboard/net/loop_lag.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::http {

Handler metrics_handler(metrics::Registry& registry) {
  return [&registry](Exchange ex) {
    auto* shard = &ex.shard();
    // The last collector may answer on another shard: the exchange is answered on its own.
    registry.scrape([ex, shard](std::string text) mutable {
      shard->post([ex, text = std::move(text)]() mutable {
        ex.respond(Response::text(200, std::move(text), metrics::kTextContentType));
      });
    });
  };
}

void serve_metrics(Server& server, metrics::Registry& registry, std::string_view path) {
  server.router().get(path, metrics_handler(registry));
  net::watch_loop_lag(server.runtime());
}

}  // namespace switchboard::http
