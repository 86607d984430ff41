#pragma once
// A client WebSocket over TCP (the Asio shell around ws::MessageDecoder and the handshake).
// Used by client::WebSocket and by the Engine.IO websocket transport. Lives on one executor;
// every member function must be called there, and every handler runs there.

#include "client/stream.hpp"
#include "client/url.hpp"

#include <switchboard/net/send_result.hpp>
#include <switchboard/ws/error.hpp>
#include <switchboard/ws/message_decoder.hpp>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace switchboard::client::detail {

/// Handlers of a WsConnection. `on_close` runs once, after `on_open` or instead of it.
struct WsHandlers {
  std::function<void(boost::system::error_code)> on_open;  ///< error: the connect failed
  std::function<void(std::string payload, bool binary)> on_message;
  std::function<void(boost::system::error_code, ws::CloseCode)> on_close;
};

/// Settings of a WsConnection.
struct WsSettings {
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra request headers
  std::chrono::milliseconds handshake_timeout{10'000};
  std::size_t max_message_size = 16 * 1024 * 1024;
  /// Bytes queued for writing past which sends report `Buffered`.
  std::size_t soft_queue_limit = 1024 * 1024;
  /// Bytes queued past which the connection is dropped as a slow consumer.
  std::size_t hard_queue_limit = 16 * 1024 * 1024;
};

/// One client WebSocket connection. Create with std::make_shared.
class WsConnection : public std::enable_shared_from_this<WsConnection> {
 public:
  WsConnection(boost::asio::any_io_executor executor, WsHandlers handlers, WsSettings settings);

  /// Resolves, connects (with TLS when `url.tls` is set) and performs the opening handshake.
  void connect(const Url& url);

  /// Queues a text or binary message: `Sent`, `Buffered` over the soft queue limit, or
  /// `Dropped` when not open or over the hard limit (the connection is then aborted).
  net::SendResult send(std::string_view payload, bool binary);

  /// Starts the closing handshake (RFC 6455 §7.1.2); the TCP connection ends when the server
  /// answers, or after a short grace period.
  void close(ws::CloseCode code = ws::CloseCode::NormalClosure);

  /// Drops the TCP connection at once, reporting `on_close` as a transport failure.
  void abort();

  /// Forgets the handlers: nothing is reported any more (the owner went away).
  void detach() { handlers_ = {}; }

  bool is_open() const { return state_ == State::Open; }

 private:
  enum class State { Connecting, Open, Closing, Closed };

  void on_handshake_read(boost::system::error_code ec, std::size_t bytes);
  void read_loop();
  void handle_bytes(const std::uint8_t* data, std::size_t size);
  void queue_frame(ws::Opcode opcode, std::string_view payload);
  void write_next();
  void close_socket();
  void finish(boost::system::error_code ec, ws::CloseCode code);

  boost::asio::ip::tcp::resolver resolver_;
  std::optional<ClientStream> stream_;  ///< from connect()
  boost::asio::steady_timer timer_;
  WsHandlers handlers_;
  WsSettings settings_;
  State state_ = State::Connecting;
  std::string key_;
  std::string read_buffer_;
  ws::MessageDecoder decoder_;
  ws::Event event_;
  std::deque<std::string> writes_;
  std::size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool close_sent_ = false;
  std::mt19937_64 random_;
};

}  // namespace switchboard::client::detail
