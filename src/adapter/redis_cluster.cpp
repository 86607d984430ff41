#include "switchboard/adapter/redis_cluster.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "switchboard/adapter/error.hpp"

namespace switchboard::adapter {

struct RedisCluster::Timer {
  explicit Timer(boost::asio::io_context& context) : timer(context) {}
  boost::asio::steady_timer timer;
  std::optional<TimePoint> armed;
};

namespace {
TimePoint now() {
  return std::chrono::steady_clock::now();
}
}  // namespace

RedisCluster::RedisCluster(boost::asio::io_context& context, RedisClusterOptions options,
                           std::function<void(Inbound)> on_inbound, HasRoom has_room)
    : redis_(context, options.redis),
      core_(options.cluster, options.nsp, ClusterCore::make_uid(options.cluster.mode), *this),
      on_inbound_(std::move(on_inbound)),
      has_room_(std::move(has_room)),
      timer_(std::make_unique<Timer>(context)),
      alive_(std::make_shared<bool>(true)) {}

RedisCluster::~RedisCluster() {
  close();
}

void RedisCluster::start() {
  for (const auto& [kind, name] : core_.subscriptions()) redis_.subscribe(kind, name);
  redis_.on_message([this](std::string_view channel, std::string_view payload, std::string_view) {
    auto in = core_.on_message(channel, payload, has_room_);
    if (!std::holds_alternative<std::monostate>(in) && on_inbound_) on_inbound_(std::move(in));
  });
  redis_.start();
}

void RedisCluster::close() {
  if (!*alive_) return;
  *alive_ = false;
  timer_->timer.cancel();
  core_.fail_all(make_error_code(Error::Closed));
  redis_.close();
}

void RedisCluster::publish(const std::string& channel, std::string payload) {
  // Fire and forget, as the reference: what is published while Redis is away is lost, and
  // health() says so.
  if (core_.mode() == ClusterMode::Sharded) {
    redis_.spublish(channel, payload);
  } else {
    redis_.publish(channel, payload);
  }
}

void RedisCluster::server_count(std::function<void(boost::system::result<std::size_t>)> done) {
  redis_.command(core_.server_count_command(),
                 [done = std::move(done)](boost::system::result<RedisReply> r) {
                   if (!r) return done(r.error());
                   if (auto n = ClusterCore::server_count_from(*r)) return done(*n);
                   done(make_error_code(Error::RedisError));
                 });
}

void RedisCluster::with_count(std::function<void(std::optional<std::size_t>)> then) {
  server_count([alive = alive_, then = std::move(then)](boost::system::result<std::size_t> n) {
    if (!*alive) return;
    then(n ? std::optional<std::size_t>(*n) : std::nullopt);
  });
}

void RedisCluster::fetch_sockets(const BroadcastOptions& opts, Collect done) {
  with_count([this, opts, done = std::move(done)](std::optional<std::size_t> n) mutable {
    core_.fetch_sockets(opts, n, now(), std::move(done));
    arm();
  });
}

void RedisCluster::server_side_emit_with_ack(const WireValue& args, Collect done,
                                             std::chrono::milliseconds timeout) {
  // The wait starts when the request is sent, once the server count is known.
  with_count([this, args, timeout, done = std::move(done)](std::optional<std::size_t> n) mutable {
    core_.server_side_emit_with_ack(args, n, now(), std::move(done), timeout);
    arm();
  });
}

void RedisCluster::broadcast_with_ack(const socketio::Packet& packet, const BroadcastOptions& opts,
                                      AckHandlers handlers) {
  core_.broadcast_with_ack(packet, opts, now(), std::move(handlers));
  arm();
}

void RedisCluster::room_created(std::string_view room, bool is_socket_id) {
  if (auto channel = core_.room_subscription(room, is_socket_id))
    redis_.subscribe(Subscription::Shard, std::move(*channel));
}

void RedisCluster::room_deleted(std::string_view room, bool is_socket_id) {
  if (auto channel = core_.room_subscription(room, is_socket_id))
    redis_.unsubscribe(Subscription::Shard, *channel);
}

// One asio timer at the core's earliest deadline.
void RedisCluster::arm() {
  const auto next = core_.next_deadline();
  if (!next || (timer_->armed && *timer_->armed <= *next)) return;
  timer_->armed = next;
  timer_->timer.expires_at(*next);
  timer_->timer.async_wait([this, alive = alive_](boost::system::error_code ec) {
    if (ec || !*alive) return;
    timer_->armed.reset();
    core_.expire(now());
    arm();
  });
}

}  // namespace switchboard::adapter
