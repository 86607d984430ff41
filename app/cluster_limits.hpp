#pragma once
// The chat's rate limits and room / user quotas across a cluster (`switchboard serve
// --redis`): the same token buckets as RateLimits, kept in Redis, so that a person or an
// address gets its limit once for the whole cluster, whichever nodes its requests reach
// (a round-robin balancer spreads them over every node). One Lua script per check; while
// Redis does not answer, the node's own buckets (RateLimits) decide.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rate_limits.hpp"
#include "switchboard/adapter/redis_client.hpp"

namespace switchboard::net {
class Runtime;
}

namespace switchboard::app {

class ClusterLimits {
 public:
  /// nullopt: allowed (a token of each bucket was taken); else how long to wait.
  using Done = std::function<void(std::optional<std::chrono::milliseconds>)>;
  ClusterLimits(net::Runtime& runtime, adapter::RedisOptions redis, RateLimits::Options rates,
                RateLimits& fallback, std::string key_prefix = "switchboard:");
  ~ClusterLimits();
  ClusterLimits(const ClusterLimits&) = delete;
  ClusterLimits& operator=(const ClusterLimits&) = delete;

  /// As RateLimits::take / take_room / take_user. `done` runs on the calling shard (on shard
  /// 0 when called from another thread).
  void take(std::string name, std::string address, Done done);
  void take_room(std::string address, Done done);
  void take_user(std::string address, Done done);

  struct State;

 private:
  struct Bucket {
    std::string key;
    Rate rate;
  };
  void run(std::vector<Bucket> buckets,
           std::function<std::optional<std::chrono::milliseconds>()> fallback, Done done);
  std::shared_ptr<State> state_;
  RateLimits::Options rates_;
  std::string prefix_;
};

}  // namespace switchboard::app
