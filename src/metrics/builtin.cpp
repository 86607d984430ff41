// The built-in metrics: every thread's cells summed, as families (docs/metrics.md lists them).
#include <algorithm>
#include <array>
#include <string>

#include "metrics/thread_cells.hpp"
#include "switchboard/metrics/registry.hpp"

namespace switchboard::metrics {

namespace {

struct Sums {
  std::array<std::uint64_t, kStats> stats{};
  struct Durations {
    std::array<std::uint64_t, kDurationBuckets.size() + 1> buckets{};
    std::uint64_t sum_ns = 0;
    std::uint64_t count = 0;
  };
  std::array<Durations, kHistograms> histograms{};
  /// (shard, lag in ns) of each shard that runs a lag probe.
  std::vector<std::pair<int, std::uint64_t>> lags;
};

Sums sum_threads() {
  Sums sums;
  detail::for_each_thread([&](const ThreadCells& cells) {
    for (std::size_t i = 0; i < kStats; ++i) sums.stats[i] += cells.stats[i].get();
    for (std::size_t h = 0; h < kHistograms; ++h) {
      auto& into = sums.histograms[h];
      const auto& from = cells.histograms[h];
      for (std::size_t b = 0; b < into.buckets.size(); ++b)
        into.buckets[b] += from.buckets[b].get();
      into.sum_ns += from.sum_ns.get();
      into.count += from.count.get();
    }
    int shard = cells.shard.load(std::memory_order_relaxed);
    if (shard >= 0) sums.lags.emplace_back(shard, cells.loop_lag_ns.get());
  });
  std::sort(sums.lags.begin(), sums.lags.end());
  return sums;
}

double value(const Sums& sums, Stat stat) {
  return static_cast<double>(sums.stats[static_cast<std::size_t>(stat)]);
}
// A gauge kept as additions and subtractions modulo 2^64.
double signed_value(std::uint64_t v) {
  return static_cast<double>(static_cast<std::int64_t>(v));
}

Stat offset(Stat base, std::size_t i) {
  return static_cast<Stat>(static_cast<std::size_t>(base) + i);
}

constexpr std::array<const char*, kTransports> kTransportNames{
    "", "websocket", "sse", "polling", "engineio_websocket", "engineio_polling"};

struct FailureLabel {
  const char* protocol;
  const char* reason;
};
constexpr std::array<FailureLabel, kHandshakeFailures> kFailureLabels{{
    {"websocket", "origin_not_allowed"},
    {"websocket", "bad_request"},
    {"websocket", "unsupported_version"},
    {"engineio", "unknown_transport"},
    {"engineio", "unknown_sid"},
    {"engineio", "bad_handshake_method"},
    {"engineio", "bad_request"},
    {"engineio", "forbidden"},
    {"engineio", "unsupported_protocol_version"},
    {"socketio", "invalid_namespace"},
    {"socketio", "refused"},
}};

// A family with one unlabelled sample.
Family single(std::string name, std::string help, Type type, double v) {
  Family f{std::move(name), std::move(help), type, {}};
  f.samples.push_back({f.name, {}, v});
  return f;
}

Family histogram(std::string name, std::string help, const Sums::Durations& d) {
  Family f{std::move(name), std::move(help), Type::Histogram, {}};
  std::uint64_t cumulative = 0;
  for (std::size_t b = 0; b < d.buckets.size(); ++b) {
    cumulative += d.buckets[b];
    auto le = b < kDurationBuckets.size() ? format_value(kDurationBuckets[b]) : "+Inf";
    f.samples.push_back({f.name + "_bucket", {{"le", le}}, static_cast<double>(cumulative)});
  }
  f.samples.push_back({f.name + "_sum", {}, static_cast<double>(d.sum_ns) / 1e9});
  f.samples.push_back({f.name + "_count", {}, static_cast<double>(d.count)});
  return f;
}

void add_connections(std::vector<Family>& out, const Sums& s) {
  Family open{"switchboard_connections",
              "Connections open now, by transport (an Engine.IO session counts once, under the "
              "transport it uses now).",
              Type::Gauge,
              {}};
  Family opened{"switchboard_connections_opened_total",
                "Connections opened, by transport (an Engine.IO upgrade opens one on "
                "engineio_websocket).",
                Type::Counter,
                {}};
  for (std::size_t t = 1; t < kTransports; ++t) {
    auto opens = s.stats[static_cast<std::size_t>(offset(Stat::ConnectionsOpened, t))];
    auto closes = s.stats[static_cast<std::size_t>(offset(Stat::ConnectionsClosed, t))];
    Labels labels{{"transport", kTransportNames[t]}};
    open.samples.push_back({open.name, labels, signed_value(opens - closes)});
    opened.samples.push_back({opened.name, labels, static_cast<double>(opens)});
  }
  out.push_back(std::move(open));
  out.push_back(std::move(opened));
}

void add_traffic(std::vector<Family>& out, const Sums& s) {
  out.push_back(single("switchboard_received_bytes_total",
                       "Bytes read from every connection (HTTP, WebSocket; after TLS).",
                       Type::Counter, value(s, Stat::ReceivedBytes)));
  out.push_back(single("switchboard_sent_bytes_total",
                       "Bytes written to every connection (after TLS: its plaintext).",
                       Type::Counter, value(s, Stat::SentBytes)));
  out.push_back(single("switchboard_websocket_messages_received_total",
                       "WebSocket data messages received (plain and Engine.IO connections).",
                       Type::Counter, value(s, Stat::WebSocketMessagesReceived)));
  out.push_back(single("switchboard_websocket_messages_sent_total",
                       "WebSocket data messages queued for sending (plain and Engine.IO).",
                       Type::Counter, value(s, Stat::WebSocketMessagesSent)));
  out.push_back(single("switchboard_sse_events_sent_total",
                       "Server-Sent Events written to streams.", Type::Counter,
                       value(s, Stat::SseEventsSent)));
  out.push_back(single("switchboard_socketio_packets_received_total",
                       "Socket.IO packets received from clients.", Type::Counter,
                       value(s, Stat::SocketioPacketsReceived)));
  out.push_back(single("switchboard_socketio_packets_sent_total",
                       "Socket.IO packets sent to clients (each socket a broadcast reaches "
                       "counts one).",
                       Type::Counter, value(s, Stat::SocketioPacketsSent)));
  out.push_back(single("switchboard_broadcasts_total",
                       "Socket.IO broadcasts emitted by this process.", Type::Counter,
                       value(s, Stat::Broadcasts)));
  out.push_back(single("switchboard_broadcast_deliveries_total",
                       "Sockets and room members that broadcasts were handed to, on every "
                       "shard (those of other nodes' broadcasts included).",
                       Type::Counter, value(s, Stat::BroadcastDeliveries)));
}

void add_backpressure(std::vector<Family>& out, const Sums& s) {
  out.push_back(single("switchboard_write_queue_bytes",
                       "Bytes waiting in the outbound queues of every connection.", Type::Gauge,
                       signed_value(s.stats[static_cast<std::size_t>(Stat::WriteQueueBytes)])));
  out.push_back(single("switchboard_write_queue_dropped_total",
                       "Messages dropped by a full outbound queue (volatile ones over the soft "
                       "limit, any over the hard limit).",
                       Type::Counter, value(s, Stat::WriteQueueDropped)));
  out.push_back(single("switchboard_slow_consumer_disconnects_total",
                       "Connections closed because their outbound queue passed its hard limit.",
                       Type::Counter, value(s, Stat::SlowConsumerDisconnects)));
  Family failures{"switchboard_handshake_failures_total",
                  "Handshakes refused, by protocol and reason.",
                  Type::Counter,
                  {}};
  for (std::size_t i = 0; i < kHandshakeFailures; ++i) {
    failures.samples.push_back(
        {failures.name,
         {{"protocol", kFailureLabels[i].protocol}, {"reason", kFailureLabels[i].reason}},
         value(s, offset(Stat::HandshakeFailures, i))});
  }
  out.push_back(std::move(failures));
}

void add_runtime(std::vector<Family>& out, const Sums& s) {
  Family lag{"switchboard_event_loop_lag_seconds",
             "How late the shard's last lag probe timer fired (measured every 500 ms).",
             Type::Gauge,
             {}};
  for (auto [shard, ns] : s.lags) {
    lag.samples.push_back(
        {lag.name, {{"shard", std::to_string(shard)}}, static_cast<double>(ns) / 1e9});
  }
  out.push_back(std::move(lag));
  auto opens = s.stats[static_cast<std::size_t>(Stat::RedisConnectionsOpened)];
  auto closes = s.stats[static_cast<std::size_t>(Stat::RedisConnectionsClosed)];
  out.push_back(single("switchboard_redis_connections",
                       "Redis connections up now (each client has a command and a subscriber "
                       "connection).",
                       Type::Gauge, signed_value(opens - closes)));
  out.push_back(single("switchboard_redis_commands_total", "Redis commands sent.", Type::Counter,
                       value(s, Stat::RedisCommands)));
  out.push_back(single("switchboard_redis_errors_total",
                       "Redis commands answered with an error or failed for want of a "
                       "connection.",
                       Type::Counter, value(s, Stat::RedisErrors)));
  out.push_back(histogram("switchboard_redis_round_trip_seconds",
                          "Time from sending a Redis command to its reply.",
                          s.histograms[static_cast<std::size_t>(Histogram::RedisRoundTrip)]));
}

}  // namespace

std::vector<Family> builtin_families() {
  auto sums = sum_threads();
  std::vector<Family> out;
  add_connections(out, sums);
  add_traffic(out, sums);
  add_backpressure(out, sums);
  add_runtime(out, sums);
  return out;
}

}  // namespace switchboard::metrics
