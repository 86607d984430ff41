#include "switchboard/socketio/socket.hpp"

#include <stdexcept>

#include <boost/asio/steady_timer.hpp>

#include "socketio/core.hpp"
#include "socketio/event_text.hpp"
#include "socketio/json_text.hpp"
#include "switchboard/log/logger.hpp"
#include "switchboard/socketio/namespace.hpp"

namespace switchboard::socketio {

Socket::Socket(std::shared_ptr<detail::Client> client, std::shared_ptr<detail::NamespaceCore> nsp,
               std::string id, Handshake handshake)
    : client_(client),
      shard_(client->engine().shard()),
      nsp_(std::move(nsp)),
      id_(std::move(id)),
      handshake_(std::move(handshake)) {}

Socket::~Socket() = default;

Namespace Socket::nsp() const {
  return Namespace(nsp_);
}
net::Shard& Socket::shard() {
  return shard_;
}

void Socket::on(std::string event, PlainEventHandler handler) {
  if (!handler) return on(std::move(event), EventHandler());
  on(std::move(event), [handler = std::move(handler)](Socket&, Event& e) { handler(e); });
}
void Socket::on(std::string event, EventHandler handler) {
  for (auto& [name, h] : handlers_) {
    if (name == event) {
      h = std::move(handler);
      return;
    }
  }
  handlers_.emplace_back(std::move(event), std::move(handler));
}
void Socket::on_any(AnyHandler handler) {
  if (handler || listeners_) listeners().any = std::move(handler);
}
void Socket::on_any(PlainAnyHandler handler) {
  if (!handler) return on_any(AnyHandler());
  on_any([handler = std::move(handler)](Socket&, const Event& e) { handler(e); });
}
void Socket::on_any_outgoing(PlainAnyHandler handler) {
  if (!handler) return on_any_outgoing(AnyHandler());
  on_any_outgoing([handler = std::move(handler)](Socket&, const Event& e) { handler(e); });
}
void Socket::on_any_outgoing(AnyHandler handler) {
  // The namespace counts listeners: broadcasts keep their arguments only when some exist.
  if (!handler && !listeners_) return;
  auto& outgoing = listeners().any_outgoing;
  if (!outgoing && handler) ++nsp_->outgoing_listeners;
  if (outgoing && !handler) --nsp_->outgoing_listeners;
  outgoing = std::move(handler);
}
void Socket::on_disconnecting(DisconnectHandler handler) {
  if (handler || listeners_) listeners().on_disconnecting = std::move(handler);
}
void Socket::on_disconnect(DisconnectHandler handler) {
  if (handler || listeners_) listeners().on_disconnect = std::move(handler);
}

namespace {
Socket::DisconnectHandler with_words(Socket::ReasonHandler handler) {
  if (!handler) return nullptr;
  return [handler = std::move(handler)](Socket&, DisconnectReason r) { handler(to_string(r)); };
}
}  // namespace

void Socket::on_disconnecting(ReasonHandler handler) {
  on_disconnecting(with_words(std::move(handler)));
}
void Socket::on_disconnect(ReasonHandler handler) {
  on_disconnect(with_words(std::move(handler)));
}

net::SendResult Socket::send_packet_text(std::string_view text,
                                         std::vector<std::string> attachments, bool is_volatile) {
  auto client = client_.lock();
  if (!client || !connected_) return net::SendResult::Dropped;
  return client->send(text, std::move(attachments), is_volatile);
}

// Sends an encoded packet: its text, then each attachment as a binary message.
net::SendResult Socket::send_messages(std::vector<std::pair<bool, std::string>> messages) {
  std::vector<std::string> attachments;
  for (std::size_t i = 1; i < messages.size(); ++i) {
    attachments.push_back(std::move(messages[i].second));
  }
  return send_packet_text(messages[0].second, std::move(attachments));
}

void Socket::notify_outgoing(const Event& event) {
  if (auto& observer = nsp_->server.observer; observer && observer->events) {
    observer->event_sent(*this, event);
  }
  if (!listeners_ || !listeners_->any_outgoing) return;
  auto keep = shared_from_this();
  auto handler = listeners_->any_outgoing;  // it may replace itself
  detail::run_user(*nsp_, this, "any outgoing", [&] { handler(*this, event); });
}

void Socket::require_shard(const char* what) const {
  if (shard_.is_current()) return;
  throw std::logic_error(std::string("socketio::Socket::") + what +
                         " called off the socket's shard: post it to socket->shard() "
                         "(docs/library.md, \"Threads\")");
}

net::SendResult Socket::emit_args(std::string_view event, Args args) {
  require_shard("emit");
  // With the adapter's recovery the emit comes back as a broadcast, notified when delivered.
  auto& observer = nsp_->server.observer;
  const bool outgoing = listeners_ && listeners_->any_outgoing;
  if ((outgoing || (observer && observer->events)) && !nsp_->adapter_recovery()) {
    notify_outgoing(Event{std::string(event), args, {}});
  }
  if (nsp_->recovery()) return nsp_->emit_logged(*this, event, std::move(args));
  if (!detail::has_binary(args.values)) {
    // The usual emit: its text encoded into the thread's buffer and sent from there.
    detail::ScratchText text;
    detail::encode_event_text(text.get(), nsp_->name, event, args.values, std::nullopt);
    return send_packet_text(text.get(), {});
  }
  return send_messages(
      detail::encode_event_messages(nsp_->name, event, std::move(args), std::nullopt));
}

void Socket::emit_with_ack(std::string_view event, Args args, AckCallback callback,
                           std::chrono::milliseconds timeout) {
  if (!shard_.is_current()) {
    // Off the socket's shard (another shard, a thread of the application): posted there,
    // where its acks live and its callback runs.
    shard_.post([self = shared_from_this(), event = std::string(event), args = std::move(args),
                 callback = std::move(callback), timeout]() mutable {
      self->emit_with_ack(event, std::move(args), std::move(callback), timeout);
    });
    return;
  }
  if (!connected_) {
    callback("socket has been disconnected", {});
    return;
  }
  auto id = nsp_->next_ack_id();
  register_ack(id, std::move(callback), timeout);
  send_messages(detail::encode_event_messages(nsp_->name, event, std::move(args), id));
}

void Socket::register_ack(std::uint64_t id, AckCallback callback,
                          std::chrono::milliseconds timeout) {
  PendingAck pending{std::move(callback), nullptr};
  if (timeout.count() > 0) {
    auto timer = std::make_shared<boost::asio::steady_timer>(shard_.context());
    timer->expires_after(timeout);
    timer->async_wait([weak = weak_from_this(), id](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self) return;
      if (!self->acks_) return;
      auto it = self->acks_->find(id);
      if (it == self->acks_->end()) return;
      auto cb = std::move(it->second.callback);
      self->acks_->erase(it);
      detail::run_user(*self->nsp_, self.get(), "ack", [&] { cb("operation has timed out", {}); });
    });
    pending.timer = timer;
  }
  if (!acks_) acks_ = std::make_unique<std::unordered_map<std::uint64_t, PendingAck>>();
  (*acks_)[id] = std::move(pending);
}

