#pragma once
// The chat's rate limits, shared by every shard and transport: token buckets keyed by the
// person's name and by the client's address, so that reconnecting or switching transport
// does not refill them.

#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace switchboard::app {

/// A token bucket's shape: `burst` at once, then `per_second`.
struct Rate {
  double burst = 20;
  double per_second = 5;
};

/// Token buckets by key. Not thread-safe (RateLimits locks around it). A key that has not
/// been seen, or whose bucket refilled completely, starts full; such buckets are forgotten
/// now and then, so memory follows the number of recently active keys.
class Buckets {
 public:
  using Clock = std::chrono::steady_clock;
  explicit Buckets(Rate rate) : rate_(rate) {}
  /// How long until `key` has a token (zero: it has one now).
  Clock::duration wait(const std::string& key, Clock::time_point now);
  /// Takes a token from `key` (which wait() found to have one).
  void take(const std::string& key);
  /// Forgets the buckets that are full again.
  void prune(Clock::time_point now);
  std::size_t size() const { return buckets_.size(); }

 private:
  struct Bucket {
    double tokens;
    Clock::time_point last;
  };
  Bucket& refill(const std::string& key, Clock::time_point now);

  Rate rate_;
  std::unordered_map<std::string, Bucket> buckets_;
};

/// Every limit of the chat. Thread-safe (one mutex; a check is a few hash lookups).
class RateLimits {
 public:
  using Clock = Buckets::Clock;
  struct Options {
    /// Messages, typing notices and renames by one person (a user id; a guest's name), over
    /// every transport.
    Rate per_name{20, 5};
    /// The same, by one client address (many people may share one address).
    Rate per_address{200, 50};
    /// Rooms created from one client address.
    Rate rooms_per_address{10, 1.0 / 60};
    /// Users registered from one client address.
    Rate users_per_address{30, 1};
  };
  explicit RateLimits(Options options);

  /// Takes a token from the name's and the address's buckets (both or neither): nullopt when
  /// allowed, else how long to wait before trying again.
  std::optional<std::chrono::milliseconds> take(std::string_view name, std::string_view address,
                                                Clock::time_point now = Clock::now());
  /// Takes a registration token of `address`: nullopt when allowed, else how long to wait.
  std::optional<std::chrono::milliseconds> take_user(std::string_view address,
                                                     Clock::time_point now = Clock::now());
  /// Takes a room-creation token of `address`: nullopt when allowed, else how long to wait.
  std::optional<std::chrono::milliseconds> take_room(std::string_view address,
                                                     Clock::time_point now = Clock::now());

 private:
  void maybe_prune(Clock::time_point now);
  std::optional<std::chrono::milliseconds> take_one(Buckets& buckets, std::string_view address,
                                                    Clock::time_point now);

  std::mutex mutex_;
  Buckets names_, addresses_, rooms_, users_;
  std::uint64_t calls_ = 0;
};

}  // namespace switchboard::app
