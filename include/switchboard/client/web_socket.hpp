#pragma once

// A plain WebSocket client (RFC 6455) over TCP: connect to a ws:// URL, send text and binary
// messages, receive messages, close.
//
//   boost::asio::io_context io;
//   client::WebSocket socket(io);
//   socket.on_open([&](auto ec) { if (!ec) socket.send_text("hello"); });
//   socket.on_message([&](std::string text, bool) { std::cout << text; socket.close(); });
//   socket.connect("ws://127.0.0.1:8000/ws/echo/");
//   io.run();
//
// Threads: lives on one io_context run by one thread; call it there. Handlers run there.

#include <switchboard/client/options.hpp>
#include <switchboard/net/send_result.hpp>
#include <switchboard/ws/error.hpp>

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace switchboard::client {

namespace detail {
class WsConnection;
}

/// Settings of a WebSocket client.
struct WebSocketOptions {
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra handshake headers
  std::chrono::milliseconds handshake_timeout{10'000};       ///< TCP, TLS and upgrade, in all

  std::size_t max_message_size = 16 * 1024 * 1024;  ///< larger messages close with 1009
  /// Bytes waiting to be written past which sends report `Buffered`.
  std::size_t soft_queue_limit = 1024 * 1024;
  /// Bytes waiting past which a send drops the connection (a slow consumer) and reports
  /// `Dropped`.
  std::size_t hard_queue_limit = 16 * 1024 * 1024;
  /// For wss:// URLs.
  TlsOptions tls;
};

/// One WebSocket client connection. Not reusable: connect once.
class WebSocket {
 public:
  /// A WebSocket on `io`.
  explicit WebSocket(boost::asio::io_context& io, WebSocketOptions options = {});
  /// Drops the connection without a closing handshake; no handler runs afterwards.
  ~WebSocket();
  WebSocket(const WebSocket&) = delete;
  WebSocket& operator=(const WebSocket&) = delete;

  /// Called once: with no error when the handshake succeeded, or with why it failed
  /// (Error::BadUrl, Error::HandshakeFailed, Error::BadAcceptKey, Error::Timeout, or a
  /// network error).
  void on_open(std::function<void(boost::system::error_code)> handler);
  /// Called for each message: its payload and whether it was a binary message.
  void on_message(std::function<void(std::string payload, bool binary)> handler);
  /// Called once after an open connection ends: no error and the peer's close code for a
  /// closing handshake, or the network / protocol error with CloseCode::Abnormal.
  void on_close(std::function<void(boost::system::error_code, ws::CloseCode)> handler);

  /// Connects to `url` (`ws://host[:port]/path`, or `wss://` for TLS, the server's certificate
  /// verified as WebSocketOptions::tls says); the result arrives in `on_open` (an unreadable
  /// CA file or a failed verification too).
  void connect(std::string_view url);

  /// Sends a text message (`payload` must be UTF-8): `Sent`, `Buffered` when more than the
  /// soft limit waits to be written, `Dropped` unless open or past the hard limit (which
  /// also drops the connection).
  net::SendResult send_text(std::string_view payload);
  /// Sends a binary message; results as `send_text`.
  net::SendResult send_binary(std::string_view payload);

  /// Starts the closing handshake with `code`; `on_close` follows.
  void close(ws::CloseCode code = ws::CloseCode::NormalClosure);

  /// True between a successful open and the start of the close.
  bool is_open() const;

 private:
  struct Handlers;
  boost::asio::io_context& io_;
  WebSocketOptions options_;
  std::shared_ptr<Handlers> handlers_;
  std::shared_ptr<detail::WsConnection> connection_;
};

}  // namespace switchboard::client
