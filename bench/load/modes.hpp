#pragma once
/// The load generator's modes. Each runs to completion, prints one JSON line and returns the
/// process exit status (0 ok, 1 the server misbehaved, 3 setup failed).

#include "driver.hpp"
#include "options.hpp"

namespace switchboard::bench {

int run_echo(const Options& options);
int run_broadcast(const Options& options);
int run_idle(const Options& options);
int run_connect_rate(const Options& options);

/// The target the options describe; `path` is the raw WebSocket path.
Target make_target(const Options& options, std::string path);

/// Opens `count` connections and polls until they are all ready, one fails, or `timeout_s`
/// passes. True when all are ready.
bool connect_all(Driver& driver, std::size_t count, double timeout_s);

/// Prints a result line for a run whose connections could not be set up; returns 3.
int setup_failed(const Options& options, const Driver& driver, std::size_t wanted);

/// Seconds to nanoseconds.
inline std::uint64_t to_ns(double seconds) {
  return static_cast<std::uint64_t>(seconds * 1e9);
}

}  // namespace switchboard::bench
