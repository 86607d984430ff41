#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "switchboard/socketio/broadcast_operator.hpp"
#include "switchboard/socketio/room_member.hpp"
#include "switchboard/socketio/socket.hpp"

namespace switchboard::socketio {

/// A middleware refusal: the client gets CONNECT_ERROR {message, data}.
struct ConnectError {
  std::string message;
  boost::json::value data;
};

/// Runs before a socket joins its namespace; call `next()` to let it in, or
/// `next(ConnectError{...})` to refuse. May answer later (asynchronously), on the socket's shard.
using Middleware =
    std::function<void(const SocketPtr&, std::function<void(std::optional<ConnectError>)> next)>;

/// A namespace; its handlers apply on every shard. Configure it before the server starts.
class Namespace {
 public:
  explicit Namespace(std::shared_ptr<detail::NamespaceCore> core) : core_(std::move(core)) {}

  const std::string& name() const;
  void use(Middleware middleware);
  /// Runs for each socket that connected (after the middlewares), on its shard.
  void on_connection(std::function<void(const SocketPtr&)> handler);

  BroadcastOperator to(std::string room) const { return all().to(std::move(room)); }
  BroadcastOperator in(std::string room) const { return to(std::move(room)); }
  BroadcastOperator except(std::string room) const { return all().except(std::move(room)); }
  BroadcastOperator volatile_() const { return all().volatile_(); }
  BroadcastOperator timeout(std::chrono::milliseconds t) const { return all().timeout(t); }
  /// Every socket of the namespace.
  BroadcastOperator all() const { return BroadcastOperator(core_); }
  template <class... T>
  void emit(std::string_view event, T&&... values) const {
    all().emit(event, std::forward<T>(values)...);
  }
  /// Puts `member`, a connection of the calling shard that is not a Socket.IO socket (a raw
  /// WebSocket, an SSE stream, a held poll), in `room`: every broadcast to the room, from any
  /// shard or any node of a cluster, reaches it through its transport (room_member.hpp). The
  /// namespace holds it until leave(). Call on its shard.
  void join(std::shared_ptr<Member> member, const std::string& room) const;
  /// Takes `member` out of every room it joined. Call on its shard.
  void leave(const Member& member) const;
  /// Sockets of the namespace on the calling shard.
  std::size_t local_size() const;

 private:
  std::shared_ptr<detail::NamespaceCore> core_;
};

}  // namespace switchboard::socketio
