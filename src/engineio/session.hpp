#pragma once
// Private: one Engine.IO session on its owner shard — polling queue, WebSocket transport,
// upgrade probe, heartbeat.

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

class Session final : public Socket, public std::enable_shared_from_this<Session> {
 public:
  enum class Transport { Polling, WebSocket };

  Session(std::shared_ptr<ServerCore> core, net::Shard& shard, std::string sid,
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
  bool is_open() const override { return !closed_ && !closing_; }
  void on_message(MessageHandler handler) override { on_message_ = std::move(handler); }
  void on_close(CloseHandler handler) override { on_close_ = std::move(handler); }

  /// Starts the heartbeat; a polling session queues its open packet first.
  void start(std::string open_packet);
  /// The WebSocket of a WebSocket-first session.
  void attach(ws::ConnectionPtr connection);
  /// A GET on the polling transport.
  void poll(PollWaiter waiter);
  void cancel_poll(std::uint64_t waiter_id);
  /// A POST on the polling transport; returns the answer.
  http::Response post(std::string_view body);
  /// A WebSocket opened with this sid: the upgrade probe.
  void probe(ws::ConnectionPtr connection);
  bool upgraded() const { return transport_ == Transport::WebSocket; }
  /// Ends the session with a reason; `notify_client` sends a close packet first.
  void close_with(std::string_view reason, bool notify_client);
  /// Answers the held poll of a closing session: what is queued, or else the close packet.
  void drain_for_close();
  /// Handlers for a WebSocket that carries this session (`on_open` runs first) or probes for
  /// an upgrade.
  ws::Handlers websocket_handlers(std::function<void(const ws::ConnectionPtr&)> on_open);

 private:
  struct Outgoing {
    Packet packet;
    std::shared_ptr<const PreparedPackets> prepared;
    std::size_t index = 0;
  };

  net::SendResult enqueue(Outgoing out, std::size_t bytes, bool is_volatile);
  net::SendResult send_packet(Packet packet, bool is_volatile = false);
  void schedule_flush();
  void flush_polling();
  void answer_waiter(http::Response response);
  void send_on_websocket(const Outgoing& out);
  void handle(Packet packet);
  void on_ws_message(const ws::ConnectionPtr& connection, ws::Message message);
  void on_ws_close(const ws::ConnectionPtr& connection);
  void on_probe_message(const ws::ConnectionPtr& connection, const Packet& packet);
  void finish_upgrade();
  void schedule_ping();
  void expect_pong();
  void finish(std::string_view reason);

  std::shared_ptr<ServerCore> core_;
  net::Shard& shard_;
  std::string sid_;
  /// One copy of the handshake request, shared with a WebSocket transport that came with it
  /// and with every Socket.IO socket of the connection.
  std::shared_ptr<const http::Request> request_;
  Transport transport_;
  net::Shard::Activity activity_;
  MessageHandler on_message_;
  CloseHandler on_close_;
  ws::ConnectionPtr ws_;
  ws::ConnectionPtr probe_;
  bool probed_ = false;
  std::vector<Outgoing> queue_;
  std::size_t queued_bytes_ = 0;
  std::optional<PollWaiter> waiter_;
  bool flush_scheduled_ = false;
  net::Timer heartbeat_;
  net::Timer upgrade_timer_;
  bool closed_ = false;
  /// Closed by the server on polling: the next polls take what is queued, then the close
  /// packet, and the session ends with `closing_reason_`.
  bool closing_ = false;
  std::string closing_reason_;
  /// Open in switchboard_connections under its transport until finished.
  metrics::OpenConnection counted_;
};

}  // namespace switchboard::engineio::detail
