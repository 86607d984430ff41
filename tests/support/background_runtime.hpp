#pragma once
// Runs a net::Runtime on background threads for tests that talk to a real server over
// loopback, and stops it (gracefully) when the test ends.

#include <future>
#include <thread>

#include "switchboard/net/runtime.hpp"

namespace switchboard::test {

class BackgroundRuntime {
 public:
  explicit BackgroundRuntime(unsigned shards = 1)
      : runtime({.shards = shards,
                 .shutdown_grace = std::chrono::milliseconds(2000),
                 .handle_signals = false}) {}
  ~BackgroundRuntime() { stop(); }

  void start() {
    thread_ = std::thread([this] { runtime.run(); });
  }
  void stop() {
    if (!thread_.joinable()) return;
    runtime.shutdown();
    thread_.join();
  }

  net::Runtime runtime;

 private:
  std::thread thread_;
};

/// Runs `fn` on `shard`'s thread (its runtime running) and returns what it returns.
template <class F>
auto run_on(net::Shard& shard, F fn) {
  std::packaged_task<decltype(fn())()> task(std::move(fn));
  auto result = task.get_future();
  shard.post([&task] { task(); });
  return result.get();
}

}  // namespace switchboard::test
