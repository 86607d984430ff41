#pragma once
// Private: one Engine.IO session on its owner shard — the Asio side of its SessionCore: the
// WebSocket transport, the upgrade probe, the held GET, the timer.

#include "engineio/session_core.hpp"
#include "switchboard/engineio/server.hpp"
#include "switchboard/http/response.hpp"
#include "switchboard/metrics/cells.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/ws/connection.hpp"

namespace switchboard::engineio::detail {

class ServerCore;

/// A held GET: answer() may be called from the owner shard; it reaches the request's shard.
struct PollWaiter {
  std::uint64_t id = 0;
  std::function<void(http::Response)> answer;
};

/// The driver of one session's SessionCore (docs/decisions/023): it owns the transports (the
/// WebSocket, the upgrade probe, the held GET), the timer, the metrics and the application's
/// handlers, feeds the core what happens to them, and carries out the core's actions.
class Session final : public Socket,
                      public ws::Listener,
                      public std::enable_shared_from_this<Session> {
 public:
  using Transport = SessionCore::Transport;

  Session(std::shared_ptr<ServerCore> server, net::Shard& shard, std::string sid,
          std::shared_ptr<const http::Request> request, Transport transport);
  ~Session() override;

  // Socket
  const std::string& id() const override { return sid_; }
  std::string_view transport() const override;
  const http::Request& request() const override { return *request_; }
  std::shared_ptr<const http::Request> shared_request() const override { return request_; }
  net::Shard& shard() override { return shard_; }
  net::SendResult send(std::string_view text, bool is_volatile) override;
  net::SendResult send_binary(std::string_view bytes, bool is_volatile) override;
  net::SendResult send(const std::shared_ptr<const PreparedPackets>& packets,
                       bool is_volatile) override;
  void close() override { close_with("forced close", true); }
  bool is_open() const override { return core_.is_open(); }
  void on_message(MessageHandler handler) override;
  void on_message_view(MessageViewHandler handler) override;
  void on_close(CloseHandler handler) override;
  void listen(std::shared_ptr<SocketListener> listener) override;

  /// Starts the heartbeat; a polling session queues its open packet first.
  void start(std::string open_packet);
  /// The WebSocket of a WebSocket-first session.
  void attach(ws::ConnectionPtr connection);
  /// A GET on the polling transport.
  void poll(PollWaiter waiter);
  void cancel_poll(std::uint64_t waiter_id) { core_.cancel_poll(waiter_id); }
  /// A POST on the polling transport; returns the answer.
  http::Response post(std::string_view body);
  /// A WebSocket opened with this sid: the upgrade probe.
  void probe(ws::ConnectionPtr connection);
  /// Ends the session with a reason; `notify_client` sends a close packet first.
  void close_with(std::string_view reason, bool notify_client);
  /// The listener of a WebSocket that carries this session or probes for an upgrade (held
  /// weakly by it: the connection keeps no copy of handlers).
  std::weak_ptr<ws::Listener> websocket_listener() { return shared_from_this(); }

 private:
  net::SendResult send_packet(Outgoing packet, std::size_t bytes, bool is_volatile);
  /// What a send on the WebSocket returns: Buffered over the write queue's soft limit.
  net::SendResult websocket_result() const;
  /// Gives a message to the application's handler.
  void deliver(Packet& packet);
  // ws::Listener
  void on_ws_message(const ws::ConnectionPtr& connection, ws::MessageView message) override;
  void on_ws_close(const ws::ConnectionPtr& connection, ws::CloseCode code,
                   std::string_view reason) override;
  /// Carries out what the core asked for, in order. Nothing of `this` is touched after an
  /// Ended action (it may have released the last reference).
  void run(Actions& actions);
  void send_on_websocket(const Outgoing& out);
  /// Sends a MESSAGE packet with `text` on the WebSocket (the core said it may).
  void send_text_on_websocket(std::string_view text);
  void answer_waiter(http::Response response);
  void set_timer(Clock::time_point when);
  void ended(std::string_view reason);

  std::shared_ptr<ServerCore> server_;
  net::Shard& shard_;
  std::string sid_;
  /// One copy of the handshake request, shared with a WebSocket transport that came with it
  /// and with every Socket.IO socket of the connection.
  std::shared_ptr<const http::Request> request_;
  SessionCore core_;
  net::Shard::Activity activity_;
  /// The application's listener, or its handlers in one (on_message's wrapped): what takes
  /// the messages and the end. Held until the session has ended, and while a call into it
  /// runs (listener_in_use_): so the session's driver may call it by plain reference, with
  /// no weak_ptr lock or std::function per message.
  std::shared_ptr<SocketListener> listener_;
  /// The handlers' listener of on_message / on_close, when listener_ is one.
  class Handlers;
  Handlers* handlers_ = nullptr;
  Handlers& handlers();
  /// Calls into listener_ running (a handler may send, which may end the session).
  unsigned listener_in_use_ = 0;
  /// Gives `data` to the listener, keeping it while the call runs.
  void to_listener(std::string_view data, bool binary);
  ws::ConnectionPtr ws_;
  /// What only a polling session needs, allocated at its first GET or upgrade probe (a
  /// WebSocket-first session never has it) and let go once upgraded: the held GET and the
  /// probe WebSocket.
  struct Polling {
    std::optional<PollWaiter> waiter;
    ws::ConnectionPtr probe;
  };
  Polling& polling();
  bool is_probe(const ws::ConnectionPtr& connection) const {
    return polling_ && polling_->probe && connection == polling_->probe;
  }
  std::unique_ptr<Polling> polling_;
  /// The core's one timer (heartbeat, upgrade timeout, closing).
  net::Timer timer_;
  /// Open in switchboard_connections under its transport until finished.
  metrics::OpenConnection counted_;
};

}  // namespace switchboard::engineio::detail
