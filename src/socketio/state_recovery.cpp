// Broadcasts, logged emits and connection state recovery (PROTOCOL.md §7); see recovery.hpp
// for how the logs of the shards agree.
#include <boost/json/serialize.hpp>

#include "socketio/core.hpp"
#include "switchboard/metrics/cells.hpp"

namespace switchboard::socketio::detail {

bool NamespaceCore::recovery() const {
  return server.options.connection_state_recovery.has_value();
}

void NamespaceCore::broadcast(std::shared_ptr<const Selection> selection, std::string_view event,
                              Args args, bool is_volatile, bool compress) {
  metrics::add(metrics::Stat::Broadcasts);
  std::shared_ptr<const Event> outgoing;
  if (keeps_outgoing()) {
    outgoing = std::make_shared<const Event>(Event{std::string(event), args, {}});
  }
  // Room members that are not sockets get the event and arguments (before any offset).
  auto frames = member_frames(event, args, is_volatile);
  // Encoded once: every shard and every socket gets the same bytes.
  auto post = [&](std::optional<OffsetKey> key) {
    if (key) args.values.emplace_back(key->text());
    auto packets = engineio::PreparedPackets::messages(
        encode_event_messages(name, event, std::move(args), std::nullopt),
        compress && server.options.engine.per_message_deflate.enabled);
    server.runtime.post_each([self = shared_from_this(), selection, packets, outgoing, is_volatile,
                              key, frames](net::Shard& shard) {
      self->deliver(shard.index(), selection, packets, outgoing, is_volatile, key);
      if (frames) self->deliver_members(shard.index(), *selection, *frames);
    });
  };
  // With the adapter's recovery, a recoverable emit goes to Adapter::broadcast_logged and comes
  // back through local_broadcast_logged; what arrives here is not logged.
  if (!recovery() || is_volatile || adapter_recovery_) return post(std::nullopt);
  auto* shard = net::Runtime::current();
  if (shard && &shard->runtime() == &server.runtime) {
    auto& l = local(shard->index());
    return post(OffsetKey{.shard = shard->index(), .n = ++l.broadcasts});
  }
  std::lock_guard lock(external_mutex_);
  post(OffsetKey{.shard = server.runtime.size(), .n = ++external_broadcasts_});
}

void NamespaceCore::deliver(unsigned shard, const std::shared_ptr<const Selection>& selection,
                            const PacketsPtr& packets, const std::shared_ptr<const Event>& event,
                            bool is_volatile, std::optional<OffsetKey> key) {
  std::optional<std::uint64_t> position;
  if (key) {
    position = local(shard).log->append(
        {.key = *key, .packets = packets, .selection = selection, .time = Clock::now()});
  }
  for_each_selected(shard, selection->rooms, selection->except, [&](Socket& s) {
    auto client = s.client();
    if (!client) return;
    if (event) {
      s.notify_outgoing(*event);
      if (!s.connected()) return;  // its outgoing listener threw: it left
    }
    if (position) s.note_logged(*position);
    metrics::add(metrics::Stat::BroadcastDeliveries);
    client->send_prepared(packets, is_volatile);
  });
}

net::SendResult NamespaceCore::emit_logged(Socket& socket, std::string_view event, Args args) {
  auto client = socket.client();
  if (!client || !socket.connected()) return net::SendResult::Dropped;
  if (adapter_recovery_) {
    // Ordered with the broadcasts by the adapter: a broadcast to the socket's own room.
    adapter_->broadcast_logged(Target{.rooms = {socket.id()}}, event, args);
    return net::SendResult::Buffered;
  }
  auto index = socket.shard().index();
  auto& l = local(index);
  OffsetKey key{.direct = true, .shard = index, .n = ++l.directs};
  args.values.emplace_back(key.text());
  auto packets = engineio::PreparedPackets::messages(
      encode_event_messages(name, event, std::move(args), std::nullopt));
  socket.note_logged(
      l.log->append({.key = key, .packets = packets, .target = socket.id(), .time = Clock::now()}));
  return client->send_prepared(packets, false);
}

void NamespaceCore::persist(Socket& socket, DisconnectReason reason) {
  if (adapter_recovery_) {
    if (socket.pid().empty()) return;
    // A socket still being recovered starts where its replay started.
    std::string start;
    auto& replays = local(socket.shard().index()).replays;
    if (auto it = replays.find(socket.id()); it != replays.end() && it->second.socket == &socket) {
      start = it->second.after;
    }
    adapter_->persist_session(session_of(socket, std::move(start)),
                              recoverable(reason) ? SessionChange::Left : SessionChange::Gone);
    return;
  }
  if (!recovery() || !recoverable(reason) || socket.pid().empty()) return;
  auto& l = local(socket.shard().index());
  Session session{.shard = socket.shard().index(),
                  .pid = socket.pid(),
                  .sid = socket.id(),
                  .rooms = socket.rooms(),
                  .data = socket.data,
                  .end = l.log->end(),
                  .first_sent = socket.first_logged(),
                  .left = Clock::now()};
  if (auto last = socket.last_logged()) session.last_sent = l.log->key_at(*last);
  std::lock_guard lock(sessions_mutex_);
  sessions_->save(socket.pid(), std::move(session));
}

std::optional<Session> NamespaceCore::take_session(const std::string& pid) {
  std::lock_guard lock(sessions_mutex_);
  return sessions_->take(pid, Clock::now());
}

std::optional<Restore> NamespaceCore::restore(Session session,
                                              const std::optional<OffsetKey>& offset) {
  const auto& log = *local().log;
  auto until = session.received_until(log, offset);
  if (!until) return std::nullopt;
  auto clock = log.clock_before(*until);
  if (!clock) return std::nullopt;
  auto directs = log.directs_from(*until, session.sid);
  return Restore{std::move(session), std::move(*clock), std::move(directs)};
}

void Client::recover(const std::shared_ptr<NamespaceCore>& nsp, boost::json::object auth,
                     std::string pid) {
  if (nsp->adapter_recovery()) return recover_from_adapter(nsp, std::move(auth), std::move(pid));
  std::optional<OffsetKey> offset;
  bool valid = true;
  if (const auto* o = auth.if_contains("offset")) {
    if (o->is_string()) {
      offset = OffsetKey::parse(o->as_string());
      valid = offset.has_value();
    } else {
      valid = o->is_null();
    }
  }
  auto session = valid ? nsp->take_session(pid) : std::nullopt;
  if (!session) return open_socket(nsp, std::move(auth), std::nullopt);
  // What the client saw is told by the log of the shard it left from; what it missed since
  // is replayed from this shard's log when it joins its rooms here.
  lists().recovering.push_back(nsp->name);
  auto* here = &engine_->shard();
  std::weak_ptr<Client> weak = shared_from_this();
  auto from = session->shard;
  server_.runtime.shard(from).post(
      [nsp, session = std::move(*session), offset, here, weak, auth = std::move(auth)]() {
        auto restore = nsp->restore(session, offset);
        here->post([weak, nsp, auth, restore]() {
          auto self = weak.lock();
          if (!self || !self->engine_->is_open()) return;
          std::erase(self->lists().recovering, nsp->name);
          self->open_socket(nsp, auth, restore);
        });
      });
}

// Recovery kept by the adapter (docs/decisions/014). Every recoverable packet reaches each
// shard through local_broadcast_logged in the adapter's order. A recovering socket joins its
// rooms first, holding back what is delivered live, then reads what it missed from the
// adapter: the replay covers everything up to its horizon, and the held packets past it follow.

SessionState NamespaceCore::session_of(Socket& socket, std::string start) {
  return {.sid = socket.id(),
          .pid = socket.pid(),
          .rooms = socket.rooms(),
          .data = socket.data,
          .start = std::move(start)};
}

void NamespaceCore::session_changed(Socket& socket) {
  if (adapter_recovery_ && socket.connected() && !socket.pid().empty()) {
    adapter_->persist_session(session_of(socket, {}), SessionChange::Changed);
  }
}

void NamespaceCore::local_broadcast_logged(const Target& target, std::string_view event, Args args,
                                           std::string offset) {
  auto id = StreamOffset::parse(offset);
  if (!adapter_recovery_ || !id) return local_broadcast(target, event, std::move(args));
  metrics::add(metrics::Stat::Broadcasts);
  std::shared_ptr<const Event> outgoing;
  if (keeps_outgoing()) {
    outgoing = std::make_shared<const Event>(Event{std::string(event), args, {}});
  }
  auto selection = std::make_shared<const Selection>(Selection{target.rooms, target.except});
  // Room members that are not sockets get the event and its arguments without the offset
  // (the last argument), as from an unlogged broadcast.
  std::shared_ptr<MemberFrames> frames;
  if (members_.load(std::memory_order_relaxed) > 0 && !args.values.empty()) {
    Args plain = args;
    plain.values.pop_back();
    frames = member_frames(event, plain, false);
  }
  auto packets = engineio::PreparedPackets::messages(
      encode_event_messages(name, event, std::move(args), std::nullopt),
      target.compress && server.options.engine.per_message_deflate.enabled);
  server.runtime.post_each([self = shared_from_this(), selection, packets, outgoing, frames,
                            id = *id, offset = std::move(offset)](net::Shard& shard) {
    auto& l = self->local(shard.index());
    l.last_offset = offset;
    self->deliver_logged(shard.index(), selection, packets, outgoing, id);
    if (frames) self->deliver_members(shard.index(), *selection, *frames);
  });
}

void NamespaceCore::deliver_logged(unsigned shard,
                                   const std::shared_ptr<const Selection>& selection,
                                   const PacketsPtr& packets,
                                   const std::shared_ptr<const Event>& event, StreamOffset offset) {
  auto& l = local(shard);
  l.last_id = offset;
  for_each_selected(shard, selection->rooms, selection->except, [&](Socket& s) {
    auto client = s.client();
    if (!client) return;
    if (!l.replays.empty()) {
      if (auto it = l.replays.find(s.id()); it != l.replays.end() && it->second.socket == &s) {
        if (it->second.holding) return void(it->second.held.emplace_back(offset, packets));
        if (offset <= it->second.horizon) return;  // the replay had it
      }
    }
    if (event) {
      s.notify_outgoing(*event);
      if (!s.connected()) return;
    }
    metrics::add(metrics::Stat::BroadcastDeliveries);
    client->send_prepared(packets, false);
  });
  // Packets come in order: once one past a horizon is here, no replayed one can follow.
  std::erase_if(l.replays,
                [&](const auto& r) { return !r.second.holding && r.second.horizon < offset; });
}

void Client::recover_from_adapter(const std::shared_ptr<NamespaceCore>& nsp,
                                  boost::json::object auth, std::string pid) {
  std::string after;
  if (const auto* o = auth.if_contains("offset")) {
    if (o->is_string() && StreamOffset::parse(o->as_string())) {
      after = std::string(o->as_string());
    } else if (!o->is_null()) {
      return open_socket(nsp, std::move(auth), std::nullopt);  // not one of ours
    }
  }
  lists().recovering.push_back(nsp->name);
  auto* here = &engine_->shard();
  std::weak_ptr<Client> weak = shared_from_this();
  nsp->adapter()->restore_session(
      pid, [nsp, here, weak, after, auth = std::move(auth)](std::optional<SessionState> s) {
        here->post([nsp, weak, after, auth, s = std::move(s)]() mutable {
          auto self = weak.lock();
          if (!self || !self->engine_->is_open()) {
            // The client left again before its session came: keep it for the next attempt.
            if (s) nsp->adapter()->persist_session(*s, SessionChange::Left);
            return;
          }
          std::erase(self->lists().recovering, nsp->name);
          if (!s) return self->open_socket(nsp, std::move(auth), std::nullopt);
          Restore restore{.session = {.pid = s->pid,
                                      .sid = s->sid,
                                      .rooms = std::move(s->rooms),
                                      .data = std::move(s->data)},
                          .from_adapter = true,
                          .after = !after.empty()      ? after
                                   : !s->start.empty() ? s->start
                                                       : "0-0"};
          self->open_socket(nsp, std::move(auth), std::move(restore));
        });
      });
}

void Client::admit_from_adapter(const std::shared_ptr<NamespaceCore>& nsp, const SocketPtr& socket,
                                std::shared_ptr<Restore> restore) {
  auto& local = nsp->local(engine_->shard().index());
  local.replays[socket->id()] = AdapterReplay{.socket = socket.get(), .after = restore->after};
  local.sockets[socket->id()] = socket;
  if (!restore->session.rooms.contains(socket->id())) socket->leave(socket->id());
  for (const auto& room : restore->session.rooms) socket->join(room);
  auto* here = &engine_->shard();
  std::weak_ptr<Client> weak = shared_from_this();
  nsp->adapter()->missed_packets(
      restore->after, [nsp, here, weak, socket, restore](
                          std::optional<std::vector<MissedPacket>> missed, std::string horizon) {
        here->post([nsp, weak, socket, restore, missed = std::move(missed),
                    horizon = std::move(horizon)]() mutable {
          auto self = weak.lock();
          if (self) {
            return self->finish_recovery(nsp, socket, restore, std::move(missed),
                                         std::move(horizon));
          }
          auto& replays = nsp->local(socket->shard().index()).replays;
          if (auto it = replays.find(socket->id());
              it != replays.end() && it->second.socket == socket.get()) {
            replays.erase(it);
          }
        });
      });
}

void Client::finish_recovery(const std::shared_ptr<NamespaceCore>& nsp, const SocketPtr& socket,
                             std::shared_ptr<Restore> restore,
                             std::optional<std::vector<MissedPacket>> missed, std::string horizon) {
  auto& local = nsp->local(engine_->shard().index());
  auto it = local.replays.find(socket->id());
  if (it == local.replays.end() || it->second.socket != socket.get()) return;
  auto* slot = find_socket(nsp->name);
  if (!engine_->is_open() || !slot || *slot != socket) {
    local.replays.erase(it);  // it left meanwhile (and kept its session)
    return;
  }
  auto& replay = it->second;
  bool recovered = missed.has_value();
  if (recovered) {
    send_connect(nsp->name, *socket);
    replay.horizon = StreamOffset::parse(horizon).value_or(StreamOffset{});
    for (auto& m : *missed) {
      if (!Selection{m.target.rooms, m.target.except}.picks(restore->session.rooms)) continue;
      engine_->send(engineio::PreparedPackets::messages(
          encode_event_messages(nsp->name, m.event, std::move(m.args), std::nullopt)));
    }
    for (auto& [offset, packets] : replay.held) {
      if (replay.horizon < offset) engine_->send(packets);
    }
    replay.held.clear();
    replay.holding = false;
  } else {
    // Too much is gone to recover: a fresh start, and a new pid tells the client so.
    local.replays.erase(it);
    for (const auto& room : socket->rooms()) socket->leave(room);
    socket->join(socket->id());
    socket->data = nullptr;
    socket->set_pid(random_id());
    horizon = local.last_offset;
    send_connect(nsp->name, *socket);
  }
  socket->mark_connected(recovered);
  if (server_.observer) server_.observer->socket_connected(*socket);
  nsp->adapter()->persist_session(nsp->session_of(*socket, std::move(horizon)),
                                  SessionChange::Connected);
  if (nsp->handlers->on_connection) {
    auto& handler = nsp->handlers->on_connection;
    run_user(*nsp, socket.get(), "connection", [&] { handler(socket); });
  }
}

void Client::send_connect(const std::string& nsp, const Socket& socket) {
  Packet reply{.type = PacketType::Connect, .nsp = nsp};
  boost::json::object body{{"sid", socket.id()}};
  if (!socket.pid().empty()) body["pid"] = socket.pid();
  reply.data = std::move(body);
  std::string text;
  encode(text, reply);
  engine_->send(text);
}

}  // namespace switchboard::socketio::detail
