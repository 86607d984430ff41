// Broadcasts, logged emits and connection state recovery (PROTOCOL.md §7); see recovery.hpp
// for how the logs of the shards agree.
#include <boost/json/serialize.hpp>

#include "socketio/core.hpp"

namespace switchboard::socketio::detail {

namespace {

// Reasons after which the reference keeps a session (the client did not choose to leave).
bool recoverable(std::string_view reason) {
  return reason == "transport error" || reason == "transport close" || reason == "forced close" ||
         reason == "ping timeout" || reason == "server shutting down" ||
         reason == "forced server close";
}

}  // namespace

bool NamespaceCore::recovery() const {
  return server.options.connection_state_recovery.has_value();
}

void NamespaceCore::broadcast(std::shared_ptr<const Selection> selection, std::string_view event,
                              Args args, bool is_volatile, bool compress) {
  std::shared_ptr<const Event> outgoing;
  if (outgoing_listeners.load(std::memory_order_relaxed) > 0) {
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
  if (!recovery() || is_volatile) return post(std::nullopt);
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
    client->send_prepared(packets, is_volatile);
  });
}

net::SendResult NamespaceCore::emit_logged(Socket& socket, std::string_view event, Args args) {
  auto client = socket.client();
  if (!client || !socket.connected()) return net::SendResult::Dropped;
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

void NamespaceCore::persist(Socket& socket, std::string_view reason) {
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
  recovering_.push_back(nsp->name);
  auto* here = &engine_->shard();
  std::weak_ptr<Client> weak = shared_from_this();
  auto from = session->shard;
  server_.runtime.shard(from).post(
      [nsp, session = std::move(*session), offset, here, weak, auth = std::move(auth)]() {
        auto restore = nsp->restore(session, offset);
        here->post([weak, nsp, auth, restore]() {
          auto self = weak.lock();
          if (!self || !self->engine_->is_open()) return;
          std::erase(self->recovering_, nsp->name);
          self->open_socket(nsp, auth, restore);
        });
      });
}

}  // namespace switchboard::socketio::detail
