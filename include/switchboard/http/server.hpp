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

/// Serves a Router on every shard of a runtime.
///
///     http::Server server(runtime, {});
///     server.router().get("/hello", [](http::Exchange ex) {
///       ex.respond(http::Response::text(200, "hello"));
///     });
///     server.listen({.port = 8000});
class Server {
 public:
  Server(net::Runtime& runtime, ServerOptions options = {});
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Routes; change them only before listen().
  Router& router() { return router_; }
  const ServerOptions& options() const { return options_; }
  net::Runtime& runtime() { return runtime_; }
  /// Starts accepting (throws std::system_error when the port is taken).
  void listen(const net::ListenOptions& options);
  /// The bound port, after listen().
  std::uint16_t port() const;
  /// Serves an already accepted stream (used by tests and by other listeners).
  void serve(std::unique_ptr<net::Stream> stream, std::string leftover = {});

 private:
  net::Runtime& runtime_;
  ServerOptions options_;
  Router router_;
  std::shared_ptr<net::Listener> listener_;
  std::shared_ptr<const void> core_;
};

}  // namespace switchboard::http
