#include "rate_limits.hpp"

#include <algorithm>
#include <cmath>

namespace switchboard::app {

namespace {

std::chrono::milliseconds round_up(Buckets::Clock::duration d) {
  auto ms = std::chrono::ceil<std::chrono::milliseconds>(d);
  return std::max(ms, std::chrono::milliseconds(1));
}

}  // namespace

Buckets::Bucket& Buckets::refill(const std::string& key, Clock::time_point now) {
  auto [it, fresh] = buckets_.try_emplace(key, Bucket{rate_.burst, now});
  auto& b = it->second;
  if (!fresh) {
    std::chrono::duration<double> elapsed = now - b.last;
    b.tokens = std::min(rate_.burst, b.tokens + std::max(0.0, elapsed.count()) * rate_.per_second);
    b.last = now;
  }
  return b;
}

Buckets::Clock::duration Buckets::wait(const std::string& key, Clock::time_point now) {
  auto& b = refill(key, now);
  if (b.tokens >= 1) return Clock::duration::zero();
  if (rate_.per_second <= 0) return std::chrono::hours(24);
  std::chrono::duration<double> missing((1 - b.tokens) / rate_.per_second);
  return std::chrono::duration_cast<Clock::duration>(missing) + Clock::duration(1);
}

void Buckets::take(const std::string& key) {
  buckets_.at(key).tokens -= 1;
}

void Buckets::prune(Clock::time_point now) {
  std::erase_if(buckets_, [&](const auto& entry) {
    std::chrono::duration<double> elapsed = now - entry.second.last;
    return entry.second.tokens + elapsed.count() * rate_.per_second >= rate_.burst;
  });
}

RateLimits::RateLimits(Options options)
    : names_(options.per_name),
      addresses_(options.per_address),
      rooms_(options.rooms_per_address),
      users_(options.users_per_address) {}

void RateLimits::maybe_prune(Clock::time_point now) {
  // Every 4096 checks: a sweep costs what the map holds, shared by the checks since the last.
  if (++calls_ % 4096 != 0) return;
  names_.prune(now);
  addresses_.prune(now);
  rooms_.prune(now);
  users_.prune(now);
}

std::optional<std::chrono::milliseconds> RateLimits::take(std::string_view name,
                                                          std::string_view address,
                                                          Clock::time_point now) {
  std::string name_key(name), address_key(address);
  std::lock_guard lock(mutex_);
  maybe_prune(now);
  auto wait = std::max(names_.wait(name_key, now), addresses_.wait(address_key, now));
  if (wait > Clock::duration::zero()) return round_up(wait);
  names_.take(name_key);
  addresses_.take(address_key);
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> RateLimits::take_one(Buckets& buckets,
                                                              std::string_view address,
                                                              Clock::time_point now) {
  std::string key(address);
  std::lock_guard lock(mutex_);
  maybe_prune(now);
  auto wait = buckets.wait(key, now);
  if (wait > Clock::duration::zero()) return round_up(wait);
  buckets.take(key);
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> RateLimits::take_room(std::string_view address,
                                                               Clock::time_point now) {
  return take_one(rooms_, address, now);
}

std::optional<std::chrono::milliseconds> RateLimits::take_user(std::string_view address,
                                                               Clock::time_point now) {
  return take_one(users_, address, now);
}

}  // namespace switchboard::app
