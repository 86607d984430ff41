#pragma once
/// The Socket.IO v5 server: namespaces (static and dynamic), sockets, rooms, broadcasts,
/// acks, middleware, over Engine.IO v4, on every shard of a runtime.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "switchboard/engineio/server.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/socketio/adapter.hpp"
#include "switchboard/socketio/namespace.hpp"

namespace switchboard::net {
class Runtime;
}
namespace switchboard::metrics {
class Registry;
}

namespace switchboard::socketio {

/// Connection state recovery: a client that lost its connection for a short while gets back
/// its socket id, rooms, `data` and every packet it missed (PROTOCOL.md §7).
struct ConnectionStateRecovery {
  /// How long the session of a disconnected client is kept.
  std::chrono::milliseconds max_disconnection_duration{120000};
  /// A recovered client does not go through the namespace's middlewares again.
  bool skip_middlewares = true;
  /// Packets kept per namespace and shard for replay (older ones go first; a client that
  /// missed more than that is not recovered).
  std::size_t max_packets = 10000;
};

/// User code that threw: where, and what it said (ServerOptions::on_handler_error).
struct HandlerError {
  /// The namespace ("/" for the main one).
  std::string_view nsp;
  /// The socket it ran for; empty when none (a broadcast's ack callback, fetch_sockets).
  std::string_view socket_id;
  /// The event's name, or what kind of callback: "connection", "middleware", "ack",
  /// "disconnecting", "disconnect", "any outgoing", "broadcast ack", "fetch_sockets",
  /// "server side ack" (an on_any listener reports the event's name).
  std::string_view where;
  /// The exception's what().
  std::string_view what;
};

/// Options, with the reference server's defaults.
struct ServerOptions {
  /// Engine.IO options; the path defaults to /socket.io/.
  engineio::ServerOptions engine{.path = "/socket.io/"};
  /// A client that joins no namespace within this time is disconnected.
  std::chrono::milliseconds connect_timeout{45000};
  /// Binary attachments per packet (more is a parse error).
  std::size_t max_attachments = 10;
  /// Off by default, as in the reference.
  std::optional<ConnectionStateRecovery> connection_state_recovery;
  /// Called on the shard where user code threw (an event handler, on_any, on_any_outgoing, a
  /// connection or disconnect handler, a middleware, an ack callback). The exception goes no
  /// further: it is counted (Server::handler_errors()), the socket it ran for is disconnected
  /// with reason "server error" (a middleware's socket is refused with CONNECT_ERROR
  /// "server error"), and every other socket carries on. Default: a warn record in the log
  /// ("socket.io handler threw", docs/logging.md).
  std::function<void(const HandlerError&)> on_handler_error;
  /// The cluster adapter of every namespace (Node's `io.adapter(createAdapter(...))`), e.g.
  /// adapter::redis_adapter(...); empty: no cluster, this process is the whole world.
  AdapterFactory adapter;
};

namespace detail {
class ServerCore;
}
struct AdminOptions;

/// The server. Create namespaces and handlers before runtime.run() (docs/library.md).
///
///     socketio::Server io(runtime);
///     io.on_connection([](const socketio::SocketPtr& socket) {
///       socket->on("chat", [](socketio::Socket& s, socketio::Event& e) {
///         s.broadcast().emit("chat", e.args[0]);
///       });
///     });
///     io.attach(http_server.router());
class Server {
 public:
  /// A server on every shard of `runtime`, which must outlive it.
  Server(net::Runtime& runtime, ServerOptions options = {});
  /// Drops every handler and stops the cluster adapters; the runtime must have stopped.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The namespace called `name`, created on first use.
  Namespace of(const std::string& name);
  /// A parent namespace: a client asking for a namespace that does not exist gets one when
  /// `accept(name, auth)` says yes; the new namespace shares the parent's handlers.
  Namespace of(
      std::function<bool(const std::string& name, const boost::json::object& auth)> accept);
  /// A parent namespace whose children are the names that match `pattern` (whole name).
  Namespace of(const std::regex& pattern);
  /// The main namespace "/".
  Namespace sockets() { return of("/"); }
  /// Adds a middleware to the main namespace.
  void use(Middleware m) { of("/").use(std::move(m)); }
  /// Runs for each socket that connected to the main namespace (Namespace::on_connection).
  void on_connection(std::function<void(const SocketPtr&)> handler) {
    of("/").on_connection(std::move(handler));
  }
  /// The sockets of the main namespace in `room`.
  BroadcastOperator to(std::string room) { return of("/").to(std::move(room)); }
  /// Emits to every socket of the main namespace (from any thread).
  template <class... T>
  void emit(std::string_view event, T&&... values) {
    of("/").emit(event, std::forward<T>(values)...);
  }

  /// Emits to the other servers of a cluster (ServerOptions::adapter), whose on_server_side()
  /// handlers get it; this server's own handlers do not. Without a cluster there is no other
  /// server and nothing is sent.
  template <class... T>
  void server_side_emit(std::string_view event, T&&... values) {
    server_side_emit_args(event, Args::of(std::forward<T>(values)...));
  }
  /// server_side_emit() with prepared arguments.
  void server_side_emit_args(std::string_view event, Args args);
  /// The same, collecting each other server's ack (its first argument, one Args each);
  /// `callback` gets them all, or an error with those that came when `timeout` passes first
  /// (Node's `io.timeout(ms).serverSideEmit(...)`; 0: the adapter's own request timeout).
  /// Without a cluster: no answers, at once. The callback runs on the calling shard.
  void server_side_emit_with_ack(
      std::string_view event, Args args, std::chrono::milliseconds timeout,
      std::function<void(std::optional<std::string>, std::vector<Args>)> callback);
  /// Handles an event that another server of the cluster sent with server_side_emit.
  void on_server_side(std::string event, std::function<void(Event&)> handler);

  /// Exceptions thrown by user code so far, on every shard, Engine.IO handlers included
  /// (see ServerOptions::on_handler_error).
  std::uint64_t handler_errors() const;

  /// Adds this server's gauges to `registry`, read at each scrape from every shard: sockets and
  /// rooms per namespace, adapter health, handler errors (docs/metrics.md). The server may go
  /// before the registry (its gauges go with it).
  void add_metrics(metrics::Registry& registry);

  /// Adds the Engine.IO routes to a router (before the HTTP server listens).
  void attach(http::Router& router);
  /// The Engine.IO server underneath (its sessions, its own handlers).
  engineio::Server& engine();

 private:
  friend void instrument(Server& server, AdminOptions options);
  std::shared_ptr<detail::ServerCore> core_;
};

}  // namespace switchboard::socketio
