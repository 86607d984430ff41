#pragma once
// The Engine.IO v4 client shell: drives an EngineCore over long polling and WebSocket,
// upgrades from the one to the other, and watches the heartbeat. One executor; every member
// function runs there, every handler is called there.

#include "client/engine_core.hpp"
#include "client/http_request.hpp"
#include "client/url.hpp"
#include "client/ws_connection.hpp"

#include "switchboard/client/options.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <functional>
#include <memory>
#include <string>

namespace switchboard::client::detail {

/// What an Engine reports. `on_close` runs once, after `on_open` or instead of it (with the
/// reason: "transport error", "transport close", "ping timeout", "parse error", "timeout").
struct EngineHandlers {
  std::function<void()> on_open;
  std::function<void(engineio::Packet)> on_message;
  std::function<void(std::string reason)> on_close;
};

/// One Engine.IO session. Create with std::make_shared, then `open`.
class Engine : public std::enable_shared_from_this<Engine> {
 public:
  Engine(boost::asio::any_io_executor executor, Url base, const ClientOptions& options,
         EngineHandlers handlers);

  /// Starts the handshake on the first of the options' transports.
  void open();

  /// Queues a message; sent at once on WebSocket, in the next POST on polling. Reports the
  /// WebSocket queue's state (`Sent` on polling; `Dropped` once closed).
  net::SendResult send(std::string data, bool binary);

  /// Closes the session cleanly (a close packet); reports nothing more.
  void close();

  /// Drops the transport as a network failure would: `on_close("transport error")`.
  void drop();

  /// The live transport.
  Transport transport() const { return transport_; }
  const EngineCore& core() const { return core_; }

 private:
  std::string target(Transport transport) const;
  void open_websocket();
  void poll();
  void on_poll_answer(boost::system::error_code ec, const std::string& body);
  net::SendResult flush();
  void start_upgrade();
  void maybe_finish_upgrade();
  void handle(const engineio::Packet& packet);
  void arm_heartbeat();
  void fail(std::string reason);
  void stop_io();

  boost::asio::any_io_executor executor_;
  Url base_;
  ClientOptions options_;
  EngineHandlers handlers_;
  EngineCore core_;
  Transport transport_;
  bool opened_ = false;
  bool closed_ = false;
  std::shared_ptr<WsConnection> ws_;
  std::shared_ptr<WsConnection> probe_;
  bool pausing_ = false;  // the probe answered: polling drains, then we switch
  std::shared_ptr<HttpCall> get_;
  std::shared_ptr<HttpCall> post_;
  boost::asio::steady_timer heartbeat_;
  boost::asio::steady_timer open_timer_;
};

}  // namespace switchboard::client::detail
