#include "message_order.hpp"

#include <cstdio>

#include <boost/asio/steady_timer.hpp>

#include "switchboard/adapter/redis_adapter.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::app {

namespace {

// A gap is read a page at a time.
constexpr std::size_t kPage = 200;
// How often the adapter's link is looked at for a reconnection.
constexpr std::chrono::milliseconds kWatchEvery{200};

// The adapter made for the ordered namespace owns its host, which outlives it.
class OrderedAdapter final : public socketio::Adapter {
 public:
  OrderedAdapter(std::unique_ptr<MessageOrder> order, const socketio::AdapterFactory& inner)
      : order_(std::move(order)), inner_(inner(*order_)) {
    if (auto* redis = dynamic_cast<adapter::RedisAdapter*>(inner_.get())) order_->watch(*redis);
  }
  void broadcast(const socketio::Target& t, std::string_view e, const socketio::Args& a) override {
    inner_->broadcast(t, e, a);
  }
  void broadcast_with_ack(const socketio::Target& t, std::string_view e, const socketio::Args& a,
                          std::function<void(std::size_t)> on_nodes,
                          std::function<void(std::size_t)> on_count,
                          std::function<void(socketio::Args)> on_ack) override {
    inner_->broadcast_with_ack(t, e, a, std::move(on_nodes), std::move(on_count),
                               std::move(on_ack));
  }
  void fetch_sockets(const socketio::Target& t,
                     std::function<void(socketio::ClusterError, std::vector<socketio::SocketInfo>)>
                         done) override {
    inner_->fetch_sockets(t, std::move(done));
  }
  void add_sockets(const socketio::Target& t, const std::vector<std::string>& rooms) override {
    inner_->add_sockets(t, rooms);
  }
  void del_sockets(const socketio::Target& t, const std::vector<std::string>& rooms) override {
    inner_->del_sockets(t, rooms);
  }
  void disconnect_sockets(const socketio::Target& t, bool close) override {
    inner_->disconnect_sockets(t, close);
  }
  void server_side_emit(std::string_view e, const socketio::Args& a) override {
    inner_->server_side_emit(e, a);
  }
  void server_side_emit_with_ack(
      std::string_view e, const socketio::Args& a, std::chrono::milliseconds timeout,
      std::function<void(socketio::ClusterError, std::vector<boost::json::value>)> done) override {
    inner_->server_side_emit_with_ack(e, a, timeout, std::move(done));
  }
  void server_count(std::function<void(std::size_t)> done) override {
    inner_->server_count(std::move(done));
  }
  void room_created(const std::string& room) override { inner_->room_created(room); }
  void room_deleted(const std::string& room) override { inner_->room_deleted(room); }
  void close() override { inner_->close(); }
  std::optional<bool> healthy() const override { return inner_->healthy(); }
  bool keep_sessions(const socketio::RecoveryLimits& limits) override {
    return inner_->keep_sessions(limits);
  }
  void broadcast_logged(const socketio::Target& t, std::string_view e,
                        const socketio::Args& a) override {
    inner_->broadcast_logged(t, e, a);
  }
  void persist_session(const socketio::SessionState& s, socketio::SessionChange c) override {
    inner_->persist_session(s, c);
  }
  void restore_session(const std::string& pid,
                       std::function<void(std::optional<socketio::SessionState>)> done) override {
    inner_->restore_session(pid, std::move(done));
  }
  void missed_packets(
      const std::string& after,
      std::function<void(std::optional<std::vector<socketio::MissedPacket>>, std::string)> done)
      override {
    inner_->missed_packets(after, std::move(done));
  }

 private:
  std::unique_ptr<MessageOrder> order_;
  std::unique_ptr<socketio::Adapter> inner_;
};

}  // namespace

socketio::AdapterFactory ordered_messages(socketio::AdapterFactory inner, std::string nsp,
                                          History& history) {
  return [inner = std::move(inner), nsp = std::move(nsp),
          &history](socketio::AdapterHost& host) -> std::unique_ptr<socketio::Adapter> {
    if (host.nsp_name() != nsp) return inner(host);
    return std::make_unique<OrderedAdapter>(
        std::make_unique<MessageOrder>(host, history, MessageOrder::Options{}), inner);
  };
}

struct MessageOrder::State : std::enable_shared_from_this<State> {
  State(socketio::AdapterHost& h, History& hi, Options o)
      : host(h), history(hi), options(o), shard(h.runtime().shard(0)) {}

  struct Held {
    socketio::Target target;
    socketio::Args args;
    /// A recoverable packet's offset (a message read from a history without one has none).
    std::optional<std::string> offset;
  };
  struct Room {
    /// The last id delivered here (0: none seen yet).
    std::uint64_t last = 0;
    /// A read of the history is under way: whatever arrives waits in `held`.
    bool filling = false;
    int failures = 0;
    std::map<std::uint64_t, Held> held;
  };

  socketio::AdapterHost& host;
  History& history;
  Options options;
  net::Shard& shard;
  std::unordered_map<std::string, Room> rooms;  // shard 0 only
  adapter::RedisAdapter* adapter = nullptr;
  std::unique_ptr<boost::asio::steady_timer> watch_timer;
  std::uint64_t reconnects = 0;
  bool resync_pending = false;
  bool closed = false;

  void deliver(Room& r, std::uint64_t id, Held held) {
    r.last = id;
    if (held.offset) {
      return host.local_broadcast_logged(held.target, "message", std::move(held.args),
                                         std::move(*held.offset));
    }
    host.local_broadcast(held.target, "message", std::move(held.args));
  }

