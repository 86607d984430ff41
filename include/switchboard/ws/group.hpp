#pragma once
/// A set of connections spread over shards that one message reaches, framed once.

#include <memory>
#include <unordered_map>
#include <vector>

#include "switchboard/ws/connection.hpp"

namespace switchboard::net {
class Runtime;
}

namespace switchboard::ws {

/// Keeps, per shard, the group's local connections; publish() frames the message once and
/// posts it to every shard. add/remove on the connection's shard; publish from any shard.
class Group {
 public:
  explicit Group(net::Runtime& runtime, PrepareOptions prepare = {});
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  void add(const ConnectionPtr& connection);
  void remove(Connection& connection);
  /// Sends to every member but the one whose id is `except` (0: none).
  void publish(Opcode opcode, std::string_view payload, std::uint64_t except = 0,
               bool is_volatile = false);
  /// Members on the calling shard.
  std::size_t local_size() const;

 private:
  struct Local {
    std::unordered_map<std::uint64_t, std::weak_ptr<Connection>> members;
  };
  net::Runtime& runtime_;
  PrepareOptions prepare_;
  std::vector<std::unique_ptr<Local>> locals_;
};

}  // namespace switchboard::ws