void Socket::deliver_ack(std::uint64_t id, Args args) {
  if (!acks_) return;  // none was asked for
  auto it = acks_->find(id);
  if (it == acks_->end()) return;  // unknown or late: ignored, as in the reference
  auto pending = std::move(it->second);
  acks_->erase(it);
  if (pending.timer) std::static_pointer_cast<boost::asio::steady_timer>(pending.timer)->cancel();
  auto keep = shared_from_this();
  detail::run_user(*nsp_, this, "ack", [&] { pending.callback(std::nullopt, std::move(args)); });
}

// A handler that throws disconnects this socket only ("server error"; detail::run_user).
void Socket::dispatch(Event event) {
  auto keep = shared_from_this();
  if (auto& observer = nsp_->server.observer; observer && observer->events) {
    observer->event_received(*this, event);
  }
  if (listeners_ && listeners_->any) {
    auto any = listeners_->any;  // it may replace itself
    if (!detail::run_user(*nsp_, this, event.name, [&] { any(*this, event); })) return;
  }
  for (auto& [name, h] : handlers_) {
    if (name != event.name) continue;
    auto handler = h;  // a handler may replace itself
    detail::run_user(*nsp_, this, event.name, [&] { handler(*this, event); });
    return;
  }
}

std::set<std::string> Socket::rooms() const {
  std::set<std::string> all;
  if (rooms_) all.insert(rooms_->begin(), rooms_->end());
  if (in_own_room_) all.insert(id_);
  return all;
}

bool Socket::in_room(std::string_view room) const {
  if (room == id_) return in_own_room_;
  return rooms_ && rooms_->find(room) != rooms_->end();
}

void Socket::join(const std::string& room) {
  require_shard("join");
  if (room == id_) {
    in_own_room_ = true;
  } else if (joined().insert(room).second) {
    nsp_->add_to_room(*this, room);
    if (auto& observer = nsp_->server.observer; observer && connected_) {
      observer->room_joined(*this, room);
    }
  } else {
    return;
  }
  nsp_->session_changed(*this);
}

