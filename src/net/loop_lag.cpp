#include "switchboard/net/loop_lag.hpp"

#include <memory>

#include "switchboard/metrics/cells.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::net {

namespace {

// One per shard (Shard::local): re-arms itself and records each delay in the thread's cells.
struct LagProbe {
  std::unique_ptr<Timer> timer;
  std::chrono::steady_clock::duration interval{};
  std::chrono::steady_clock::time_point due{};

  void arm() {
    due = std::chrono::steady_clock::now() + interval;
    timer->arm(interval, [this] {
      auto late = std::chrono::steady_clock::now() - due;
      auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(late).count();
      metrics::this_thread().loop_lag_ns.value.store(ns > 0 ? static_cast<std::uint64_t>(ns) : 0,
                                                     std::memory_order_relaxed);
      arm();
    });
  }
};

}  // namespace

void watch_loop_lag(Runtime& runtime, std::chrono::milliseconds interval) {
  runtime.post_each([interval](Shard& shard) {
    auto& probe = shard.local<LagProbe>();
    if (probe.timer || shard.stopping()) return;
    metrics::this_thread().shard.store(static_cast<int>(shard.index()), std::memory_order_relaxed);
    probe.timer = std::make_unique<Timer>(shard);
    probe.interval = interval;
    probe.arm();
    shard.add_stop_hook([&probe] { probe.timer->cancel(); });
  });
}

}  // namespace switchboard::net
