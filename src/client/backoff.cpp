#include "client/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::client::detail {

std::chrono::milliseconds Backoff::next(double random) {
  double ms = static_cast<double>(min_.count()) * std::pow(2.0, std::min(attempts_, 31u));
  ++attempts_;
  if (jitter_ > 0) {
    double deviation = random * jitter_ * ms;
    // The JS client: half the draws subtract, half add.
    ms = (static_cast<int>(std::floor(random * 10)) & 1) == 0 ? ms - deviation : ms + deviation;
  }
  ms = std::clamp(ms, 0.0, static_cast<double>(max_.count()));
  return std::chrono::milliseconds(static_cast<std::int64_t>(ms));
}

}  // namespace switchboard::client::detail
