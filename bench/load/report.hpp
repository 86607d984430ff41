#pragma once
/// The one JSON result line every mode ends with, and the server measurements in it.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "histogram.hpp"
#include "options.hpp"

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

/// Server CPU time over the measurement window (utime + stime of --server-pid).
class ServerMeter {
 public:
  explicit ServerMeter(pid_t pid) : pid_(pid) {}
  void start();
  void stop();
  /// CPU seconds used between start() and stop(); nullopt without a readable pid.
  std::optional<double> cpu_seconds() const;

 private:
  pid_t pid_;
  std::optional<double> begin_;
  std::optional<double> end_;
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
  /// rate / cpu seconds under "<key>" when the CPU time is known, and the CPU time itself.
  Report& add_server_cpu(const ServerMeter& meter, double duration_s, double count,
                         std::string_view per_cpu_key);
  /// Prints the line to stdout and flushes.
  void print() const;

 private:
  Report& raw(std::string_view key, std::string_view json);
  std::string text_;
};

}  // namespace switchboard::bench
