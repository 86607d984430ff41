#pragma once

// A blocking Socket.IO client for scripts and tests (python-socketio's `SimpleClient`): it runs
// a Client on a thread of its own, and every call blocks the caller until done or timed out.
//
//   client::SimpleClient sio;
//   if (auto ec = sio.connect("http://127.0.0.1:3000", {.auth = {{"token", "t"}}})) fail(ec);
//   sio.emit("message", "hello");
//   auto reply = sio.call("sum", client::Args::of(1, 2), 5s);   // the ack's arguments
//   auto event = sio.receive(1s);                               // the next event, or nullopt
//   sio.disconnect();

#include <switchboard/client/options.hpp>
#include <switchboard/client/socket.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace switchboard::client {

/// How SimpleClient::connect connects.
struct SimpleOptions {
  std::string nsp = "/";     ///< The namespace to join.
  boost::json::object auth;  ///< The CONNECT payload (`auth`).
  ClientOptions client;      ///< How the underlying Client connects and reconnects.
  /// How long `connect` waits for the namespace to accept us.
  std::chrono::milliseconds wait_timeout{5'000};
};

/// A blocking client of one namespace. Its member functions may be called from any thread but
/// one at a time; none may be called from its own handlers.
class SimpleClient {
 public:
  /// Starts its thread; connects on connect().
  SimpleClient();

  /// Disconnects and stops the thread.
  ~SimpleClient();
  SimpleClient(const SimpleClient&) = delete;
  SimpleClient& operator=(const SimpleClient&) = delete;

  /// Connects to `url` and joins `options.nsp`; blocks until accepted. Errors:
  /// Error::ConnectRefused (message in `last_error()`), Error::Timeout, Error::BadUrl.
  /// Connecting again first disconnects.
  boost::system::error_code connect(std::string_view url, SimpleOptions options = {});

  /// Sends an event with `values`.
  template <class... T>
  net::SendResult emit(std::string_view event, T&&... values) {
    return emit_args(event, Args::of(std::forward<T>(values)...));
  }
  /// Sends an event; `Dropped` when not connected.
  net::SendResult emit_args(std::string_view event, Args args);

  /// Sends an event and waits for its ack: the ack's arguments, or Error::Timeout,
  /// Error::Disconnected, Error::Closed (not connected).
  AckResult call(std::string_view event, Args args = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(60));

  /// The next event received (oldest first), waiting up to `timeout` (forever when nullopt);
  /// nullopt on timeout. An event's `ack` may be called from this thread.
  std::optional<Event> receive(std::optional<std::chrono::milliseconds> timeout = std::nullopt);

  /// Leaves the namespace and closes the connection.
  void disconnect();

  /// True while in the namespace (false during a reconnection).
  bool connected() const;
  /// The socket id (empty when never connected).
  std::string sid() const;
  /// The live transport, or nullopt.
  std::optional<Transport> transport() const;
  /// The reason of the last connect failure or disconnection ("" if none).
  std::string last_error() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace switchboard::client
