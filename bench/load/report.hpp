#pragma once
/// The one JSON result line every mode ends with, and the server measurements in it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "histogram.hpp"
#include "options.hpp"
#include "proc_stats.hpp"

namespace switchboard::bench {

/// Misbehaviour counted while checking payloads. Any non-zero count fails the run.
struct Faults {
  std::uint64_t lost = 0;
  std::uint64_t duplicated = 0;
  std::uint64_t reordered = 0;
  std::uint64_t corrupted = 0;
  std::uint64_t disconnected = 0;

  bool any() const { return lost + duplicated + reordered + corrupted + disconnected > 0; }
};

/// CPU time of the server (utime + stime of --server-pid) and of this process between start()
/// and stop(): the measurement window, extended until the work sent in it is done.
class ServerMeter {
 public:
  explicit ServerMeter(pid_t pid) : pid_(pid) {}
  void start();
  void stop();
  /// Server CPU seconds between start() and stop(); nullopt without a readable pid.
  std::optional<double> cpu_seconds() const;
  /// The share of the server's CPU time spent in the kernel (syscalls, loopback TCP).
  std::optional<double> system_share() const;
  /// Seconds the server's threads waited for a CPU between start() and stop().
  std::optional<double> runqueue_wait_seconds() const;
  /// This process's CPU seconds between start() and stop().
  double self_cpu_seconds() const { return self_end_ - self_begin_; }
  /// Wall-clock seconds between start() and stop().
  double wall_seconds() const;

 private:
  pid_t pid_;
  std::optional<CpuTimes> begin_;
  std::optional<CpuTimes> end_;
  std::optional<double> wait_begin_;
  std::optional<double> wait_end_;
  double self_begin_ = 0;
  double self_end_ = 0;
  std::uint64_t wall_begin_ = 0;
  std::uint64_t wall_end_ = 0;
};

/// Builds {"mode":...,"label":...,...} in insertion order and prints it on one line.
class Report {
 public:
  explicit Report(const Options& options);
  Report& add(std::string_view key, double value);
  Report& add(std::string_view key, std::uint64_t value);
  Report& add(std::string_view key, bool value);
  Report& add(std::string_view key, std::string_view value);
  /// Without it a string literal would convert to bool.
  Report& add(std::string_view key, const char* value) { return add(key, std::string_view(value)); }
  /// "key":{"p50":..,"p99":..,"p999":..,"max_bucket":..} in microseconds.
  Report& add_latency(std::string_view key, const Histogram& histogram);
  Report& add_faults(const Faults& faults);
  /// The server's CPU seconds and utilisation, this generator's utilisation, and `count` per
  /// server CPU-second under `per_cpu_key`.
  Report& add_server_cpu(const ServerMeter& meter, double count, std::string_view per_cpu_key);
  /// Prints the line to stdout and flushes.
  void print() const;

 private:
  Report& raw(std::string_view key, std::string_view json);
  std::string text_;
};

}  // namespace switchboard::bench
