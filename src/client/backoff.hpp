#pragma once
// Exponential back-off with jitter for reconnection (the JS client's formula).

#include <chrono>
#include <cstdint>

namespace switchboard::client::detail {

/// Delays between reconnection attempts: `min * 2^attempt`, spread by ±`jitter` (0..1) and
/// capped at `max`. `random` in [0, 1) is passed in, so tests are deterministic.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds min, std::chrono::milliseconds max, double jitter)
      : min_(min), max_(max), jitter_(jitter) {}

  /// The delay before the next attempt; counts the attempt.
  std::chrono::milliseconds next(double random);

  /// Attempts made since the last reset.
  unsigned attempts() const { return attempts_; }

  /// Back to the first delay (after a successful connection).
  void reset() { attempts_ = 0; }

 private:
  std::chrono::milliseconds min_, max_;
  double jitter_;
  unsigned attempts_ = 0;
};

}  // namespace switchboard::client::detail
