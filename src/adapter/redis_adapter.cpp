#include "switchboard/adapter/redis_adapter.hpp"

#include <boost/asio/steady_timer.hpp>

#include "redis_recovery.hpp"
#include "switchboard/adapter/error.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/socketio/packet.hpp"

namespace switchboard::adapter {
namespace json = boost::json;
using socketio::Args;
using socketio::Target;

namespace {

BroadcastOptions options_of(const Target& target) {
  BroadcastOptions opts{.rooms = {target.rooms.begin(), target.rooms.end()},
                        .except = {target.except.begin(), target.except.end()},
                        .flags = {}};
  if (target.is_volatile) opts.flags["volatile"] = true;
  if (!target.compress) opts.flags["compress"] = false;
  if (target.timeout.count() > 0) opts.flags["timeout"] = target.timeout.count();
  return opts;
}

Target target_of(const BroadcastOptions& opts) {
  Target target{.rooms = {opts.rooms.begin(), opts.rooms.end()},
                .except = {opts.except.begin(), opts.except.end()}};
  if (const auto* v = opts.flags.if_contains("volatile"); v && v->is_bool())
    target.is_volatile = v->get_bool();
  if (const auto* c = opts.flags.if_contains("compress"); c && c->is_bool())
    target.compress = c->get_bool();
  if (auto t = opts.timeout(); t && *t > 0) target.timeout = std::chrono::milliseconds(*t);
  return target;
}

// An event as a packet of the cluster bus: binary values become placeholders and attachments.
socketio::Packet event_packet(const std::string& nsp, std::string_view event, const Args& args) {
  socketio::Packet packet{.type = socketio::PacketType::Event, .nsp = nsp};
  json::array data;
  data.reserve(args.values.size() + 1);
  data.emplace_back(event);
  for (const auto& v : args.values) data.push_back(v);
  auto wire = wire_from_value(std::move(data));
  packet.data = std::move(wire.json);
  packet.attachments = std::move(wire.attachments);
  return packet;
}

// `[event, ...args]` with binary values, from a bus value; false when it is not an event.
bool event_of(json::value data, std::vector<std::string> attachments, std::string& event,
              Args& args) {
  auto value = value_from_wire({std::move(data), std::move(attachments)});
  auto* array = value.if_array();
  if (!array || array->empty() || !array->front().is_string()) return false;
  event = std::string(array->front().get_string());
  args.values = json::array(array->begin() + 1, array->end());
  return true;
}

socketio::ClusterError error_of(boost::system::error_code ec) {
  if (!ec) return std::nullopt;
  if (ec == make_error_code(Error::RequestTimeout)) return "operation has timed out";
  return ec.message();
}

socketio::SocketInfo socket_info(const json::value& v, const std::string& nsp) {
  socketio::SocketInfo info{.nsp = nsp, .local = false};
  const auto* o = v.if_object();
  if (!o) return info;
  if (auto* id = o->if_contains("id"); id && id->is_string()) info.id = id->get_string();
  if (auto* rooms = o->if_contains("rooms"); rooms && rooms->is_array()) {
    for (const auto& r : rooms->get_array()) {
      if (r.is_string()) info.rooms.emplace(r.get_string());
    }
  }
  if (auto* data = o->if_contains("data")) info.data = *data;
  if (auto* h = o->if_contains("handshake")) {
    info.handshake = *h;
    if (auto* a = h->is_object() ? h->get_object().if_contains("address") : nullptr;
        a && a->is_string())
      info.address = a->get_string();
  }
  return info;
}

json::object socket_json(const socketio::SocketInfo& s) {
  json::array rooms;
  for (const auto& r : s.rooms) rooms.emplace_back(r);
  return {{"id", s.id}, {"handshake", s.handshake}, {"rooms", std::move(rooms)}, {"data", s.data}};
}

}  // namespace

struct RedisAdapter::State : std::enable_shared_from_this<State> {
  State(socketio::AdapterHost& h, RedisAdapterOptions o)
      : host(h), options(std::move(o)), shard(h.runtime().shard(0)) {}

  socketio::AdapterHost& host;
  RedisAdapterOptions options;
  net::Shard& shard;
  std::unique_ptr<RedisCluster> cluster;
  std::shared_ptr<detail::RedisRecovery> recovery;
  std::unique_ptr<boost::asio::steady_timer> tick;
  bool closed = false;
  bool ready = false;
  std::vector<std::function<void()>> on_ready;
  mutable std::mutex mutex;
  RedisHealth health;

