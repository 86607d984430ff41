#pragma once
// Who is online in which room, across shards: the state lives on shard 0 and every change is
// a message posted there (nothing shared mutably). A person is counted by Author::key() (the
// user id; a guest's name), so two people with one display name are two entries, and one
// person with several tabs is one. With a cluster (cluster()), each node's lists go to Redis
// and every list given out is the union over the live nodes (cluster_presence.hpp).

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "cluster_presence.hpp"
#include "history.hpp"

namespace switchboard::net {
class Runtime;
class Shard;
}  // namespace switchboard::net

namespace switchboard::app {

class Presence {
 public:
  using Online = std::vector<Author>;
  /// `changed` runs on shard 0 after each change with the room's new list.
  Presence(net::Runtime& runtime, std::function<void(const std::string& room, Online)> changed);

  /// `who` is in `room` once more (several tabs count once). `then` gets the room's list,
  /// on the calling shard.
  void join(const std::string& room, const Author& who, std::function<void(Online)> then);
  void leave(const std::string& room, const Author& who);
  /// The room's list, on the calling shard.
  void online(const std::string& room, std::function<void(Online)> then);
  /// `from` is now called `to` (a user keeps its id; a guest's key changes with its name).
  void rename(const std::string& room, const Author& from, const Author& to);
  /// Makes the lists cluster-wide: `notify(room)` tells the other nodes of a change here
  /// (on shard 0); they call refresh(room). Before the runtime runs.
  void cluster(ClusterPresence::Options options, std::function<void(const std::string&)> notify);
  /// Another node's list of `room` changed.
  void refresh(const std::string& room);

 private:
  struct Entry {
    Author who;
    int count = 0;
  };
  void on_owner(std::function<void()> fn);
  Online list(const std::string& room) const;
  static void answer(net::Shard* caller, std::function<void(Online)> then, Online online);
  int remove(const std::string& room, const Author& who);
  /// After a change of `room` here: the union to `changed_` (and `then`).
  void changed(const std::string& room, std::function<void(Online)> then = {});

  net::Runtime& runtime_;
  std::function<void(const std::string&, Online)> changed_;
  std::map<std::string, std::map<std::string, Entry>> rooms_;  // shard 0 only
  std::unique_ptr<ClusterPresence> cluster_;                   // used on shard 0 only
};

/// [{"id", "name", "guest"}] for the clients.
boost::json::array to_json(const Presence::Online& online);

}  // namespace switchboard::app
