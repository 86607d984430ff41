#pragma once
// Who is online in which room, across shards: the state lives on shard 0 and every change is
// a message posted there (nothing shared mutably).

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace switchboard::net {
class Runtime;
class Shard;
}  // namespace switchboard::net

namespace switchboard::app {

class Presence {
 public:
  using Online = std::vector<std::string>;
  /// `changed` runs on shard 0 after each change with the room's new list.
  Presence(net::Runtime& runtime, std::function<void(const std::string& room, Online)> changed);

  /// `name` is in `room` once more (several tabs count once). `then` gets the room's list,
  /// on the calling shard.
  void join(const std::string& room, const std::string& name, std::function<void(Online)> then);
  void leave(const std::string& room, const std::string& name);
  /// The room's list, on the calling shard.
  void online(const std::string& room, std::function<void(Online)> then);
  void rename(const std::string& room, const std::string& from, const std::string& to);

 private:
  void on_owner(std::function<void()> fn);
  Online list(const std::string& room) const;
  static void answer(net::Shard* caller, std::function<void(Online)> then, Online online);
  void remove(const std::string& room, const std::string& name);

  net::Runtime& runtime_;
  std::function<void(const std::string&, Online)> changed_;
  std::map<std::string, std::map<std::string, int>> rooms_;  // shard 0 only
};

}  // namespace switchboard::app
