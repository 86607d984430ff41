#pragma once
/// A registry of metrics: the built-in switchboard_* ones, a program's own counters and
/// gauges, and collectors that gather values when scraped (a Socket.IO server's sockets per
/// namespace). http::serve_metrics() serves one at /metrics.
///
///     metrics::Registry registry;                              // with the built-in metrics
///     auto& orders = registry.counter("shop_orders_total", "Orders taken.");
///     orders.inc();                                            // from any thread
///     io.add_metrics(registry);                                // sockets and rooms
///     http::serve_metrics(http_server, registry);              // GET /metrics

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "switchboard/metrics/family.hpp"

namespace switchboard::metrics {

/// A counter of a program's own: only grows. Thread-safe (a relaxed atomic add).
class Counter {
 public:
  /// Adds `n`.
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  /// The count now.
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

/// A gauge of a program's own: goes up and down. Thread-safe.
class Gauge {
 public:
  /// Sets the value.
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  /// Adds `delta` (negative to subtract), atomically.
  void add(double delta);
  /// The value now.
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

/// Options of a Registry.
struct RegistryOptions {
  /// Include the process's built-in metrics (connections, bytes, packets, ...: docs/metrics.md).
  bool builtin = true;
};

/// Hands the families a collector gathered to the scrape (once, from any thread).
using CollectDone = std::function<void(std::vector<Family>)>;
/// Gathers families when scraped; may answer later, from another thread (after posting to
/// every shard), and must answer exactly once.
using Collector = std::function<void(CollectDone done)>;

/// The metrics a /metrics route serves. Registering is thread-safe; the registry must outlive
/// the routes and servers that use it.
class Registry {
 public:
  /// An empty registry (with the built-in metrics unless told otherwise).
  explicit Registry(RegistryOptions options = {});
  /// Frees the counters, gauges and collectors (references to them dangle after).
  ~Registry();

  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  /// The counter `name` with these labels, made on first call (the same one after). Throws
  /// std::invalid_argument for an invalid name or label, or a name taken by another type.
  Counter& counter(const std::string& name, const std::string& help, Labels labels = {});
  /// The gauge `name` with these labels (as counter()).
  Gauge& gauge(const std::string& name, const std::string& help, Labels labels = {});
  /// A gauge read when scraped: `read` runs on the scraping thread and must be thread-safe.
  void gauge(const std::string& name, const std::string& help, Labels labels,
             std::function<double()> read);
  /// Adds a collector, run at every scrape.
  void add_collector(Collector collector);

  /// Gathers every metric: `done` gets the text exposition once every collector answered
  /// (on the thread of the last one).
  void scrape(std::function<void(std::string text)> done) const;
  /// The families of the built-in metrics and the registered counters and gauges (not the
  /// collectors'), now.
  std::vector<Family> collect_now() const;

 private:
  struct Entry;
  Entry& add(const std::string& name, const std::string& help, Labels labels);
  RegistryOptions options_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Entry>> entries_;
  std::vector<Collector> collectors_;
};

/// The built-in metrics of this process, summed over every thread's cells (cells.hpp).
std::vector<Family> builtin_families();

}  // namespace switchboard::metrics