  void start() {
    cluster = std::make_unique<RedisCluster>(
        shard.context(),
        RedisClusterOptions{
            .redis = options.redis, .cluster = options.cluster, .nsp = host.nsp_name()},
        [this](Inbound in) { inbound(std::move(in)); },
        [](std::string_view) { return true; });  // the local delivery finds who is there
    cluster->start();
    tick = std::make_unique<boost::asio::steady_timer>(shard.context());
    shard.add_stop_hook([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->stop();
    });
    watch();
  }

  void stop() {
    if (closed) return;
    closed = true;
    if (tick) tick->cancel();
    if (recovery) recovery->stop();
    if (cluster) cluster->close();
  }

  void watch() {
    {
      std::lock_guard lock(mutex);
      health = cluster->health();
    }
    if (!ready && cluster->health().subscribed && cluster->health().connected) {
      ready = true;
      for (auto& fn : std::exchange(on_ready, {})) fn();
    }
    tick->expires_after(std::chrono::milliseconds(100));
    tick->async_wait([weak = weak_from_this()](boost::system::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || self->closed) return;
      self->watch();
    });
  }

  // Runs fn on shard 0 with the recovery store, or `otherwise` when there is none (closed).
  void with_recovery(std::function<void(detail::RedisRecovery&)> fn,
                     std::function<void()> otherwise) {
    auto run = [self = shared_from_this(), fn = std::move(fn), otherwise = std::move(otherwise)] {
      if (!self->closed && self->recovery) return fn(*self->recovery);
      if (otherwise) otherwise();
    };
    if (shard.is_current()) return run();
    shard.post(std::move(run));
  }

  // Runs fn on shard 0 while the link is open.
  void on_shard(std::function<void(State&)> fn) {
    auto run = [self = shared_from_this(), fn = std::move(fn)] {
      if (!self->closed && self->cluster) fn(*self);
    };
    if (shard.is_current()) return run();
    shard.post(std::move(run));
  }

  void inbound(Inbound in) {
    std::visit([this](auto& m) { handle(m); }, in);
  }
  void handle(std::monostate&) {}
  void handle(inbound::Broadcast& m) {
    if (recovery && recovery->deliver(m)) return;
    std::string event;
    Args args;
    if (!event_of(std::move(m.packet.data), m.packet.attachments, event, args)) return;
    host.local_broadcast(target_of(m.opts), event, std::move(args));
  }
  void handle(inbound::BroadcastWithAck& m) {
    std::string event;
    Args args;
    if (!event_of(std::move(m.packet.data), m.packet.attachments, event, args)) return;
    auto requester = m.requester;
    host.local_broadcast_with_ack(
        target_of(m.opts), event, std::move(args),
        [self = shared_from_this(), requester](std::size_t n) {
          self->on_shard(
              [requester, n](State& s) { s.cluster->core().reply_client_count(requester, n); });
        },
        [self = shared_from_this(), requester](Args answer) {
          json::value first = answer.values.empty() ? json::value() : std::move(answer.values[0]);
          self->on_shard([requester, first = std::move(first)](State& s) {
            s.cluster->core().reply_broadcast_ack(requester, wire_from_value(first));
          });
        });
  }
  void handle(inbound::SocketsJoin& m) { host.local_join(target_of(m.opts), m.rooms); }
  void handle(inbound::SocketsLeave& m) { host.local_leave(target_of(m.opts), m.rooms); }
  void handle(inbound::DisconnectSockets& m) { host.local_disconnect(target_of(m.opts), m.close); }
  void handle(inbound::FetchSockets& m) {
    host.local_fetch(target_of(m.opts), [self = shared_from_this(), requester = m.requester](
                                            std::vector<socketio::SocketInfo> found) {
      json::array sockets;
      for (const auto& s : found) sockets.push_back(socket_json(s));
      self->on_shard([requester, sockets = std::move(sockets)](State& s) mutable {
        s.cluster->core().reply_fetch_sockets(requester, std::move(sockets));
      });
    });
  }
  void handle(inbound::ServerSideEmit& m) {
    std::string event;
    Args args;
    if (!event_of(std::move(m.args.json), m.args.attachments, event, args)) return;
    std::function<void(json::value)> reply;
    if (m.requester) {
      reply = [self = shared_from_this(), requester = *m.requester](json::value answer) {
        self->on_shard([requester, answer = std::move(answer)](State& s) {
          s.cluster->core().reply_server_side_emit(requester, wire_from_value(answer));
        });
      };
    }
    host.server_side(std::move(event), std::move(args), std::move(reply));
  }
  void handle(inbound::Sockets& m) {
    host.local_fetch(Target{.rooms = {m.rooms.begin(), m.rooms.end()}},
                     [self = shared_from_this(),
                      requester = m.requester](std::vector<socketio::SocketInfo> found) {
                       std::vector<std::string> ids;
                       for (auto& s : found) ids.push_back(std::move(s.id));
                       self->on_shard([requester, ids = std::move(ids)](State& s) {
                         s.cluster->core().reply_sockets(requester, ids);
                       });
                     });
  }
  void handle(inbound::AllRooms& m) {
    host.local_fetch(Target{}, [self = shared_from_this(),
                                requester = m.requester](std::vector<socketio::SocketInfo> found) {
      std::set<std::string> rooms;
      for (auto& s : found) rooms.insert(s.rooms.begin(), s.rooms.end());
      self->on_shard([requester, rooms = std::vector<std::string>(rooms.begin(), rooms.end())](
                         State& s) { s.cluster->core().reply_all_rooms(requester, rooms); });
    });
  }
};

