#pragma once
/// The built-in counters (docs/metrics.md), counted where things happen at the cost of a
/// plain load and store: each thread (each shard) has its own block of cells, written only by
/// that thread with relaxed atomics (no locked instruction, no cache line shared between
/// shards) and summed when /metrics is scraped (docs/decisions/015-metrics.md).
///
///     metrics::add(metrics::Stat::SocketioPacketsReceived);
///     // Counted open until close() or destroyed:
///     metrics::OpenConnection counted{metrics::Transport::Sse};

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace switchboard::metrics {

/// How a connection reaches the server (the `transport` label of switchboard_connections).
enum class Transport : std::uint8_t {
  None,               ///< not counted
  WebSocket,          ///< a plain WebSocket (ws::accept, ws::endpoint)
  Sse,                ///< a Server-Sent Events stream
  Polling,            ///< a held long poll (the chat's, or a program's own)
  EngineioWebSocket,  ///< an Engine.IO (Socket.IO) session on WebSocket
  EngineioPolling,    ///< an Engine.IO (Socket.IO) session on HTTP long-polling
};
/// The number of Transport values (the cells each per-transport Stat takes).
inline constexpr std::size_t kTransports = 6;

/// Why a handshake was refused (the `protocol` and `reason` labels of
/// switchboard_handshake_failures_total).
enum class HandshakeFailure : std::uint8_t {
  WebSocketOrigin,             ///< 403: origin not allowed
  WebSocketBadRequest,         ///< 400: not a valid upgrade request
  WebSocketVersion,            ///< 426: unsupported Sec-WebSocket-Version
  EngineioUnknownTransport,    ///< Engine.IO error 0
  EngineioUnknownSid,          ///< Engine.IO error 1
  EngineioBadHandshakeMethod,  ///< Engine.IO error 2
  EngineioBadRequest,          ///< Engine.IO error 3
  EngineioForbidden,           ///< Engine.IO error 4
  EngineioUnsupportedVersion,  ///< Engine.IO error 5
  SocketioInvalidNamespace,    ///< CONNECT_ERROR: no such namespace
  SocketioRefused,             ///< CONNECT_ERROR: a middleware said no (or threw)
};
/// The number of HandshakeFailure values.
inline constexpr std::size_t kHandshakeFailures = 11;

/// One cell of each thread's block. Counters only grow; the connection cells pair up into
/// gauges (opened minus closed), summed modulo 2^64 so a decrement on another thread is fine.
enum class Stat : std::uint16_t {
  ConnectionsOpened,  ///< connections opened, + Transport: kTransports cells
  ConnectionsClosed = ConnectionsOpened + kTransports,  ///< closed, + Transport likewise
  ReceivedBytes = ConnectionsClosed + kTransports,      ///< bytes read from connections
  SentBytes,                                            ///< bytes written to connections
  WriteQueueBytes,            ///< a gauge: added when queued, subtracted when written or discarded
  WriteQueueDropped,          ///< messages a full outbound queue dropped
  SlowConsumerDisconnects,    ///< connections closed for passing their queue's hard limit
  WebSocketMessagesReceived,  ///< WebSocket data messages received
  WebSocketMessagesSent,      ///< WebSocket data messages queued
  SseEventsSent,              ///< Server-Sent Events written
  SocketioPacketsReceived,    ///< Socket.IO packets from clients
  SocketioPacketsSent,        ///< Socket.IO packets to clients (one per socket reached)
  Broadcasts,                 ///< Socket.IO broadcasts emitted
  BroadcastDeliveries,        ///< sockets and room members broadcasts were handed to
  RedisConnectionsOpened,     ///< Redis connections made (a gauge with the next)
  RedisConnectionsClosed,     ///< Redis connections lost or closed
  RedisCommands,              ///< Redis commands sent
  RedisErrors,                ///< Redis commands answered with an error or failed
  HandshakeFailures,          ///< + HandshakeFailure: kHandshakeFailures cells
  Count = HandshakeFailures + kHandshakeFailures,  ///< not a cell: the number of cells
};
/// The number of cells in a thread's block.
inline constexpr std::size_t kStats = static_cast<std::size_t>(Stat::Count);

/// Histograms of durations, with fixed buckets (docs/metrics.md).
enum class Histogram : std::uint8_t {
  RedisRoundTrip,  ///< from sending a Redis command to its reply
  Count,           ///< not a histogram: the number of them
};
/// The number of histograms.
inline constexpr std::size_t kHistograms = static_cast<std::size_t>(Histogram::Count);
/// Upper bounds of the buckets, in seconds (+Inf is implied).
inline constexpr std::array<double, 12> kDurationBuckets{
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0};

/// A cell written by its own thread only (a relaxed load and store: no locked instruction)
/// and read by a scrape from any thread.
struct Cell {
  /// The count (modulo 2^64).
  std::atomic<std::uint64_t> value{0};
  /// Adds `n`; on the owning thread only (a load and a store, not an atomic add).
  void add(std::uint64_t n) {
    value.store(value.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  /// The count now; from any thread.
  std::uint64_t get() const { return value.load(std::memory_order_relaxed); }
};

/// The cells of one thread. Registered with the process on first use and folded into the
/// totals when the thread ends.
struct alignas(64) ThreadCells {
  /// One cell per Stat.
  std::array<Cell, kStats> stats;
  /// Per histogram: a count per bucket (+Inf last), the sum in nanoseconds, the count.
  struct Durations {
    std::array<Cell, kDurationBuckets.size() + 1> buckets;  ///< not cumulative
    Cell sum_ns;                                            ///< the sum of the durations
    Cell count;                                             ///< how many were observed
  };
  /// One per Histogram.
  std::array<Durations, kHistograms> histograms;
  /// Set on a shard's thread by its event-loop lag probe: the shard's index (-1 elsewhere).
  std::atomic<int> shard{-1};
  /// The shard's last measured lag, in nanoseconds.
  Cell loop_lag_ns;
};

namespace detail {
inline thread_local ThreadCells* t_cells = nullptr;
/// Makes and registers the calling thread's block.
ThreadCells& attach_thread();
}  // namespace detail

/// The calling thread's cells.
inline ThreadCells& this_thread() {
  auto* cells = detail::t_cells;
  return cells ? *cells : detail::attach_thread();
}

/// Adds `n` to a counter (or a gauge cell) of the calling thread.
inline void add(Stat stat, std::uint64_t n = 1) {
  this_thread().stats[static_cast<std::size_t>(stat)].add(n);
}
/// Subtracts `n` from a gauge cell (WriteQueueBytes).
inline void sub(Stat stat, std::uint64_t n) {
  this_thread().stats[static_cast<std::size_t>(stat)].add(~n + 1);
}
/// Counts one refused handshake.
inline void add(HandshakeFailure failure) {
  this_thread()
      .stats[static_cast<std::size_t>(Stat::HandshakeFailures) + static_cast<std::size_t>(failure)]
      .add(1);
}
/// Records one duration in a histogram.
void observe(Histogram histogram, std::chrono::nanoseconds duration);

/// Counts one open connection of a transport while it lives: opened when made, closed by
/// close() (idempotent) or when destroyed. Not thread-safe; may close on another thread.
class OpenConnection {
 public:
  /// Counts one connection of `transport` as opened (nothing for None).
  explicit OpenConnection(Transport transport = Transport::None) : transport_(transport) {
    count(Stat::ConnectionsOpened);
  }
  /// Counts it closed, unless it already was.
  ~OpenConnection() { close(); }
  /// Moving hands the count over: only the destination closes it.
  OpenConnection(OpenConnection&& other) noexcept : transport_(other.transport_) {
    other.transport_ = Transport::None;
  }
  /// Closes this count, then takes `other`'s over.
  OpenConnection& operator=(OpenConnection&& other) noexcept {
    if (this != &other) {
      close();
      transport_ = other.transport_;
      other.transport_ = Transport::None;
    }
    return *this;
  }

  /// The connection is over (counted once).
  void close() {
    count(Stat::ConnectionsClosed);
    transport_ = Transport::None;
  }
  /// The connection now counts under another transport (an Engine.IO upgrade).
  void move_to(Transport transport) {
    close();
    transport_ = transport;
    count(Stat::ConnectionsOpened);
  }
  /// The transport it counts under (None once closed).
  Transport transport() const { return transport_; }

 private:
  void count(Stat base) {
    if (transport_ == Transport::None) return;
    add(static_cast<Stat>(static_cast<std::size_t>(base) + static_cast<std::size_t>(transport_)));
  }
  Transport transport_;
};

}  // namespace switchboard::metrics