  void on_message(const std::string& room, std::uint64_t id, Held message) {
    auto& r = rooms[room];
    if (id <= r.last) return;  // delivered already, read from the history
    if (!r.filling && (r.last == 0 || id == r.last + 1)) return deliver(r, id, std::move(message));
    r.held.emplace(id, std::move(message));
    if (r.held.size() > options.max_held) return flush(r);
    if (!r.filling) fill(room, r);
  }

  void fill(const std::string& room, Room& r) {
    r.filling = true;
    history.after(room, r.last, kPage,
                  [weak = weak_from_this(), room](Error error, std::vector<ChatMessage> found) {
                    auto self = weak.lock();
                    if (!self) return;
                    self->shard.post([weak, room, error, found = std::move(found)]() mutable {
                      auto self = weak.lock();
                      if (self && !self->closed) self->filled(room, error, std::move(found));
                    });
                  });
  }

  void filled(const std::string& room, Error error, std::vector<ChatMessage> found) {
    auto& r = rooms[room];
    if (error) {
      if (++r.failures >= options.attempts) return flush(r);
      auto timer = std::make_shared<boost::asio::steady_timer>(shard.context(), options.retry);
      timer->async_wait([weak = weak_from_this(), room, timer](boost::system::error_code ec) {
        auto self = weak.lock();
        if (ec || !self || self->closed) return;
        self->fill(room, self->rooms[room]);
      });
      return;
    }
    r.failures = 0;
    const auto before = r.last;
    for (auto& m : found) {
      if (m.id <= r.last) continue;
      r.held.erase(m.id);
      // With its offset when the history kept it (recovery in Redis): a client that drops
      // after this message recovers from it, not from before it.
      // A recoverable packet's arguments end with its offset, as the adapter delivers them.
      auto args = socketio::Args::of(to_json(m));
      std::optional<std::string> offset;
      if (!m.offset.empty()) {
        args.values.emplace_back(m.offset);
        offset = std::move(m.offset);
      }
      deliver(r, m.id, {socketio::Target{.rooms = {room}}, std::move(args), std::move(offset)});
    }
    drain(r);
    // A full page, or a newer hole behind what was held: read on. A read that found
    // nothing new while messages are still held: the history has no more (trimmed, or the
    // room was deleted): deliver what is held as it is.
    if (found.size() == kPage || (!r.held.empty() && r.last > before)) return fill(room, r);
    flush(r);
  }

  // Delivers the held messages that follow the last one without a hole.
  void drain(Room& r) {
    while (!r.held.empty()) {
      auto first = r.held.begin();
      if (first->first <= r.last) {
        r.held.erase(first);
      } else if (first->first == r.last + 1) {
        auto id = first->first;
        auto held = std::move(first->second);
        r.held.erase(first);
        deliver(r, id, std::move(held));
      } else {
        break;
      }
    }
  }

  void flush(Room& r) {
    for (auto& [id, held] : std::exchange(r.held, {})) {
      if (id > r.last) deliver(r, id, std::move(held));
    }
    r.filling = false;
    r.failures = 0;
  }

  // After the link came back: what every room got while it was away.
  void resync() {
    for (auto& [room, r] : rooms) {
      if (r.last > 0 && !r.filling) fill(room, r);
    }
  }

  void watch() {
    auto health = adapter->health();
    if (health.reconnects != reconnects) {
      reconnects = health.reconnects;
      resync_pending = true;
    }
    if (resync_pending && health.ok()) {
      resync_pending = false;
      resync();
    }
    watch_timer->expires_after(kWatchEvery);
    watch_timer->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed) return;
      self->watch();
    });
  }
};

MessageOrder::MessageOrder(socketio::AdapterHost& namespace_host, History& history, Options options)
    : host_(namespace_host), state_(std::make_shared<State>(namespace_host, history, options)) {
  state_->shard.add_stop_hook([state = state_] {
    state->closed = true;
    if (state->watch_timer) state->watch_timer->cancel();
  });
}

MessageOrder::~MessageOrder() {
  state_->closed = true;
}

void MessageOrder::watch(adapter::RedisAdapter& adapter) {
  state_->shard.post([state = state_, &adapter] {
    if (state->closed) return;
    state->adapter = &adapter;
    state->reconnects = adapter.health().reconnects;
    state->watch_timer = std::make_unique<boost::asio::steady_timer>(state->shard.context());
    state->watch();
  });
}

namespace {

// The id of one of the history's messages: one room, not volatile, {id, ...} first (then the
// offset of a recoverable packet). Everything else (typing, presence, room announcements,
// renames) passes as it comes.
std::optional<std::uint64_t> message_id(const socketio::Target& target, std::string_view event,
                                        const socketio::Args& args, std::size_t size) {
  if (event != "message" || target.rooms.size() != 1 || target.is_volatile ||
      args.values.size() != size) {
    return std::nullopt;
  }
  auto id = socketio::field<std::uint64_t>(args.values[0], "id");
  if (!id || *id == 0) return std::nullopt;
  return id;
}

}  // namespace

void MessageOrder::local_broadcast(const socketio::Target& target, std::string_view event,
                                   socketio::Args args) {
  auto id = message_id(target, event, args, 1);
  if (!id || !state_->shard.is_current()) {
    return host_.local_broadcast(target, event, std::move(args));
  }
  state_->on_message(*target.rooms.begin(), *id, {target, std::move(args), std::nullopt});
}

void MessageOrder::local_broadcast_logged(const socketio::Target& target, std::string_view event,
                                          socketio::Args args, std::string offset) {
  auto id = message_id(target, event, args, 2);
  if (!id || !state_->shard.is_current()) {
    return host_.local_broadcast_logged(target, event, std::move(args), std::move(offset));
  }
  state_->on_message(*target.rooms.begin(), *id, {target, std::move(args), std::move(offset)});
}

}  // namespace switchboard::app
