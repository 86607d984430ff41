#pragma once
/// The Socket.IO v5 server: namespaces (static and dynamic), sockets, rooms, broadcasts,
/// acks, middleware, over Engine.IO v4, on every shard of a runtime.

#include <chrono>
#include <functional>
#include <memory>
#include <regex>
#include <string>

#include "switchboard/engineio/server.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/socketio/namespace.hpp"

namespace switchboard::net {
class Runtime;
}

namespace switchboard::socketio {

/// Options, with the reference server's defaults.
struct ServerOptions {
  /// Engine.IO options; the path defaults to /socket.io/.
  engineio::ServerOptions engine{.path = "/socket.io/"};
  /// A client that joins no namespace within this time is disconnected.
  std::chrono::milliseconds connect_timeout{45000};
  /// Binary attachments per packet (more is a parse error).
  std::size_t max_attachments = 10;
};

namespace detail {
class ServerCore;
}

/// The server. Create namespaces and handlers before runtime.run().
///
///     socketio::Server io(runtime);
///     io.on_connection([](const socketio::SocketPtr& socket) {
///       socket->on("chat", [socket](socketio::Event& e) { socket->broadcast().emit("chat",
///       e.args[0]); });
///     });
///     io.attach(http_server.router());
class Server {
 public:
  Server(net::Runtime& runtime, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// The namespace called `name`, created on first use.
  Namespace of(const std::string& name);
  /// A parent namespace: a client asking for a namespace that does not exist gets one when
  /// `accept(name, auth)` says yes; the new namespace shares the parent's handlers.
  Namespace of(
      std::function<bool(const std::string& name, const boost::json::object& auth)> accept);
  Namespace of(const std::regex& pattern);
  /// The main namespace "/".
  Namespace sockets() { return of("/"); }
  void use(Middleware m) { of("/").use(std::move(m)); }
  void on_connection(std::function<void(const SocketPtr&)> handler) {
    of("/").on_connection(std::move(handler));
  }
  BroadcastOperator to(std::string room) { return of("/").to(std::move(room)); }
  template <class... T>
  void emit(std::string_view event, T&&... values) {
    of("/").emit(event, std::forward<T>(values)...);
  }

  /// Adds the Engine.IO routes to a router (before the HTTP server listens).
  void attach(http::Router& router);
  engineio::Server& engine();

 private:
  std::shared_ptr<detail::ServerCore> core_;
};

}  // namespace switchboard::socketio
