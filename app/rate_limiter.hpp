#pragma once
// A token bucket: a burst, then a steady rate (per connection; not thread-safe).

#include <algorithm>
#include <chrono>

namespace switchboard::app {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  RateLimiter(double burst, double per_second)
      : burst_(burst), rate_(per_second), tokens_(burst), last_(Clock::now()) {}

  /// Takes one token if there is one.
  bool allow(Clock::time_point now = Clock::now()) {
    std::chrono::duration<double> elapsed = now - last_;
    last_ = now;
    tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
    if (tokens_ < 1) return false;
    tokens_ -= 1;
    return true;
  }

 private:
  double burst_;
  double rate_;
  double tokens_;
  Clock::time_point last_;
};

}  // namespace switchboard::app
