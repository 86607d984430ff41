#pragma once

// The Socket.IO v5 client (the JS client's `Manager`): one Engine.IO connection to a server,
// shared by the sockets of its namespaces, with automatic reconnection.
//
//   boost::asio::io_context io;
//   client::Client manager(io, "http://127.0.0.1:3000");
//   auto socket = manager.socket("/");
//   socket->on_connect([&] { socket->emit("hello"); });
//   socket->connect();
//   io.run();
//
// Threads: a Client lives on one io_context run by one thread; call it there (post to it from
// elsewhere). Handlers run there and must not block.

#include <switchboard/client/options.hpp>
#include <switchboard/client/socket.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace boost::asio {
class io_context;
}

namespace switchboard::client {

/// A connection to one Socket.IO server.
class Client {
 public:
  /// A client of the server at `url` (`http://host:port`, or `https://` for TLS; ws:// and
  /// wss:// are accepted too). Connects when a socket does. Throws std::invalid_argument for a
  /// malformed URL (a caller bug), boost::system::system_error when `options.tls.ca_file`
  /// cannot be read. Over TLS the server's certificate is verified (ClientOptions::tls).
  Client(boost::asio::io_context& io, std::string_view url, ClientOptions options = {});
  /// Closes the connection (as `close`) without running any handler: the sockets' handlers
  /// and pending ack callbacks are dropped (a pending `std::future` gets broken_promise).
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  /// The socket of namespace `nsp` (one per namespace: a second call returns the same one,
  /// and `options` are then ignored). Call `connect` on it.
  std::shared_ptr<Socket> socket(std::string nsp = "/", SocketOptions options = {});

  /// Disconnects every socket and closes the connection; no reconnection follows.
  void close();

  /// Drops the transport as a network failure would: sockets see "transport error" and
  /// reconnection starts. For tests and failover drills.
  void drop_transport();

  /// The live transport, or nullopt when not connected.
  std::optional<Transport> transport() const;

  /// Called before each reconnection attempt, with its number (from 1).
  void on_reconnect_attempt(std::function<void(unsigned attempt)> handler);
  /// Called when a reconnection attempt succeeds, with the number of attempts.
  void on_reconnect(std::function<void(unsigned attempts)> handler);
  /// Called when `reconnection_attempts` were all made without success.
  void on_reconnect_failed(std::function<void()> handler);

 private:
  std::shared_ptr<detail::ClientImpl> impl_;
};

}  // namespace switchboard::client
