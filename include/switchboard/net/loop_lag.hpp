#pragma once
/// Event-loop lag: how late a shard runs what is due, the first sign of a loop kept busy.

#include <chrono>

namespace switchboard::net {

class Runtime;

/// Starts a probe on every shard: a timer every `interval` that records how late it fired
/// (switchboard_event_loop_lag_seconds{shard}, docs/metrics.md). Costs one timer per shard
/// and interval. Idempotent (the first interval stays); stops when shutdown begins.
/// Thread-safe; before or during run().
void watch_loop_lag(Runtime& runtime,
                    std::chrono::milliseconds interval = std::chrono::milliseconds(500));

}  // namespace switchboard::net