void Socket::leave(const std::string& room) {
  require_shard("leave");
  if (room == id_) {
    in_own_room_ = false;
  } else if (rooms_ && rooms_->erase(room)) {
    nsp_->remove_from_room(*this, room);
    if (auto& observer = nsp_->server.observer; observer && connected_) {
      observer->room_left(*this, room);
    }
  } else {
    return;
  }
  nsp_->session_changed(*this);
}

BroadcastOperator Socket::to(std::string room) const {
  return BroadcastOperator(nsp_).to(std::move(room)).except(id_);
}
BroadcastOperator Socket::except(std::string room) const {
  return BroadcastOperator(nsp_).except(std::move(room));
}
BroadcastOperator Socket::broadcast() const {
  return BroadcastOperator(nsp_).except(id_);
}

std::shared_ptr<engineio::Socket> Socket::conn() const {
  auto client = client_.lock();
  return client ? client->engine_ptr() : nullptr;
}

void Socket::mark_connected(bool recovered) {
  connected_ = true;
  recovered_ = recovered;
}

void Socket::disconnect(bool close) {
  require_shard("disconnect");
  if (!connected_) return;
  auto client = client_.lock();
  if (close) {
    // As the reference: every namespace of the client leaves, then the connection closes.
    if (client) client->disconnect_all();
    return;
  }
  disconnect_with(DisconnectReason::ServerNamespaceDisconnect);
}

void Socket::disconnect_with(DisconnectReason reason) {
  if (!connected_ || leaving_) return;
  Packet packet{.type = PacketType::Disconnect, .nsp = nsp_->name};
  std::string text;
  encode(text, packet);
  send_packet_text(text, {});
  finish(reason);
}

void Socket::drop_handlers() {
  handlers_.clear();
  on_any_outgoing(AnyHandler());
  listeners_.reset();
}

void Socket::finish(DisconnectReason reason) {
  // Listed in its namespace once admitted (a socket refused by a middleware never was).
  auto& sockets = nsp_->local(shard_.index()).sockets;
  auto listed = [&] {
    auto it = sockets.find(id_);
    return it != sockets.end() && it->second.get() == this ? it : sockets.end();
  };
  if (!connected_ && listed() == sockets.end()) {
    if (auto client = client_.lock()) client->forget(nsp_->name);
    drop_handlers();  // a middleware may have set some
    return;
  }
  auto keep = shared_from_this();
  leaving_ = true;
  if (log::enabled(log::Level::Info)) {
    auto client = client_.lock();
    log::info("socket.io disconnected",
              {{"nsp", nsp_->name},
               {"sid", id_},
               {"reason", to_string(reason)},
               {"transport", client ? client->engine().transport() : std::string_view()},
               {"remote", handshake_.request ? handshake_.request->remote_address : std::string()},
               {"shard", shard_.index()}});
  }
  if (listeners_ && listeners_->on_disconnecting) {
    auto handler = listeners_->on_disconnecting;  // it may replace itself
    detail::run_user(*nsp_, this, "disconnecting", [&] { handler(*this, reason); });
  }
  nsp_->persist(*this, reason);
  auto& observer = nsp_->server.observer;
  if (auto rooms = std::move(rooms_)) {
    for (const auto& room : *rooms) {
      nsp_->remove_from_room(*this, room);
      if (observer) observer->room_left(*this, room);
    }
  }
  // Looked up again: the handlers above may have changed the map.
  if (auto it = listed(); it != sockets.end()) sockets.erase(it);
  connected_ = false;
  if (auto acks = std::move(acks_)) {
    for (auto& entry : *acks) {
      auto& pending = entry.second;  // not a structured binding: clang 14 cannot capture those
      if (pending.timer) {
        std::static_pointer_cast<boost::asio::steady_timer>(pending.timer)->cancel();
      }
      detail::run_user(*nsp_, this, "ack",
                       [&] { pending.callback("socket has been disconnected", {}); });
    }
  }
  if (auto client = client_.lock()) client->forget(nsp_->name);
  auto on_disconnect = listeners_ ? std::move(listeners_->on_disconnect) : DisconnectHandler();
  // Handlers may capture this socket: drop them so the socket can go.
  drop_handlers();
  if (observer) observer->socket_disconnected(*this, to_string(reason));
  if (on_disconnect) {
    detail::run_user(*nsp_, this, "disconnect", [&] { on_disconnect(*this, reason); });
  }
  // An on_disconnect handler that set new handlers: dropped too.
  drop_handlers();
}

}  // namespace switchboard::socketio
