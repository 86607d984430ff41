#pragma once
/// The HTTP/1.1 server: hard limits on every input, keep-alive, pipelining, routing.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "switchboard/http/cors.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/net/listener.hpp"
#include "switchboard/net/write_queue.hpp"

namespace switchboard::net {
class Runtime;
}

namespace switchboard::http {

/// Limits and policies; every input is bounded.
struct ServerOptions {
  /// Request line plus header fields; larger → 431.
  std::size_t max_header_bytes = 16 * 1024;
  /// Time to receive a whole request head once its first byte arrived; → 408 and close.
  std::chrono::milliseconds header_timeout{10000};
  /// Time to receive a request body once the head is in; → 408 and close.
  std::chrono::milliseconds body_timeout{30000};
  /// A kept-alive connection with no request for this long is closed.
  std::chrono::milliseconds idle_timeout{60000};
  /// After an answer that closes the connection (an error, `Connection: close`): how long and
  /// how many bytes the connection reads and discards before it closes, so that a client
  /// still sending (a body over the limit) reads the answer instead of a reset.
  net::LingerOptions linger{};
  /// Outbound queue limits of each connection.
  net::WriteQueueOptions write_queue{};
  /// Cross-origin policy, applied to every answer (and preflight) of every route.
  CorsOptions cors{};
  /// Value of the Server header; empty sends none.
  std::string server_name = "switchboard";
  /// Writes an info record ("http access", docs/logging.md) for each request once it is over:
  /// method, path (without the query), status, bytes sent, duration, client address, user
  /// agent. A long poll or a stream is one record when it ends; an upgrade one at the 101.
  bool access_log = false;
  /// The client address the access log names; null names the peer (Request::remote_address).
  /// Called on the connection's shard.
  std::function<std::string(const Request&)> client_address;
};

/// Serves a Router on every shard of a runtime. Set it up (router(), listen()) before
/// Runtime::run() or on one thread at a time; its connections run on their shards.
///
///     http::Server server(runtime, {});
///     server.router().get("/hello", [](http::Exchange ex) {
///       ex.respond(http::Response::text(200, "hello"));
///     });
///     server.listen({.port = 8000});
class Server {
 public:
  /// A server with no route and no listener yet; the runtime must outlive it.
  Server(net::Runtime& runtime, ServerOptions options = {});
  /// Stops accepting; connections already accepted keep going (they share the routes and
  /// options) until they close or the runtime stops.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Routes. The first listen() or serve() freezes a copy of them and of the options: later
  /// changes are silently ignored.
  Router& router() { return router_; }
  /// The options it was made with.
  const ServerOptions& options() const { return options_; }
  /// The runtime it serves on.
  net::Runtime& runtime() { return runtime_; }
  /// Starts accepting on every shard (throws as net::Listener::start() does, e.g.
  /// std::system_error when the port is taken). Call it once: a second call would leave the
  /// first listener accepting, unclosed by ~Server.
  void listen(const net::ListenOptions& options);
  /// The bound port, after listen(); 0 before.
  std::uint16_t port() const;
  /// Serves an already accepted stream, on the stream's shard (used by tests and by other
  /// listeners); `leftover` is what was already read from it.
  void serve(std::unique_ptr<net::Stream> stream, std::string leftover = {});

 private:
  net::Runtime& runtime_;
  ServerOptions options_;
  Router router_;
  std::shared_ptr<net::Listener> listener_;
  std::shared_ptr<const void> core_;
};

}  // namespace switchboard::http
