#pragma once
/// The cluster side of a namespace: the operations of socket.io-adapter that cross processes.
///
/// A namespace always serves every shard of its own process itself (a broadcast is encoded
/// once and sent by each shard). An Adapter carries each operation to the other members of a
/// cluster and brings theirs in through the namespace's AdapterHost. Without an adapter (the
/// default, ServerOptions::adapter empty) the process is a cluster of one, exactly as before.
///
///     socketio::ServerOptions options;
///     options.adapter = adapter::redis_adapter({.redis = *adapter::parse_redis_url(url)});
///     socketio::Server io(runtime, options);  // like io.adapter(createAdapter(...)) in Node

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "switchboard/socketio/args.hpp"
#include "switchboard/socketio/broadcast_operator.hpp"

namespace switchboard::net {
class Runtime;
}

namespace switchboard::socketio {

/// Which sockets an operation selects, and the flags of a broadcast.
struct Target {
  std::set<std::string> rooms;
  std::set<std::string> except;
  bool is_volatile = false;
  bool compress = true;
  /// emit_with_ack's timeout (0: none).
  std::chrono::milliseconds timeout{0};
};

/// What a namespace offers its adapter: the local half of every operation, on every shard of
/// this process. Thread-safe; callbacks run on the thread that made the call when it is a
/// shard's thread.
class AdapterHost {
 public:
  /// The namespace's name.
  virtual const std::string& nsp_name() const = 0;
  virtual net::Runtime& runtime() = 0;
  /// Emits `event` to the selected local sockets (encoded once for every shard).
  virtual void local_broadcast(const Target& target, std::string_view event, Args args) = 0;
  /// The same, with acks: `on_count` once with the number of clients that were sent it (all
  /// shards), `on_ack` with each client's answer.
  virtual void local_broadcast_with_ack(const Target& target, std::string_view event, Args args,
                                        std::function<void(std::size_t)> on_count,
                                        std::function<void(Args)> on_ack) = 0;
  /// The selected local sockets (rooms include each socket's own id).
  virtual void local_fetch(const Target& target,
                           std::function<void(std::vector<SocketInfo>)> done) = 0;
  virtual void local_join(const Target& target, std::vector<std::string> rooms) = 0;
  virtual void local_leave(const Target& target, std::vector<std::string> rooms) = 0;
  virtual void local_disconnect(const Target& target, bool close) = 0;
  /// A server-side event from another node; `reply` (empty when none is wanted) takes the
  /// first argument of the handler's ack.
  virtual void server_side(std::string event, Args args,
                           std::function<void(boost::json::value)> reply) = 0;

 protected:
  ~AdapterHost() = default;
};

/// Why a cluster request fell short ("operation has timed out", "cluster unavailable"), or
/// nullopt when every node answered.
using ClusterError = std::optional<std::string>;

/// The remote half of each operation. The namespace has done (or does) the local half: an
/// adapter never delivers to this process's sockets for the namespace's own operations. May
/// be called from any shard's thread; callbacks may run on any thread (the namespace moves
/// them back to the caller's shard).
class Adapter {
 public:
  virtual ~Adapter() = default;

  virtual void broadcast(const Target& target, std::string_view event, const Args& args) = 0;
  /// `on_nodes` gets the number of other nodes whose counts to wait for (0 when there are none
  /// or the cluster cannot be reached), `on_count` each node's client count, `on_ack` each
  /// remote client's answer.
  virtual void broadcast_with_ack(const Target& target, std::string_view event, const Args& args,
                                  std::function<void(std::size_t)> on_nodes,
                                  std::function<void(std::size_t)> on_count,
                                  std::function<void(Args)> on_ack) = 0;
  /// The other nodes' selected sockets (`local` false on each).
  virtual void fetch_sockets(const Target& target,
                             std::function<void(ClusterError, std::vector<SocketInfo>)> done) = 0;
  virtual void add_sockets(const Target& target, const std::vector<std::string>& rooms) = 0;
  virtual void del_sockets(const Target& target, const std::vector<std::string>& rooms) = 0;
  virtual void disconnect_sockets(const Target& target, bool close) = 0;
  virtual void server_side_emit(std::string_view event, const Args& args) = 0;
  /// The other nodes' answers (the first argument of each callback).
  virtual void server_side_emit_with_ack(
      std::string_view event, const Args& args, std::chrono::milliseconds timeout,
      std::function<void(ClusterError, std::vector<boost::json::value>)> done) = 0;
  /// The number of nodes, this one included (1 when the cluster cannot be reached).
  virtual void server_count(std::function<void(std::size_t)> done) = 0;

  /// A room of this process got its first socket (on any shard) / lost its last one; socket
  /// ids' own rooms are not reported.
  virtual void room_created(const std::string& room) { (void)room; }
  virtual void room_deleted(const std::string& room) { (void)room; }
  /// The server is going away: stop and fail what waits.
  virtual void close() {}
};

/// Makes a namespace's adapter (once per namespace and process).
using AdapterFactory = std::function<std::unique_ptr<Adapter>(AdapterHost& host)>;

}  // namespace switchboard::socketio