RedisAdapter::RedisAdapter(socketio::AdapterHost& host, RedisAdapterOptions options)
    : state_(std::make_shared<State>(host, std::move(options))) {
  auto& shard = state_->shard;
  shard.post([state = state_] {
    if (!state->closed) state->start();
  });
}

RedisAdapter::~RedisAdapter() {
  // The runtime has stopped by now (the server outlives its run): nothing else touches the
  // link, which goes before the io_context it runs on.
  state_->stop();
  state_->tick.reset();
  state_->cluster.reset();
}

void RedisAdapter::run(std::function<void(State&)> fn) {
  state_->on_shard(std::move(fn));
}

void RedisAdapter::broadcast(const Target& target, std::string_view event, const Args& args) {
  run([packet = event_packet(state_->host.nsp_name(), event, args),
       opts = options_of(target)](State& s) { s.cluster->core().broadcast(packet, opts); });
}

void RedisAdapter::broadcast_with_ack(const Target& target, std::string_view event,
                                      const Args& args, std::function<void(std::size_t)> on_nodes,
                                      std::function<void(std::size_t)> on_count,
                                      std::function<void(Args)> on_ack) {
  auto packet = event_packet(state_->host.nsp_name(), event, args);
  auto opts = options_of(target);
  run([packet = std::move(packet), opts = std::move(opts), on_nodes, on_count,
       on_ack](State& s) mutable {
    s.cluster->server_count([self = s.shared_from_this(), packet = std::move(packet),
                             opts = std::move(opts), on_nodes, on_count,
                             on_ack](boost::system::result<std::size_t> n) mutable {
      if (!n || *n <= 1 || self->closed) return on_nodes(0);
      on_nodes(*n - 1);
      self->cluster->broadcast_with_ack(
          packet, opts,
          AckHandlers{.on_client_count = on_count, .on_ack = [on_ack](WireValue answer) {
                        on_ack(Args{json::array{value_from_wire(std::move(answer))}});
                      }});
    });
  });
}

void RedisAdapter::fetch_sockets(
    const Target& target,
    std::function<void(socketio::ClusterError, std::vector<socketio::SocketInfo>)> done) {
  run([opts = options_of(target), done](State& s) {
    s.cluster->fetch_sockets(opts, [done, nsp = s.host.nsp_name()](boost::system::error_code ec,
                                                                   std::vector<WireValue> answers) {
      std::vector<socketio::SocketInfo> found;
      for (auto& a : answers) found.push_back(socket_info(value_from_wire(std::move(a)), nsp));
      done(error_of(ec), std::move(found));
    });
  });
}

void RedisAdapter::add_sockets(const Target& target, const std::vector<std::string>& rooms) {
  run([opts = options_of(target), rooms](State& s) { s.cluster->core().add_sockets(opts, rooms); });
}

void RedisAdapter::del_sockets(const Target& target, const std::vector<std::string>& rooms) {
  run([opts = options_of(target), rooms](State& s) { s.cluster->core().del_sockets(opts, rooms); });
}

