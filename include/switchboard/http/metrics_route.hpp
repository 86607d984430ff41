#pragma once
/// /metrics: a metrics::Registry served in the Prometheus text exposition format (0.0.4).

#include <string_view>

#include "switchboard/http/router.hpp"

namespace switchboard::metrics {
class Registry;
}

namespace switchboard::http {

class Server;

/// A handler that scrapes `registry` and answers 200 in the text format (it waits for the
/// registry's collectors, which may ask every shard). The registry must outlive the server.
Handler metrics_handler(metrics::Registry& registry);

/// Serves `registry` at GET `path` on `server` and starts the event-loop lag probe on every
/// shard (net::watch_loop_lag). Call before listen().
///
///     metrics::Registry registry;
///     http::serve_metrics(server, registry);  // curl http://host:port/metrics
void serve_metrics(Server& server, metrics::Registry& registry, std::string_view path = "/metrics");

}  // namespace switchboard::http
