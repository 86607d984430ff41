#include "engineio/session_core.hpp"

#include <algorithm>

#include "switchboard/engineio/payload.hpp"

namespace switchboard::engineio::detail {

namespace {

std::string close_packet() {
  std::string close;
  append_text_packet(close, PacketType::Close, {});
  return close;
}

}  // namespace

std::string open_json(const ServerOptions& options, std::string_view sid, bool websocket_first) {
  std::string_view upgrades[] = {"websocket"};
  bool can_upgrade = !websocket_first && options.allow_upgrades && options.allow_websocket;
  std::string json;
  append_open_json(json,
                   {.sid = sid,
                    .upgrades = can_upgrade ? std::span(upgrades) : std::span<std::string_view>(),
                    .ping_interval = options.ping_interval,
                    .ping_timeout = options.ping_timeout,
                    .max_payload = options.max_payload});
  return json;
}

void SessionCore::start(std::string open_json, Clock::time_point now, Actions& out) {
  Outgoing open{Packet{PacketType::Open, std::move(open_json), false}, nullptr, 0};
  if (transport_ == Transport::Polling) {
    // The handshake GET's answer is the open packet (it is flushed at once).
    polling().queue.push_back(std::move(open));
  } else {
    out.push_back({.kind = Action::Kind::SendWebSocket, .out = std::move(open)});
  }
  schedule_ping(now);
  sync_timer(out);
}

// --- sending ------------------------------------------------------------------------------

SessionCore::Route SessionCore::send(Outgoing packet, std::size_t bytes, bool is_volatile,
                                     Actions& out) {
  if (closed_ || closing_) return Route::Dropped;
  if (transport_ == Transport::WebSocket) {
    out.push_back({.kind = Action::Kind::SendWebSocket, .out = std::move(packet)});
    return Route::WebSocket;
  }
  const auto& limits = options_.write_queue;
  auto& p = polling();
  if (is_volatile && p.queued_bytes > limits.soft_limit) return Route::Dropped;
  if (p.queued_bytes + bytes > limits.hard_limit) {
    finish("transport error", out);
    return Route::Dropped;
  }
  p.queued_bytes += bytes;
  p.queue.push_back(std::move(packet));
  // Packets sent during one loop turn leave in one polling answer.
  if (poll_held_ && !flush_scheduled_) {
    flush_scheduled_ = true;
    out.push_back({.kind = Action::Kind::ScheduleFlush});
  }
  return p.queued_bytes > limits.soft_limit ? Route::QueuedOverSoftLimit : Route::Queued;
}

void SessionCore::flush(Actions& out) {
  flush_scheduled_ = false;
  flush_polling(out);
}

void SessionCore::flush_polling(Actions& out) {
  if (!poll_held_ || !polling_ || polling_->queue.empty()) return;
  auto& queue = polling_->queue;
  std::string body;
  body.reserve(polling_->queued_bytes + queue.size() * 2);
  for (std::size_t i = 0; i < queue.size(); ++i) {
    if (i) body += record_separator;
    const auto& item = queue[i];
    if (item.prepared) {
      body += item.prepared->items()[item.index].polling;
    } else {
      append_polling_packet(body, item.packet);
    }
  }
  queue.clear();
  polling_->queued_bytes = 0;
  answer_poll(std::move(body), out);
}

void SessionCore::answer_poll(std::string text, Actions& out) {
  if (!poll_held_) return;
  poll_held_ = false;
  out.push_back({.kind = Action::Kind::AnswerPoll, .text = std::move(text)});
}

// --- polling ------------------------------------------------------------------------------

SessionCore::Poll SessionCore::poll(std::uint64_t id, Actions& out) {
  if (closed_ || transport_ == Transport::WebSocket) return Poll::Refused;
  if (poll_held_) {
    // A second GET while one is held: the first ends with a close packet, the second is a bad
    // request, and the session is over (the reference does the same).
    answer_poll(close_packet(), out);
    finish("transport error", out);
    return Poll::Refused;
  }
  poll_held_ = true;
  polling().poll_id = id;
  if (closing_) {
    drain_for_close(out);
  } else if (probed_) {
    // Upgrading: a noop lets the client's poll loop pause.
    answer_poll("6", out);
  } else {
    flush_polling(out);
  }
  return Poll::Held;
}

void SessionCore::cancel_poll(std::uint64_t id) {
  if (poll_held_ && polling_ && polling_->poll_id == id) poll_held_ = false;
}

bool SessionCore::post(std::string_view body, std::vector<Packet>& packets, Actions& out) {
  if (closed_ || transport_ == Transport::WebSocket) return false;
  auto decoded = decode_payload(body, {.max_bytes = options_.max_payload, .max_packets = 4096});
  if (!decoded) {
    finish("parse error", out);
    return false;
  }
  packets = std::move(*decoded);
  return true;
}

// --- receiving ----------------------------------------------------------------------------

SessionCore::Inbound SessionCore::receive(Packet& packet, Clock::time_point now, Actions& out) {
  if (closed_) return Inbound::Handled;
  switch (packet.type) {
    case PacketType::Message:
      return Inbound::Message;
    case PacketType::Pong:
      schedule_ping(now);
      sync_timer(out);
      break;
    case PacketType::Ping: {
      // v4 clients never ping; older ones did. Answering is harmless and keeps them alive.
      auto bytes = packet.data.size() + 1;
      send({Packet{PacketType::Pong, std::move(packet.data), false}, nullptr, 0}, bytes, false,
           out);
      break;
    }
    case PacketType::Close:
      if (poll_held_) {
        answer_poll("6", out);
      } else if (transport_ == Transport::Polling) {
        out.push_back({.kind = Action::Kind::OweNoop});
      }
      finish("transport close", out);
      break;
    case PacketType::Noop:
      break;
    case PacketType::Open:
    case PacketType::Upgrade:
      finish("parse error", out);
      break;
  }
  return Inbound::Handled;
}

SessionCore::Inbound SessionCore::websocket_message(Packet* packet, Clock::time_point now,
                                                    Actions& out) {
  if (closed_ || transport_ != Transport::WebSocket) return Inbound::Handled;
  if (!packet) {
    finish("parse error", out);
    return Inbound::Handled;
  }
  return receive(*packet, now, out);
}

void SessionCore::websocket_closed(Actions& out) {
  if (!closed_ && transport_ == Transport::WebSocket) finish("transport close", out);
}

// --- upgrade ------------------------------------------------------------------------------

bool SessionCore::probe_opened(Clock::time_point now, Actions& out) {
  if (closed_ || closing_ || transport_ == Transport::WebSocket || probe_) return false;
  probe_ = true;
  upgrade_at_ = now + options_.upgrade_timeout;
  sync_timer(out);
  return true;
}

void SessionCore::probe_message(const Packet* packet, Actions& out) {
  if (!probe_) return;
  if (!packet) {
    drop_probe(ProbeClose::MalformedFrame, out);
  } else if (packet->type == PacketType::Ping && packet->data == "probe" && !probed_) {
    probed_ = true;
    out.push_back({.kind = Action::Kind::AnswerProbe});
    answer_poll("6", out);
  } else if (packet->type == PacketType::Upgrade) {
    // Tolerated right after "2probe" without waiting for our "3probe".
    finish_upgrade(out);
  } else {
    drop_probe(ProbeClose::UnexpectedPacket, out);
  }
  sync_timer(out);
}

void SessionCore::probe_closed(Actions& out) {
  if (!probe_) return;
  probe_ = false;
  probed_ = false;
  upgrade_at_ = Clock::time_point::max();
  sync_timer(out);
}

void SessionCore::drop_probe(ProbeClose why, Actions& out) {
  if (!probe_) return;
  probe_ = false;
  probed_ = false;
  upgrade_at_ = Clock::time_point::max();
  out.push_back({.kind = Action::Kind::CloseProbe, .probe_close = why});
}

void SessionCore::finish_upgrade(Actions& out) {
  upgrade_at_ = Clock::time_point::max();
  probe_ = false;
  probed_ = false;
  transport_ = Transport::WebSocket;
  out.push_back({.kind = Action::Kind::Upgraded});
  // Nothing lost or reordered: what polling had queued leaves first, on the WebSocket.
  if (polling_) {
    for (auto& item : polling_->queue) {
      out.push_back({.kind = Action::Kind::SendWebSocket, .out = std::move(item)});
    }
    // No more polling (a GET held now is answered next; later ones are refused).
    polling_.reset();
  }
  answer_poll("6", out);
}

// --- heartbeat and close ------------------------------------------------------------------

void SessionCore::schedule_ping(Clock::time_point now) {
  if (closed_ || closing_) return;
  // The next ping pingInterval after the pong, not at a fixed rate (PROTOCOL.md §4 item 20).
  heartbeat_ = Heartbeat::Ping;
  heartbeat_at_ = now + options_.ping_interval;
}

void SessionCore::on_timer(Clock::time_point now, Actions& out) {
  if (closed_) return;
  if (upgrade_at_ <= now) {
    upgrade_at_ = Clock::time_point::max();
    drop_probe(ProbeClose::UpgradeTimeout, out);
  }
  if (heartbeat_at_ <= now) {
    heartbeat_at_ = Clock::time_point::max();
    switch (heartbeat_) {
      case Heartbeat::Ping:
        send({Packet{PacketType::Ping, {}, false}, nullptr, 0}, 1, false, out);
        if (!closed_) {
          heartbeat_ = Heartbeat::Pong;
          heartbeat_at_ = now + options_.ping_timeout;
        }
        break;
      case Heartbeat::Pong:
        finish("ping timeout", out);
        break;
      case Heartbeat::Closing:
        finish(polling().closing_reason, out);
        break;
      case Heartbeat::Idle:
        break;
    }
  }
  sync_timer(out);
}

void SessionCore::close(std::string_view reason, bool notify_client, Clock::time_point now,
                        Actions& out) {
  // A close that need not reach the client (a shutdown, a dead transport) also ends a graceful
  // close still waiting for the client's next poll.
  if (closed_ || (closing_ && notify_client)) return;
  if (notify_client && transport_ == Transport::Polling) {
    // As the reference: what is queued (a Socket.IO DISCONNECT, say) goes first, and the
    // close packet in a poll of its own, so the client handles the packets before the
    // close. A client that does not poll in time is gone anyway.
    closing_ = true;
    polling().closing_reason = reason;
    // No upgrade any more: the client hears the close on polling.
    drop_probe(ProbeClose::GoingAway, out);
    heartbeat_ = Heartbeat::Closing;
    heartbeat_at_ = now + options_.ping_timeout;
    if (poll_held_) drain_for_close(out);
    sync_timer(out);
    return;
  }
  finish(reason, out);
}

void SessionCore::drain_for_close(Actions& out) {
  auto& p = polling();
  bool last = p.queue.empty();
  if (last) {
    p.queue.push_back({Packet{PacketType::Close, {}, false}, nullptr, 0});
    p.queued_bytes += 1;
  }
  flush_polling(out);
  if (last) finish(p.closing_reason, out);
}

void SessionCore::finish(std::string_view reason, Actions& out) {
  if (closed_) return;
  closed_ = true;
  heartbeat_ = Heartbeat::Idle;
  heartbeat_at_ = Clock::time_point::max();
  drop_probe(ProbeClose::GoingAway, out);
  if (transport_ == Transport::WebSocket) {
    out.push_back({.kind = Action::Kind::CloseWebSocket, .text = std::string(reason)});
  }
  if (poll_held_) {
    if (reason == "server shutting down") {
      // Not a close packet: some clients (python-engineio) take it as final and never come
      // back. An unavailable server is one they reconnect to once it is up again.
      poll_held_ = false;
      out.push_back({.kind = Action::Kind::AnswerPollUnavailable});
    } else {
      answer_poll(close_packet(), out);
    }
  }
  // Not let go: `reason` may be its closing_reason.
  if (polling_) {
    polling_->queue.clear();
    polling_->queued_bytes = 0;
  }
  sync_timer(out);
  out.push_back({.kind = Action::Kind::Ended, .text = std::string(reason)});
}

void SessionCore::sync_timer(Actions& out) {
  auto at = std::min(heartbeat_at_, upgrade_at_);
  if (at == timer_at_) return;
  timer_at_ = at;
  out.push_back({.kind = Action::Kind::SetTimer, .when = at});
}

}  // namespace switchboard::engineio::detail
