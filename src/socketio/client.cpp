#include <algorithm>

#include <boost/json/serialize.hpp>

#include "socketio/core.hpp"
#include "switchboard/log/logger.hpp"
#include "switchboard/metrics/cells.hpp"

namespace switchboard::socketio::detail {

Client::Client(ServerCore& server, engineio::SocketPtr engine)
    : server_(server),
      engine_(std::move(engine)),
      decoder_({.max_attachments = server.options.max_attachments}),
      connect_timer_(std::make_unique<net::Timer>(engine_->shard())) {}

void Client::start() {
  // The engine session owns its client until it has ended (the cycle through engine_ ends
  // there). Views: a WebSocket text message is decoded where it lies in the read buffer.
  engine_->listen(shared_from_this());
  if (server_.observer) server_.observer->client_opened(engine_);
  // A client must join a namespace in time (PROTOCOL.md §6 item 31).
  connect_timer_->arm(server_.options.connect_timeout, [this] {
    auto keep = shared_from_this();
    if (sockets_.empty()) engine_->close();
  });
}

net::SendResult Client::send(std::string_view text, std::vector<std::string> attachments,
                             bool is_volatile) {
  auto result = engine_->send(text, is_volatile);
  if (result == net::SendResult::Dropped) return result;
  metrics::add(metrics::Stat::SocketioPacketsSent);
  if (server_.observer) server_.observer->packet_out(text.size());
  for (auto& a : attachments) {
    engine_->send_binary(a);
    if (server_.observer) server_.observer->packet_out(a.size());
  }
  return result;
}

net::SendResult Client::send_prepared(
    const std::shared_ptr<const engineio::PreparedPackets>& packets, bool is_volatile) {
  auto result = engine_->send(packets, is_volatile);
  if (result != net::SendResult::Dropped) metrics::add(metrics::Stat::SocketioPacketsSent);
  if (server_.observer && result != net::SendResult::Dropped) {
    // The polling form is the message's type character, then its text or base64.
    for (const auto& item : packets->items()) server_.observer->packet_out(item.polling.size() - 1);
  }
  return result;
}

void Client::disconnect_all() {
  auto keep = shared_from_this();
  auto sockets = sockets_;
  for (auto& [nsp, socket] : sockets) socket->disconnect(false);
  engine_->close();
}

SocketPtr* Client::find_socket(std::string_view nsp) {
  for (auto& [name, socket] : sockets_) {
    if (name == nsp) return &socket;
  }
  return nullptr;
}

bool Client::drop_socket(std::string_view nsp) {
  return std::erase_if(sockets_, [&](const auto& entry) { return entry.first == nsp; }) != 0;
}

void Client::forget(const std::string& nsp) {
  if (!drop_socket(nsp)) return;
  if (!has_left(nsp)) lists().left.push_back(nsp);
}

void Client::on_engine_message(std::string_view data, bool binary) {
  on_message(data, binary);
}

void Client::on_engine_close(std::string_view reason) {
  // The Engine.IO reasons are the reference's words, which DisconnectReason names.
  on_close(disconnect_reason_from(reason).value_or(DisconnectReason::TransportError));
}

void Client::on_message(std::string_view data, bool binary) {
  if (server_.observer) server_.observer->packet_in(data.size());
  auto step = binary ? decoder_.feed_binary(std::string(data)) : decoder_.feed_text(data);
  // The peer broke the protocol: only this connection ends.
  if (!step) return fail(DisconnectReason::ParseError);
  if (!*step) return;
  metrics::add(metrics::Stat::SocketioPacketsReceived);
  handle(std::move(**step));
}

void Client::handle(Packet packet) {
  // A namespace waiting for its session from another shard: nothing else for it yet.
  if (is_recovering(packet.nsp)) return;
  auto* found = find_socket(packet.nsp);
  if (packet.type == PacketType::Connect) {
    // A second CONNECT for a joined namespace is ignored: the JS client sends one when
    // connect() is called on a socket that is already connecting.
    return found ? void() : connect(std::move(packet));
  }
  if (!found && !has_left(packet.nsp)) {
    // A packet for a namespace never joined: the reference closes ("invalid state"). Packets
    // still in flight for a namespace the socket just left are ignored instead: the server
    // may have disconnected it meanwhile.
    return fail(DisconnectReason::ForcedServerClose);
  }
  if (!found || !(*found)->connected()) return;
  auto socket = *found;
  switch (packet.type) {
    case PacketType::Disconnect:
      socket->finish(DisconnectReason::ClientNamespaceDisconnect);
      break;
    case PacketType::Event:
    case PacketType::BinaryEvent: {
      auto& array = packet.data.as_array();
      auto name = array[0].is_string() ? std::string(array[0].as_string())
                                       : boost::json::serialize(array[0]);
      // The arguments are the parsed array itself, its name taken off (moved, not copied).
      array.erase(array.begin());
      Event event{.name = std::move(name), .args = {.values = std::move(array)}};
      if (!packet.attachments.empty()) inline_attachments(event.args.values, packet.attachments);
      if (packet.id) {
        std::weak_ptr<Socket> weak = socket;
        auto id = *packet.id;
        auto nsp = packet.nsp;
        event.ack = Ack([weak, id, nsp](Args args) {
          auto s = weak.lock();
          if (!s || !s->connected()) return;
          Packet ack{.type = PacketType::Ack, .nsp = nsp, .id = id};
          ack.data = std::move(args.values);
          extract_binaries(ack.data, ack.attachments);
          std::string text;
          encode(text, ack);
          s->send_packet_text(text, std::move(ack.attachments));
        });
      }
      socket->dispatch(std::move(event));
      break;
    }
    case PacketType::Ack:
    case PacketType::BinaryAck: {
      Args args;
      args.values = std::move(packet.data.as_array());
      if (!packet.attachments.empty()) inline_attachments(args.values, packet.attachments);
      socket->deliver_ack(*packet.id, std::move(args));
      break;
    }
    default:
      // CONNECT and CONNECT_ERROR are not for a joined namespace.
      fail(DisconnectReason::ParseError);
  }
}

void Client::fail(DisconnectReason reason) {
  on_close(reason);
  engine_->close();
}

void Client::connect(Packet packet) {
  boost::json::object auth;
  if (packet.data.is_object()) auth = std::move(packet.data.as_object());
  auto nsp = server_.find_for_connect(packet.nsp, auth);
  if (!nsp) return refuse(packet.nsp, {"Invalid namespace", nullptr});
  if (nsp->recovery()) {
    // A client coming back names its earlier session (PROTOCOL.md §7 item 43).
    if (const auto* pid = auth.if_contains("pid"); pid && pid->is_string()) {
      std::string id(pid->as_string());
      return recover(nsp, std::move(auth), std::move(id));
    }
  }
  open_socket(nsp, std::move(auth), std::nullopt);
}

void Client::open_socket(const std::shared_ptr<NamespaceCore>& nsp, boost::json::object auth,
                         std::optional<Restore> restore) {
  Handshake hs{.request = engine_->shared_request(),
               .auth = std::move(auth),
               .time = std::chrono::system_clock::now()};
  auto id = restore ? restore->session.sid : random_id();
  auto socket = std::make_shared<Socket>(shared_from_this(), nsp, std::move(id), std::move(hs));
  // A recovered socket keeps its pid: that is how the client knows it was recovered.
  if (nsp->recovery()) socket->set_pid(restore ? restore->session.pid : random_id());
  if (auto* slot = find_socket(nsp->name)) {
    *slot = socket;
  } else {
    sockets_.emplace_back(nsp->name, socket);
  }
  std::size_t first = 0;
  std::shared_ptr<Restore> found;
  if (restore) {
    socket->data = restore->session.data;
    if (server_.options.connection_state_recovery->skip_middlewares) {
      first = nsp->handlers->middlewares.size();
    }
    found = std::make_shared<Restore>(std::move(*restore));
  }
  admit(nsp, socket, first, std::move(found));
}

// Runs middleware `next` and the ones after it, then lets the socket in.
void Client::admit(const std::shared_ptr<NamespaceCore>& nsp, const SocketPtr& socket,
                   std::size_t next, std::shared_ptr<Restore> restore) {
  auto& middlewares = nsp->handlers->middlewares;
  if (next < middlewares.size()) {
    auto self = shared_from_this();
    std::weak_ptr<Client> weak = self;
    auto middleware = middlewares[next];
    auto answered = std::make_shared<std::atomic<bool>>(false);
    auto* shard = &engine_->shard();
    auto answer = [weak, nsp, socket, next, restore](std::optional<ConnectError> error) {
      auto self = weak.lock();
      if (!self || !self->engine_->is_open()) return;
      if (error) {
        self->drop_socket(nsp->name);
        socket->drop_handlers();
        return self->refuse(nsp->name, *error);
      }
      self->admit(nsp, socket, next + 1, restore);
    };
    // Only the first answer counts; one from another thread is carried out on the shard.
    Next reply([answered, shard, answer](std::optional<ConnectError> error) {
      if (answered->exchange(true)) return;
      if (shard->is_current()) return answer(std::move(error));
      shard->post([answer, error = std::move(error)] { answer(error); });
    });
    bool ok = run_user(*nsp, socket.get(), "middleware", [&] { middleware(socket, reply); });
    // A middleware that threw before letting the socket in: refused, as by next(error).
    if (auto* slot = find_socket(nsp->name);
        !ok && slot && *slot == socket && !socket->connected() && engine_->is_open()) {
      answered->store(true);  // a later next() from it does nothing
      drop_socket(nsp->name);
      socket->drop_handlers();
      refuse(nsp->name, ConnectError{.message = "server error", .data = nullptr});
    }
    return;
  }
  connect_timer_.reset();
  if (restore && restore->from_adapter) return admit_from_adapter(nsp, socket, std::move(restore));
  auto& local = nsp->local(engine_->shard().index());
  // What the client missed is worked out here, in the same turn as the socket joins its
  // rooms: a broadcast is either in this shard's log already or reaches the socket live.
  std::vector<PacketsPtr> missed;
  bool recovered = false;
  if (restore) {
    if (auto broadcasts = local.log->broadcasts_after(restore->clock, restore->session.rooms)) {
      recovered = true;
      missed = std::move(restore->directs);
      missed.insert(missed.end(), broadcasts->begin(), broadcasts->end());
    } else {
      // Too much is gone to recover: a fresh start, and a new pid tells the client so.
      socket->data = nullptr;
      socket->set_pid(random_id());
    }
  }
  local.sockets[socket->id()] = socket;  // the socket's own room, too
  if (recovered) {
    // Its rooms as they were, its own included only if it had not left it.
    if (!restore->session.rooms.contains(socket->id())) socket->leave(socket->id());
    for (const auto& room : restore->session.rooms) socket->join(room);
  }
  Packet reply{.type = PacketType::Connect, .nsp = nsp->name};
  boost::json::object body{{"sid", socket->id()}};
  if (!socket->pid().empty()) body["pid"] = socket->pid();
  reply.data = std::move(body);
  std::string text;
  encode(text, reply);
  engine_->send(text);
  metrics::add(metrics::Stat::SocketioPacketsSent);
  for (const auto& packets : missed) engine_->send(packets);
  socket->mark_connected(recovered);
  if (server_.observer) server_.observer->socket_connected(*socket);
  if (nsp->adapter_recovery() && !socket->pid().empty()) {
    nsp->adapter()->persist_session(nsp->session_of(*socket, local.last_offset),
                                    SessionChange::Connected);
  }
  if (nsp->handlers->on_connection) {
    auto& handler = nsp->handlers->on_connection;
    run_user(*nsp, socket.get(), "connection", [&] { handler(socket); });
  }
}

void Client::refuse(const std::string& nsp, const ConnectError& error) {
  Packet reply{.type = PacketType::ConnectError, .nsp = nsp};
  boost::json::object body{{"message", error.message}};
  if (!error.data.is_null()) body["data"] = error.data;
  reply.data = std::move(body);
  std::string text;
  encode(text, reply);
  engine_->send(text);
  metrics::add(error.message == "Invalid namespace"
                   ? metrics::HandshakeFailure::SocketioInvalidNamespace
                   : metrics::HandshakeFailure::SocketioRefused);
}

namespace {

// Ends the client or the network caused are worth an operator's look; the others (the client
// left, the server was told to close it, a restart) are routine.
log::Level session_end_level(DisconnectReason reason) {
  switch (reason) {
    case DisconnectReason::TransportError:
    case DisconnectReason::PingTimeout:
    case DisconnectReason::ParseError:
    case DisconnectReason::ForcedServerClose:
    case DisconnectReason::ServerError:
      return log::Level::Info;
    default:
      return log::Level::Debug;
  }
}

}  // namespace

void Client::on_close(DisconnectReason reason) {
  auto keep = shared_from_this();
  // The Engine.IO session's end, once (the Engine.IO reasons are the same words).
  if (auto level = session_end_level(reason); log::enabled(level)) {
    auto request = engine_->shared_request();
    log::write(level, "engine.io session closed",
               {{"sid", engine_->id()},
                {"transport", engine_->transport()},
                {"reason", to_string(reason)},
                {"remote", request ? request->remote_address : std::string()},
                {"shard", engine_->shard().index()}});
  }
  connect_timer_.reset();
  auto sockets = std::move(sockets_);
  sockets_.clear();
  for (auto& [nsp, socket] : sockets) socket->finish(reason);
  if (server_.observer) server_.observer->client_closed(*engine_, to_string(reason));
}

}  // namespace switchboard::socketio::detail
