#pragma once

// A client's connection to one Socket.IO namespace (the JS client's `Socket`).
//
//   auto socket = client.socket("/chat", {.auth = {{"token", "abc"}}});
//   socket->on_connect([&] { socket->emit("hello", "world"); });
//   socket->on("message", [](client::Event& e) { std::cout << e.args[0] << "\n"; });
//   socket->emit_with_ack("sum", client::Args::of(1, 2),
//                         [](client::AckResult r) { if (r) use(r->values[0]); }, 5s);
//   socket->connect();

#include <switchboard/client/error.hpp>
#include <switchboard/client/options.hpp>
#include <switchboard/net/send_result.hpp>
#include <switchboard/socketio/args.hpp>
#include <switchboard/socketio/packet.hpp>

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

namespace switchboard::client {

namespace detail {
class ClientImpl;
struct SocketState;
struct EventIn;
}  // namespace detail

/// The client shares the server's value types: an ack to call (Ack), an event's arguments
/// (Args) and a binary argument (Binary).
using socketio::Ack;
using socketio::Args;
using socketio::Binary;

/// The answer to an `emit_with_ack`: the server's arguments, or Error::Timeout /
/// Error::Disconnected.
using AckResult = boost::system::result<Args>;

/// An event received from the server.
struct Event {
  std::string name;  ///< the event's name
  Args args;         ///< its arguments (binary ones as Binary values)
  Ack ack;           ///< set when the server asked for an acknowledgement
};

/// Why the namespace refused us (CONNECT_ERROR), or why the connection could not be opened.
struct ConnectError {
  std::string message;      ///< the server's message, or what failed
  boost::json::value data;  ///< the CONNECT_ERROR's `data`, when the server sent one
  /// True when the connection itself failed (reconnection follows if enabled); false when
  /// the namespace answered CONNECT_ERROR (no reconnection: call `connect` again).
  bool transport = false;
};

/// One namespace of a Client. Created by `Client::socket`. Every member function must be
/// called on the client's io_context thread, where every handler runs, except the
/// `std::future` overload of `emit_with_ack`, which may be called from any thread.
class Socket : public std::enable_shared_from_this<Socket> {
 public:
  /// Receives one event; it may move the arguments out and keep or call `ack`.
  using Handler = std::function<void(Event&)>;

  /// Frees the namespace's state; its Client holds it until the Client is destroyed.

  ~Socket();
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;

  /// Calls `handler` for each event named `event` (one handler per name; a new one replaces
  /// it).
  void on(std::string event, Handler handler);
  /// Calls `handler` for every event, before the named handler (one; a new one replaces it).

  void on_any(Handler handler);
  /// Called on each successful (re)connection to the namespace.
  void on_connect(std::function<void()> handler);
  /// Called when the socket leaves the namespace, with the reason: "io server disconnect",
  /// "io client disconnect", "transport close", "transport error", "ping timeout",
  /// "parse error".
  void on_disconnect(std::function<void(const std::string& reason)> handler);
  /// Called when the namespace refuses us, or the connection cannot be opened.
  void on_connect_error(std::function<void(const ConnectError&)> handler);

  /// Joins the namespace, opening the client's connection when needed.
  void connect();
  /// Leaves the namespace (no reconnection); the connection closes when no socket is left.
  void disconnect();

  /// Sends an event with `values` (JSON-convertible, or Binary).
  template <class... T>
  net::SendResult emit(std::string_view event, T&&... values) {
    return emit_args(event, Args::of(std::forward<T>(values)...));
  }
  /// Sends an event. Connected: the transport's answer (`Buffered` when its write queue is
  /// over the soft limit; `Dropped` past the hard limit, which drops the connection). Not
  /// connected: buffered and sent on connection (`Buffered`), `Dropped` when the buffer
  /// (`max_buffered` packets) is full.
  net::SendResult emit_args(std::string_view event, Args args);

  /// Sends an event asking for an ack; `callback` runs once with the answer, Error::Timeout
  /// after `timeout` (zero: no timeout), or Error::Disconnected if the socket leaves first.
  void emit_with_ack(std::string_view event, Args args, std::function<void(AckResult)> callback,
                     std::chrono::milliseconds timeout = {});
  /// The same, from any thread, with a future. Do not wait on it on the io_context thread.
  std::future<AckResult> emit_with_ack(std::string_view event, Args args,
                                       std::chrono::milliseconds timeout);

  /// True while in the namespace.
  bool connected() const;
  /// The socket id the server gave (empty before the first connection).
  const std::string& id() const;
  /// True when the last connection restored the previous session (connection state
  /// recovery): the missed events were delivered.
  bool recovered() const;
  /// The namespace.
  const std::string& nsp() const;
  /// Replaces the auth payload of the next CONNECT.
  void set_auth(boost::json::object auth);

  /// Most events buffered while disconnected.
  static constexpr std::size_t max_buffered = 10'000;

 private:
  friend class detail::ClientImpl;
  Socket(std::weak_ptr<detail::ClientImpl> client, std::string nsp, SocketOptions options);

  void handle_open();
  void handle_packet(socketio::Packet packet);
  void handle_close(const std::string& reason);
  void handle_connect_failure(const std::string& message);
  void dispatch(detail::EventIn& in);
  void fail_acks(Error error);
  void forget_handlers();
  bool wants_connection() const;

  std::unique_ptr<detail::SocketState> state_;
};

}  // namespace switchboard::client
