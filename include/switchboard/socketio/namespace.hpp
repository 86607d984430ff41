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
  /// The error's message (`err.message` on the JS client).
  std::string message;
  /// Sent as `data` when not null (`err.data` on the JS client).
  boost::json::value data;
};

/// A middleware's answer, as Node's `next`: `next()` lets the socket go on (to the next
/// middleware, then in), `next(ConnectError{...})` refuses it with CONNECT_ERROR. Only the
/// first call counts. It may be called later (asynchronously), from any thread: the answer
/// is carried out on the socket's shard; a socket whose client has gone meanwhile is dropped.
class Next {
 public:
  /// Made by the server; `answer` gets nullopt (admit) or the refusal.
  explicit Next(std::function<void(std::optional<ConnectError>)> answer)
      : answer_(std::move(answer)) {}
  /// Lets the socket go on.
  void operator()() const { answer_(std::nullopt); }
  /// Refuses the socket with `error`.
  void operator()(ConnectError error) const { answer_(std::move(error)); }
  /// Refuses the socket when `error` holds one, else lets it go on (the older form).
  void operator()(std::optional<ConnectError> error) const { answer_(std::move(error)); }

 private:
  std::function<void(std::optional<ConnectError>)> answer_;
};

/// Runs before a socket joins its namespace, in the order of use(), on the socket's shard;
/// answers with `next` (see Next). The socket is not connected yet: it can be read (its
/// handshake, its `data` written), not emitted to. An exception refuses it ("server error").
using Middleware = std::function<void(const SocketPtr& socket, Next next)>;

/// A namespace (a handle: copies share it); its handlers apply on every shard. Configure
/// it before the server starts. Its broadcasts may be made from any thread.
class Namespace {
 public:
  /// Made by the server (Server::of(), Socket::nsp()).
  explicit Namespace(std::shared_ptr<detail::NamespaceCore> core) : core_(std::move(core)) {}

  /// Its name ("/", "/chat"; a dynamic namespace's own name).
  const std::string& name() const;
  /// Adds a middleware (they run in the order added), before the server starts.
  void use(Middleware middleware);
  /// Runs for each socket that connected (after the middlewares), on its shard. `socket` is
  /// the caller's to use during the call; see Socket for how to hold it beyond.
  void on_connection(std::function<void(const SocketPtr& socket)> handler);

  /// The sockets of the namespace in `room`.
  BroadcastOperator to(std::string room) const { return all().to(std::move(room)); }
  /// Same as to().
  BroadcastOperator in(std::string room) const { return to(std::move(room)); }
  /// Every socket of the namespace but those in `room`.
  BroadcastOperator except(std::string room) const { return all().except(std::move(room)); }
  /// Every socket, the event droppable where a client is not ready (BroadcastOperator).
  BroadcastOperator volatile_() const { return all().volatile_(); }
  /// Every socket, with a time limit for emit_with_ack().
  BroadcastOperator timeout(std::chrono::milliseconds t) const { return all().timeout(t); }
  /// Every socket of the namespace.
  BroadcastOperator all() const { return BroadcastOperator(core_); }
  /// Emits to every socket of the namespace (from any thread).
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
