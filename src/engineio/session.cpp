#include "engineio/session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "engineio/server_core.hpp"
#include "switchboard/engineio/payload.hpp"
#include "switchboard/ws/prepared_message.hpp"

namespace switchboard::engineio::detail {

namespace {

http::Response text_response(std::string body,
                             std::string_view type = "text/plain; charset=UTF-8") {
  return http::Response::text(200, std::move(body), type);
}

http::Response error_response(Error error) {
  return http::Response::json(static_cast<int>(http_status(error)), error_body(error));
}

}  // namespace

Session::Session(std::shared_ptr<ServerCore> core, net::Shard& shard, std::string sid,
                 std::shared_ptr<const http::Request> request, Transport transport)
    : core_(std::move(core)),
      shard_(shard),
      sid_(std::move(sid)),
      request_(std::move(request)),
      transport_(transport),
      activity_(shard),
      heartbeat_(shard),
      upgrade_timer_(shard),
      counted_(transport == Transport::Polling ? metrics::Transport::EngineioPolling
                                               : metrics::Transport::EngineioWebSocket) {}

Session::~Session() = default;

std::string_view Session::transport() const {
  return transport_ == Transport::Polling ? "polling" : "websocket";
}

void Session::start(std::string open_packet) {
  if (transport_ == Transport::Polling) {
    // The handshake GET's answer is the open packet (it is flushed at once).
    queue_.push_back({Packet{PacketType::Open, std::move(open_packet), false}, nullptr, 0});
  } else if (ws_) {
    std::string frame;
    append_text_packet(frame, PacketType::Open, open_packet);
    ws_->send_text(frame);
  }
  schedule_ping();
}

void Session::attach(ws::ConnectionPtr connection) {
  // A WebSocket handshake is the session's handshake: share its request.
  request_ = connection->shared_request();
  ws_ = std::move(connection);
}

// --- sending ------------------------------------------------------------------------------

net::SendResult Session::enqueue(Outgoing out, std::size_t bytes, bool is_volatile) {
  if (closed_ || closing_) return net::SendResult::Dropped;
  if (transport_ == Transport::WebSocket && ws_) {
    send_on_websocket(out);
    return ws_->buffered_amount() > core_->options.write_queue.soft_limit
               ? net::SendResult::Buffered
               : net::SendResult::Sent;
  }
  const auto& limits = core_->options.write_queue;
  if (is_volatile && queued_bytes_ > limits.soft_limit) return net::SendResult::Dropped;
  if (queued_bytes_ + bytes > limits.hard_limit) {
    close_with("transport error", false);
    return net::SendResult::Dropped;
  }
  queued_bytes_ += bytes;
  queue_.push_back(std::move(out));
  schedule_flush();
  return queued_bytes_ > limits.soft_limit ? net::SendResult::Buffered : net::SendResult::Sent;
}

net::SendResult Session::send_packet(Packet packet, bool is_volatile) {
  auto bytes = packet.data.size() + 1;
  return enqueue({std::move(packet), nullptr, 0}, bytes, is_volatile);
}

net::SendResult Session::send(std::string_view text, bool is_volatile) {
  return send_packet(Packet{PacketType::Message, std::string(text), false}, is_volatile);
}

net::SendResult Session::send_binary(std::string_view bytes, bool is_volatile) {
  return send_packet(Packet{PacketType::Message, std::string(bytes), true}, is_volatile);
}

net::SendResult Session::send(const std::shared_ptr<const PreparedPackets>& packets,
                              bool is_volatile) {
  auto result = net::SendResult::Sent;
  for (std::size_t i = 0; i < packets->items().size(); ++i) {
    auto bytes = packets->items()[i].polling.size();
    result = enqueue({Packet{}, packets, i}, bytes, is_volatile);
    if (result == net::SendResult::Dropped) break;
  }
  return result;
}

void Session::send_on_websocket(const Outgoing& out) {
  if (out.prepared) {
    ws_->send(out.prepared->items()[out.index].frame);
  } else if (out.packet.binary) {
    ws_->send_binary(out.packet.data);
  } else {
    std::string text;
    append_text_packet(text, out.packet.type, out.packet.data);
    ws_->send_text(text);
  }
}

// Packets sent during one loop turn leave in one polling answer.
void Session::schedule_flush() {
  if (flush_scheduled_ || !waiter_) return;
  flush_scheduled_ = true;
  boost::asio::post(shard_.context(), [self = shared_from_this()] {
    self->flush_scheduled_ = false;
    self->flush_polling();
  });
}

void Session::flush_polling() {
  if (!waiter_ || queue_.empty()) return;
  std::string body;
  body.reserve(queued_bytes_ + queue_.size() * 2);
  for (std::size_t i = 0; i < queue_.size(); ++i) {
    if (i) body += '\x1e';
    const auto& out = queue_[i];
    if (out.prepared) {
      body += out.prepared->items()[out.index].polling;
    } else {
      append_polling_packet(body, out.packet);
    }
  }
  queue_.clear();
  queued_bytes_ = 0;
  answer_waiter(text_response(std::move(body)));
}

void Session::answer_waiter(http::Response response) {
  if (!waiter_) return;
  auto waiter = std::move(*waiter_);
  waiter_.reset();
  waiter.answer(std::move(response));
}

// --- polling ------------------------------------------------------------------------------

void Session::poll(PollWaiter waiter) {
  if (closed_ || transport_ == Transport::WebSocket) {
    waiter.answer(error_response(Error::BadRequest));
    return;
  }
  if (waiter_) {
    // A second GET while one is held: the first ends with a close packet, the second is a bad
    // request, and the session is over (the reference does the same).
    waiter.answer(error_response(Error::BadRequest));
    std::string close;
    append_text_packet(close, PacketType::Close, {});
    answer_waiter(text_response(std::move(close)));
    finish("transport error");
    return;
  }
  waiter_ = std::move(waiter);
  if (closing_) return drain_for_close();
  if (probed_) {
    // Upgrading: a noop lets the client's poll loop pause.
    answer_waiter(text_response("6"));
    return;
  }
  flush_polling();
}

void Session::cancel_poll(std::uint64_t waiter_id) {
  if (waiter_ && waiter_->id == waiter_id) waiter_.reset();
}

http::Response Session::post(std::string_view body) {
  if (closed_ || transport_ == Transport::WebSocket) return error_response(Error::BadRequest);
  auto packets =
      decode_payload(body, {.max_bytes = core_->options.max_payload, .max_packets = 4096});
  if (!packets) {
    close_with("parse error", false);
    return error_response(Error::BadRequest);
  }
  auto keep = shared_from_this();
  for (auto& packet : *packets) {
    if (closed_) break;
    handle(std::move(packet));
  }
  return text_response("ok", "text/html");
}

// --- receiving ----------------------------------------------------------------------------

void Session::handle(Packet packet) {
  switch (packet.type) {
    case PacketType::Message:
      if (on_message_) {
        core_->run_handler(*this, "message", [&] { on_message_(std::move(packet)); });
      }
      break;
    case PacketType::Pong:
      schedule_ping();
      break;
    case PacketType::Ping:
      // v4 clients never ping; older ones did. Answering is harmless and keeps them alive.
      send_packet(Packet{PacketType::Pong, std::move(packet.data), false});
      break;
    case PacketType::Close:
      if (waiter_) {
        answer_waiter(text_response("6"));
      } else if (transport_ == Transport::Polling) {
        core_->owe_noop(sid_);
      }
      finish("transport close");
      break;
    case PacketType::Noop:
      break;
    case PacketType::Open:
    case PacketType::Upgrade:
      close_with("parse error", false);
      break;
  }
}

ws::Handlers Session::websocket_handlers(std::function<void(const ws::ConnectionPtr&)> on_open) {
  std::weak_ptr<Session> weak = shared_from_this();
  return {
      .on_open = std::move(on_open),
      .on_message =
          [weak](const ws::ConnectionPtr& c, ws::Message m) {
            if (auto self = weak.lock()) self->on_ws_message(c, std::move(m));
          },
      .on_close =
          [weak](const ws::ConnectionPtr& c, ws::CloseCode, std::string_view) {
            if (auto self = weak.lock()) self->on_ws_close(c);
          },
  };
}

void Session::on_ws_message(const ws::ConnectionPtr& connection, ws::Message message) {
  auto packet = decode_websocket_frame(message.payload, !message.is_text());
  if (connection == probe_) {
    if (!packet) {
      connection->close(ws::CloseCode::ProtocolError);
      return;
    }
    on_probe_message(connection, *packet);
    return;
  }
  if (connection != ws_ || closed_) return;
  if (!packet) {
    close_with("parse error", false);
    return;
  }
  handle(std::move(*packet));
}

void Session::on_ws_close(const ws::ConnectionPtr& connection) {
  if (connection == probe_) {
    probe_.reset();
    probed_ = false;
    upgrade_timer_.cancel();
    return;
  }
  if (connection == ws_ && !closed_) finish("transport close");
}

// --- upgrade ------------------------------------------------------------------------------

void Session::probe(ws::ConnectionPtr connection) {
  if (closed_ || closing_ || transport_ == Transport::WebSocket || probe_) {
    connection->close(ws::CloseCode::PolicyViolation, "already upgraded");
    return;
  }
  probe_ = std::move(connection);
  upgrade_timer_.arm(core_->options.upgrade_timeout, [this] {
    if (!probe_) return;
    auto keep = shared_from_this();
    probe_->close(ws::CloseCode::PolicyViolation, "upgrade timeout");
    probe_.reset();
    probed_ = false;
  });
}

void Session::on_probe_message(const ws::ConnectionPtr& connection, const Packet& packet) {
  if (packet.type == PacketType::Ping && packet.data == "probe" && !probed_) {
    probed_ = true;
    connection->send_text("3probe");
    if (waiter_) answer_waiter(text_response("6"));
  } else if (packet.type == PacketType::Upgrade) {
    // Tolerated right after "2probe" without waiting for our "3probe".
    finish_upgrade();
  } else {
    connection->close(ws::CloseCode::ProtocolError, "unexpected packet during upgrade");
    probe_.reset();
    probed_ = false;
  }
}

void Session::finish_upgrade() {
  upgrade_timer_.cancel();
  ws_ = std::move(probe_);
  probed_ = false;
  transport_ = Transport::WebSocket;
  counted_.move_to(metrics::Transport::EngineioWebSocket);
  // Nothing lost or reordered: what polling had queued leaves first, on the WebSocket.
  for (const auto& out : queue_) send_on_websocket(out);
  queue_.clear();
  queued_bytes_ = 0;
  if (waiter_) answer_waiter(text_response("6"));
}

// --- heartbeat and close ------------------------------------------------------------------

void Session::schedule_ping() {
  if (closed_ || closing_) return;
  heartbeat_.arm(core_->options.ping_interval, [this] {
    if (closed_) return;
    auto keep = shared_from_this();
    send_packet(Packet{PacketType::Ping, {}, false});
    expect_pong();
  });
}

void Session::expect_pong() {
  heartbeat_.arm(core_->options.ping_timeout, [this] {
    auto keep = shared_from_this();
    close_with("ping timeout", false);
  });
}

void Session::close_with(std::string_view reason, bool notify_client) {
  if (closed_ || closing_) return;
  auto keep = shared_from_this();
  if (notify_client) {
    if (transport_ == Transport::Polling) {
      // As the reference: what is queued (a Socket.IO DISCONNECT, say) goes first, and the
      // close packet in a poll of its own, so the client handles the packets before the
      // close. A client that does not poll in time is gone anyway.
      closing_ = true;
      closing_reason_ = reason;
      // No upgrade any more: the client hears the close on polling.
      if (probe_) probe_->close(ws::CloseCode::GoingAway);
      probe_.reset();
      probed_ = false;
      upgrade_timer_.cancel();
      heartbeat_.arm(core_->options.ping_timeout, [this] {
        auto keep = shared_from_this();
        finish(closing_reason_);
      });
      if (waiter_) drain_for_close();
      return;
    }
    if (ws_) ws_->close(ws::CloseCode::NormalClosure);
  } else if (ws_) {
    // A server going away says so (RFC 6455 §7.4.1); the client reconnects either way.
    ws_->close(reason == "server shutting down" ? ws::CloseCode::GoingAway
                                                : ws::CloseCode::NormalClosure);
  }
  finish(reason);
}

void Session::drain_for_close() {
  bool last = queue_.empty();
  if (last) {
    queue_.push_back({Packet{PacketType::Close, {}, false}, nullptr, 0});
    queued_bytes_ += 1;
  }
  flush_polling();
  if (last) finish(closing_reason_);
}

void Session::finish(std::string_view reason) {
  if (closed_) return;
  auto keep = shared_from_this();
  closed_ = true;
  counted_.close();
  heartbeat_.cancel();
  upgrade_timer_.cancel();
  if (probe_) probe_->close(ws::CloseCode::GoingAway);
  probe_.reset();
  if (ws_ && ws_->is_open()) ws_->close(ws::CloseCode::NormalClosure);
  core_->remove(*this);
  if (waiter_) {
    if (reason == "server shutting down") {
      // Not a close packet: some clients (python-engineio) take it as final and never come
      // back. An unavailable server is one they reconnect to once it is up again.
      answer_waiter(http::Response::error(503, "server shutting down"));
    } else {
      std::string close;
      append_text_packet(close, PacketType::Close, {});
      answer_waiter(text_response(std::move(close)));
    }
  }
  auto handler = std::move(on_close_);
  on_message_ = nullptr;
  if (handler) core_->run_handler(*this, "close", [&] { handler(reason); });
}

}  // namespace switchboard::engineio::detail
