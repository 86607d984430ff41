#pragma once
// A clock that moves only when a test says so, for timeouts driven by a sans-I/O core.

#include <chrono>

namespace switchboard::test {

class ManualClock {
 public:
  using duration = std::chrono::steady_clock::duration;
  using time_point = std::chrono::steady_clock::time_point;

  time_point now() const { return now_; }
  void advance(duration d) { now_ += d; }

 private:
  time_point now_{std::chrono::hours(1)};
};

}  // namespace switchboard::test
