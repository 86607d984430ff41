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
#include <cstdint>
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
  /// Sockets in any of these rooms (empty: every socket of the namespace).
  std::set<std::string> rooms;
  /// Minus the sockets in any of these rooms.
  std::set<std::string> except;
  /// The packet may be dropped where a client is not ready.
  bool is_volatile = false;
  /// The packet may be compressed (permessage-deflate).
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
  /// The runtime whose shards hold the namespace's sockets.
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
  /// Makes the selected local sockets join `rooms`.
  virtual void local_join(const Target& target, std::vector<std::string> rooms) = 0;
  /// Makes the selected local sockets leave `rooms`.
  virtual void local_leave(const Target& target, std::vector<std::string> rooms) = 0;
  /// Disconnects the selected local sockets (`close`: their connections too).
  virtual void local_disconnect(const Target& target, bool close) = 0;
  /// A server-side event from another node; `reply` (empty when none is wanted) takes the
  /// first argument of the handler's ack.
  virtual void server_side(std::string event, Args args,
                           std::function<void(boost::json::value)> reply) = 0;
  /// A recoverable packet that an adapter keeping sessions (Adapter::keep_sessions) gave the
  /// offset `offset` (also the last of `args`): emitted to the selected local sockets without a
  /// new offset, on every shard in the order of the calls. Called on one thread only.
  virtual void local_broadcast_logged(const Target& target, std::string_view event, Args args,
                                      std::string offset) {
    (void)offset;
    local_broadcast(target, event, std::move(args));
  }

 protected:
  /// Not deleted through this interface: the namespace owns itself.
  ~AdapterHost() = default;
};

/// What a socket needs to come back (connection state recovery) as an adapter keeps it.
struct SessionState {
  /// The socket id the client gets back.
  std::string sid;
  /// The private session id the client names when it comes back.
  std::string pid;
  /// Its rooms, its own id included unless it left it.
  std::set<std::string> rooms;
  /// Its `data`.
  boost::json::value data;
  /// The offset of the last recoverable packet of the namespace that its shard had delivered
  /// when the socket started receiving (a client without offset missed what comes after).
  /// Empty: the adapter takes the newest it has.
  std::string start;
};

/// Why a session is written.
enum class SessionChange : std::uint8_t {
  Connected,  ///< the socket was admitted (or recovered) here: it owns the session
  Changed,    ///< it joined or left a room
  Left,       ///< it left for a recoverable reason: kept for max_disconnection_duration
  Gone,       ///< it left for good (or was never recoverable): forgotten
};

/// A recoverable packet kept by the adapter, as restore_session finds it.
struct MissedPacket {
  /// Its offset in the adapter's stream.
  std::string offset;
  /// Whom it was for.
  Target target;
  /// The event's name.
  std::string event;
  /// Its arguments, the offset last.
  Args args;
};

/// What the adapter keeps for recovery, from ServerOptions::connection_state_recovery.
struct RecoveryLimits {
  /// How long a session is kept after its socket left.
  std::chrono::milliseconds max_disconnection_duration{120000};
  /// Packets kept for replay, at most.
  std::size_t max_packets = 10000;
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
  /// Called when the namespace goes, after close().
  virtual ~Adapter() = default;

  /// Emits to the other nodes' selected sockets.
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
  /// Makes the other nodes' selected sockets join `rooms`.
  virtual void add_sockets(const Target& target, const std::vector<std::string>& rooms) = 0;
  /// Makes the other nodes' selected sockets leave `rooms`.
  virtual void del_sockets(const Target& target, const std::vector<std::string>& rooms) = 0;
  /// Disconnects the other nodes' selected sockets.
  virtual void disconnect_sockets(const Target& target, bool close) = 0;
  /// Hands a server-side event to the other nodes (Server::on_server_side there).
  virtual void server_side_emit(std::string_view event, const Args& args) = 0;
  /// The other nodes' answers (the first argument of each callback), waiting at most
  /// `timeout` (0: the adapter's own request timeout).
  virtual void server_side_emit_with_ack(
      std::string_view event, const Args& args, std::chrono::milliseconds timeout,
      std::function<void(ClusterError, std::vector<boost::json::value>)> done) = 0;
  /// The number of nodes, this one included (1 when the cluster cannot be reached).
  virtual void server_count(std::function<void(std::size_t)> done) = 0;

  /// A room of this process got its first socket (on any shard) / lost its last one; socket
  /// ids' own rooms are not reported.
  virtual void room_created(const std::string& room) { (void)room; }
  /// See room_created().
  virtual void room_deleted(const std::string& room) { (void)room; }
  /// The server is going away: stop and fail what waits.
  virtual void close() {}
  /// Whether the adapter reaches its cluster now (switchboard_adapter_up); nullopt: it cannot
  /// tell. Thread-safe.
  virtual std::optional<bool> healthy() const { return std::nullopt; }

  // Connection state recovery across the cluster (docs/decisions/014). An adapter that
  // keeps sessions orders and keeps every recoverable packet of the namespace and delivers it
  // everywhere, this process included (AdapterHost::local_broadcast_logged), with its own
  // offsets; the namespace then keeps no per-shard logs. The defaults keep nothing: the
  // namespace's in-process recovery (docs/decisions/006) serves.

  /// Called once, when the server has connection state recovery on: true when this adapter
  /// keeps the sessions and packets from now on.
  virtual bool keep_sessions(const RecoveryLimits& limits) {
    (void)limits;
    return false;
  }
  /// A recoverable emit: the adapter gives it an offset (appended to `args`), keeps it and
  /// delivers it to the selected sockets of every node, this one included.
  virtual void broadcast_logged(const Target& target, std::string_view event, const Args& args) {
    (void)target, (void)event, (void)args;
  }
  /// Keeps (or forgets, SessionChange::Gone) what a socket needs to come back.
  virtual void persist_session(const SessionState& session, SessionChange change) {
    (void)session, (void)change;
  }
  /// Takes the session of `pid` (it is not kept any more): nullopt when unknown or expired.
  virtual void restore_session(const std::string& pid,
                               std::function<void(std::optional<SessionState>)> done) {
    (void)pid;
    done(std::nullopt);
  }
  /// Every kept packet after offset `after`, oldest first, and the newest offset kept when
  /// they were read (the horizon: a packet at or before it that is delivered later is a
  /// duplicate). nullopt when packets after `after` were dropped or the store is unreachable.
  virtual void missed_packets(
      const std::string& after,
      std::function<void(std::optional<std::vector<MissedPacket>>, std::string horizon)> done) {
    (void)after;
    done(std::nullopt, {});
  }
};

/// Makes a namespace's adapter (once per namespace and process).
using AdapterFactory = std::function<std::unique_ptr<Adapter>(AdapterHost& host)>;

}  // namespace switchboard::socketio
