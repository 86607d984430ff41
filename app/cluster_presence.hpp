#pragma once
// Presence across the nodes of a cluster (`switchboard serve --redis`): each node keeps, per
// room, its own list of who is there in Redis under a time to live that its heartbeats
// renew; the list a client sees is the union of the live nodes' lists. A node killed without
// a word stops renewing, and its people are gone from every node's list within
// ttl + ttl / 3 (10 s + 3.3 s by default). docs/decisions/017-cluster-presence.md.

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "history.hpp"
#include "switchboard/adapter/redis_client.hpp"

namespace switchboard::net {
class Shard;
}

namespace switchboard::app {

class ClusterPresence {
 public:
  using Online = std::vector<Author>;
  struct Options {
    adapter::RedisOptions redis;
    std::string key_prefix = "switchboard:";
    /// A node's lists live this long after its last heartbeat; heartbeats every third of it.
    std::chrono::milliseconds ttl{10000};
  };
  /// On `shard` (shard 0, where Presence lives): `changed(room, union)` runs when a room's
  /// union differs from what was last reported for it; `notify(room)` tells the other nodes
  /// that this node's list of `room` changed (they call refresh(room)).
  ClusterPresence(net::Shard& shard, Options options,
                  std::function<void(const std::string&, Online)> changed,
                  std::function<void(const std::string&)> notify);
  ~ClusterPresence();
  ClusterPresence(const ClusterPresence&) = delete;
  ClusterPresence& operator=(const ClusterPresence&) = delete;

  /// Connects and starts the heartbeats; `own()` gives this node's lists at each one. On the
  /// shard.
  void start(std::function<std::map<std::string, Online>()> own);
  /// This node's list of `room` is now `mine`: written, then `then(union)` (this node's list
  /// alone when Redis is away). On the shard.
  void set(const std::string& room, const Online& mine, std::function<void(Online)> then);
  /// The room's union; `then` as for set().
  void read(const std::string& room, const Online& mine, std::function<void(Online)> then);
  /// Another node's list of `room` changed: read it again and report a change (only for a
  /// room with people on this node).
  void refresh(const std::string& room);
  /// Removes this node's lists (a clean stop).
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace switchboard::app
