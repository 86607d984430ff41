#include "chat_service.hpp"

#include <algorithm>
#include <stdexcept>

#include <boost/asio/steady_timer.hpp>
#include <boost/json/serialize.hpp>

#include "message_order.hpp"
#include "switchboard/adapter/node_directory.hpp"
#include "switchboard/adapter/redis_adapter.hpp"
#include "switchboard/log/logger.hpp"
#include "switchboard/store/validation.hpp"

namespace switchboard::app {

void on_shard(net::Shard& shard, std::function<void()> fn) {
  shard.is_current() ? fn() : shard.post(std::move(fn));
}

boost::json::object to_json(const ChatMessage& m) {
  return {{"id", m.id},           {"room", m.room}, {"user", m.user},
          {"user_id", m.user_id}, {"text", m.text}, {"ts", m.ts}};
}

std::string to_json_text(const ChatMessage& m) {
  return boost::json::serialize(to_json(m));
}

boost::json::array to_json(const std::vector<ChatMessage>& messages) {
  boost::json::array list;
  list.reserve(messages.size());
  for (const auto& m : messages) list.push_back(to_json(m));
  return list;
}

socketio::ServerOptions ChatService::sio_options(net::Runtime& runtime, http::Server& http,
                                                 History& history, const Config& config,
                                                 std::vector<adapter::RedisAdapter*>& made,
                                                 std::shared_ptr<Announcement>& announcement) {
  socketio::ServerOptions options{
      .engine = {.path = "/socket.io/",
                 .cors = {.allowed_origins = config.allowed_origins, .allow_credentials = true}},
      // A client that drops comes back with its id, rooms and what it missed (with --redis
      // on any node, kept in Redis by the adapter: decision 014; the history's messages are
      // recoverable packets there, RedisHistoryOptions::recovery_max_packets).
      .connection_state_recovery = socketio::ConnectionStateRecovery{
          .max_disconnection_duration = std::chrono::seconds(config.recovery_seconds),
          .max_packets = config.recovery_max_packets}};
  if (!config.redis_url.empty()) {
    auto redis = adapter::parse_redis_url(config.redis_url);
    if (!redis) throw std::runtime_error("bad --redis URL " + config.redis_url);
    // The key of @socket.io/redis-adapter's default: Node nodes with the default options
    // join the same cluster.
    // /chat's messages are delivered in id order per room, a hole read from the history
    // (message_order.hpp).
    options.adapter = ordered_messages(
        adapter::redis_adapter({.redis = *redis, .cluster = {.key = "socket.io"}},
                               [&made](adapter::RedisAdapter& a) { made.push_back(&a); }),
        "/chat", history);
    // Engine.IO requests for another node's session are relayed to it (no sticky sessions;
    // docs/decisions/013-no-sticky-sessions.md). Over HTTPS the relay (plain HTTP) has no way
    // in: TLS is then terminated in front, or the balancer is sticky.
    if (config.tls_cert.empty()) {
      // Without --advertise on port 0, the port is known once listening.
      auto address_from = [&http, config] { return advertised_address(config, http.port()); };
      announcement = std::make_shared<Announcement>();
      auto announced = [announcement] {
        announcement->done = true;
        if (announcement->then) std::exchange(announcement->then, nullptr)();
      };
      options.engine.nodes =
          adapter::redis_node_directory(runtime, {.redis = *redis,
                                                  .address = config.advertise,
                                                  .address_from = address_from,
                                                  .on_announced = std::move(announced)});
    }
  }
  return options;
}

ChatService::ChatService(net::Runtime& runtime, http::Server& http, History& history,
                         const Config& config)
    : runtime_(runtime),
      http_(http),
      history_(history),
      config_(config),
      proxies_([&config] {
        std::vector<Cidr> networks;
        for (const auto& text : config.trusted_proxies) networks.push_back(*Cidr::parse(text));
        return networks;
      }()),
      io_(runtime, sio_options(runtime, http, history, config, adapters_, announcement_)),
      chat_(io_.of("/chat")),
      ws_transport_(std::make_shared<ChatTransport>(ChatTransport::Kind::WebSocket)),
      sse_transport_(std::make_shared<ChatTransport>(ChatTransport::Kind::Sse)),
      poll_transport_(std::make_shared<ChatTransport>(ChatTransport::Kind::Poll)),
      presence_(runtime, [this](const std::string& room,
                                Presence::Online online) { on_presence(room, std::move(online)); }),
      users_(history),
      limits_(config.limits),
      deliver_own_appends_(!(history.publishes_appends() && kFanOutDeliversHistoryPublishes)) {
  for (unsigned i = 0; i < runtime.size(); ++i) locals_.push_back(std::make_unique<Local>());
  if (!config_.redis_url.empty()) {
    setup_cluster_presence();
    cluster_limits_ = std::make_unique<ClusterLimits>(
        runtime, *adapter::parse_redis_url(config_.redis_url), config_.limits, limits_);
  }
  setup_socketio();
  setup_websocket();
  setup_admin();
  setup_http();
  if (config_.room_idle_seconds > 0) {
    auto& first = runtime_.shard(0);
    first.post([this, &first] {
      sweep_timer_ = std::make_unique<net::Timer>(first);
      sweep_idle_rooms();
    });
    first.add_stop_hook([this] {
      if (sweep_timer_) sweep_timer_->cancel();
    });
  }
}

void ChatService::when_ready(std::function<void()> fn) {
  const bool announcing = announcement_ && !announcement_->done;
  if (adapters_.empty() && !announcing) return fn();
  auto& first = runtime_.shard(0);
  // The adapters, the directory and the history (which takes writes on a connection of its
  // own: without it "listening" could come before a post can be stored).
  auto left = std::make_shared<std::size_t>(adapters_.size() + (announcing ? 1 : 0) + 1);
  auto done = std::make_shared<bool>(false);
  auto arrive = [left, done, fn] {
    if (--*left == 0 && !std::exchange(*done, true)) fn();
  };
  for (auto* a : adapters_) a->on_ready(arrive);
  if (announcing) announcement_->then = arrive;
  history_.when_ready([&first, arrive] { first.post(arrive); });
  // Redis not there: say so (the node serves; posting answers 503 until Redis answers).
  first.post([&first, done, url = config_.redis_url] {
    auto timer =
        std::make_shared<boost::asio::steady_timer>(first.context(), std::chrono::seconds(2));
    timer->async_wait([timer, done, url](boost::system::error_code ec) {
      if (ec || *done) return;
      // The host and port only: the URL may hold a password.
      auto redis = adapter::parse_redis_url(url);
      log::warn("waiting for Redis to subscribe",
                {{"redis_host", redis ? redis->host : std::string()},
                 {"redis_port", redis ? redis->port : 0}});
    });
  });
}

ChatService::Local& ChatService::local() {
  return *locals_.at(net::Runtime::current()->index());
}

void ChatService::with_room(const std::string& room, bool create, const std::string& address,
                            std::function<void(Error)> then) {
  if (!store::valid_room_name(room)) return then(Failure::invalid("invalid room name"));
  if (local().known_rooms.contains(room)) return then(std::nullopt);
  auto key = room + (create ? "+" : "-");
  auto [waiting, first] = local().resolving.try_emplace(key);
  waiting->second.push_back(std::move(then));
  if (!first) return;
  auto* shard = net::Runtime::current();
  auto done = [this, shard, room, key](Error error) {
    on_shard(*shard, [this, room, key, error] {
      auto it = local().resolving.find(key);
      if (it == local().resolving.end()) return;
      auto waiters = std::move(it->second);
      local().resolving.erase(it);
      if (!error) local().known_rooms.insert(room);
      for (auto& then : waiters) then(error);
    });
  };
  // Reading never creates a room; creating one takes a token of the client's address.
  history_.find_room(room, [this, room, create, address, done](Error error) {
    if (!error || error->kind != Failure::Kind::NotFound || !create) return done(error);
    take_room(address, [this, room, done](std::optional<std::chrono::milliseconds> wait) {
      if (wait) {
        return done(Failure{Failure::Kind::Limited, "too many new rooms; try again later", *wait});
      }
      history_.ensure_room(room, [this, room, done](Error error) {
        if (!error) announce_room(room, true);
        done(error);
      });
    });
  });
}

void ChatService::forget_room(const std::string& room) {
  runtime_.post_each([this, room](net::Shard&) { local().known_rooms.erase(room); });
}

void ChatService::announce_room(const std::string& room, bool exists) {
  chat_.emit("room", boost::json::object{{"name", room}, {"exists", exists}});
}

void ChatService::rate_limit(const Author& who, const std::string& address,
                             std::function<void(Error)> then) {
  auto answer = [then = std::move(then)](std::optional<std::chrono::milliseconds> wait) {
    if (wait) return then(Failure{Failure::Kind::Limited, "rate limited", *wait});
    then(std::nullopt);
  };
  if (cluster_limits_) return cluster_limits_->take(who.key(), address, std::move(answer));
  answer(limits_.take(who.key(), address));
}

void ChatService::take_room(const std::string& address, ClusterLimits::Done then) {
  if (cluster_limits_) return cluster_limits_->take_room(address, std::move(then));
  then(limits_.take_room(address));
}

void ChatService::take_user(const std::string& address, ClusterLimits::Done then) {
  if (cluster_limits_) return cluster_limits_->take_user(address, std::move(then));
  then(limits_.take_user(address));
}

void ChatService::post_message(const std::string& room, Author author, const std::string& text,
                               const std::string& address,
                               std::function<void(Error, ChatMessage)> done) {
  rate_limit(author, address,
             [this, room, author, text, address, done = std::move(done)](Error limited) mutable {
               if (limited) return done(limited, {});
               // A user renamed in another tab posts under the new name from every tab.
               if (!author.guest()) {
                 if (auto name = users_.name_of(author.id)) author.name = *name;
               }
               with_room(room, true, address,
                         [this, room, author, text, done = std::move(done)](Error error) mutable {
                           if (error) return done(error, {});
                           append(room, author, text, true, std::move(done));
                         });
             });
}

void ChatService::append(const std::string& room, const Author& user, const std::string& text,
                         bool retry, std::function<void(Error, ChatMessage)> done) {
  auto* shard = net::Runtime::current();
  history_.append(
      room, user, text,
      [this, shard, room, user, text, retry, done = std::move(done)](Error error,
                                                                     ChatMessage m) mutable {
        // On the store's thread, in commit order: publish first, then answer (the same shard
        // queue keeps that order for the sender too). A history that publishes its appends
        // to the cluster leaves delivery to the fan-out once that receives them
        // (kFanOutDeliversHistoryPublishes, history.hpp): no message is delivered twice.
        if (!error && deliver_own_appends_) publish(m);
        shard->post([this, shard, room, user, text, retry, done = std::move(done), error,
                     m = std::move(m)]() mutable {
          // The room was removed (idle, or by an operator) since this shard cached it:
          // create it again, once.
          if (retry && error && error->kind == Failure::Kind::NotFound) {
            local().known_rooms.erase(room);
            return history_.ensure_room(room, [this, shard, room, user, text,
                                               done = std::move(done)](Error error) mutable {
              if (!error) announce_room(room, true);
              on_shard(*shard, [this, room, user, text, error, done = std::move(done)]() mutable {
                if (error) return done(error, {});
                local().known_rooms.insert(room);
                append(room, user, text, false, std::move(done));
              });
            });
          }
          done(error, std::move(m));
        });
      });
}

void ChatService::publish(const ChatMessage& m) {
  // One broadcast: the Socket.IO sockets of the room get the packet, each other transport its
  // own frame of it (made once); with --redis the other nodes get it too.
  chat_.to(m.room).emit("message", to_json(m));
}

void ChatService::sweep_idle_rooms() {
  using namespace std::chrono;
  const seconds idle(config_.room_idle_seconds);
  const auto now_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  history_.empty_rooms(now_ms - duration_cast<milliseconds>(idle).count(),
                       [this, idle](Error, std::vector<std::string> rooms) {
                         for (auto& room : rooms) {
                           if (!activity_.idle(room, idle)) continue;
                           history_.delete_room(room, true, [this, room](Error, bool deleted) {
                             if (!deleted) return;
                             activity_.forget(room);
                             forget_room(room);
                             announce_room(room, false);
                           });
                         }
                       });
  // Often enough that a room lives at most a quarter longer than it may.
  auto every = std::clamp<steady_clock::duration>(idle / 4, seconds(1), seconds(60));
  sweep_timer_->arm(every, [this] { sweep_idle_rooms(); });
}

void ChatService::setup_cluster_presence() {
  // Each node's lists in Redis with a time to live; a change here makes the other nodes read
  // the room again (a server-side event through the "/" namespace's adapter).
  presence_.cluster({.redis = *adapter::parse_redis_url(config_.redis_url),
                     .ttl = std::chrono::milliseconds(config_.presence_ttl_ms)},
                    [this](const std::string& room) { io_.server_side_emit("presence", room); });
  io_.on_server_side("presence", [this](socketio::Event& e) {
    if (e.args.values.size() == 1 && e.args.values[0].is_string()) {
      presence_.refresh(std::string(e.args.values[0].get_string()));
    }
  });
}

void ChatService::on_presence(const std::string& room, Presence::Online online) {
  // Every node tells its own clients (with --redis, the list is the cluster's union).
  chat_.to(room).local().emit("presence",
                              boost::json::object{{"room", room}, {"online", to_json(online)}});
}

}  // namespace switchboard::app