void RedisAdapter::disconnect_sockets(const Target& target, bool close) {
  run([opts = options_of(target), close](State& s) {
    s.cluster->core().disconnect_sockets(opts, close);
  });
}

void RedisAdapter::server_side_emit(std::string_view event, const Args& args) {
  auto packet = event_packet(state_->host.nsp_name(), event, args);
  run([wire = WireValue{std::move(packet.data), std::move(packet.attachments)}](State& s) {
    s.cluster->core().server_side_emit(wire);
  });
}

void RedisAdapter::server_side_emit_with_ack(
    std::string_view event, const Args& args, std::chrono::milliseconds timeout,
    std::function<void(socketio::ClusterError, std::vector<json::value>)> done) {
  auto packet = event_packet(state_->host.nsp_name(), event, args);
  run([wire = WireValue{std::move(packet.data), std::move(packet.attachments)}, timeout,
       done](State& s) {
    s.cluster->server_side_emit_with_ack(
        wire,
        [done](boost::system::error_code ec, std::vector<WireValue> answers) {
          std::vector<json::value> values;
          for (auto& a : answers) values.push_back(value_from_wire(std::move(a)));
          done(error_of(ec), std::move(values));
        },
        timeout);
  });
}

void RedisAdapter::server_count(std::function<void(std::size_t)> done) {
  run([done](State& s) {
    s.cluster->server_count(
        [done](boost::system::result<std::size_t> n) { done(n && *n > 0 ? *n : 1); });
  });
}

void RedisAdapter::room_created(const std::string& room) {
  run([room](State& s) { s.cluster->room_created(room, false); });
}

void RedisAdapter::room_deleted(const std::string& room) {
  run([room](State& s) { s.cluster->room_deleted(room, false); });
}

void RedisAdapter::close() {
  run([](State& s) { s.stop(); });
}

RedisHealth RedisAdapter::health() const {
  std::lock_guard lock(state_->mutex);
  return state_->health;
}

void RedisAdapter::on_ready(std::function<void()> fn) {
  state_->shard.post([state = state_, fn = std::move(fn)]() mutable {
    if (state->ready) return fn();
    state->on_ready.push_back(std::move(fn));
  });
}

bool RedisAdapter::keep_sessions(const socketio::RecoveryLimits& limits) {
  if (!state_->options.recovery) return false;
  // After start() (posted first): the store works on the cluster's command connection.
  state_->shard.post([state = state_, limits] {
    if (state->closed || !state->cluster) return;
    state->recovery =
        std::make_shared<detail::RedisRecovery>(state->host, state->options.cluster, limits);
    state->recovery->start(state->shard.context(), *state->cluster);
  });
  return true;
}

void RedisAdapter::broadcast_logged(const Target& target, std::string_view event,
                                    const Args& args) {
  state_->with_recovery([target, event = std::string(event),
                         args](detail::RedisRecovery& r) { r.broadcast(target, event, args); },
                        [state = state_, target, event = std::string(event), args] {
                          state->host.local_broadcast(target, event, args);
                        });
}

void RedisAdapter::persist_session(const socketio::SessionState& session,
                                   socketio::SessionChange change) {
  state_->with_recovery([session, change](detail::RedisRecovery& r) { r.persist(session, change); },
                        {});
}

void RedisAdapter::restore_session(
    const std::string& pid, std::function<void(std::optional<socketio::SessionState>)> done) {
  state_->with_recovery([pid, done](detail::RedisRecovery& r) { r.restore(pid, done); },
                        [done] { done(std::nullopt); });
}

void RedisAdapter::missed_packets(
    const std::string& after,
    std::function<void(std::optional<std::vector<socketio::MissedPacket>>, std::string)> done) {
  state_->with_recovery([after, done](detail::RedisRecovery& r) { r.missed(after, done); },
                        [done] { done(std::nullopt, {}); });
}

socketio::AdapterFactory redis_adapter(RedisAdapterOptions options,
                                       std::function<void(RedisAdapter&)> made) {
  return [options = std::move(options), made = std::move(made)](socketio::AdapterHost& host) {
    auto adapter = std::make_unique<RedisAdapter>(host, options);
    if (made) made(*adapter);
    return adapter;
  };
}

}  // namespace switchboard::adapter
