#include "switchboard/adapter/node_directory.hpp"

#include <array>
#include <mutex>
#include <unordered_map>
#include <utility>

#include <boost/asio/steady_timer.hpp>

#include "switchboard/net/random.hpp"
#include "switchboard/net/runtime.hpp"

namespace switchboard::adapter {

namespace {

using Clock = std::chrono::steady_clock;

std::string random_id() {
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::array<unsigned char, 8> bytes{};
  net::random_bytes(bytes);
  std::string id;
  for (auto b : bytes) id += kAlphabet[b & 63];
  return id;
}

class RedisNodeDirectory final : public engineio::NodeDirectory,
                                 public std::enable_shared_from_this<RedisNodeDirectory> {
 public:
  RedisNodeDirectory(net::Runtime& runtime, NodeDirectoryOptions options)
      : options_(std::move(options)), shard_(runtime.shard(0)) {
    if (options_.id.empty()) options_.id = random_id();
  }

  // On shard 0: connects, announces, and keeps announcing until the shard stops.
  void start() {
    if (options_.address.empty() && options_.address_from) {
      std::lock_guard lock(mutex_);
      options_.address = options_.address_from();
    }
    redis_ = std::make_unique<RedisClient>(shard_.context(), options_.redis);
    redis_->start();
    timer_ = std::make_unique<boost::asio::steady_timer>(shard_.context());
    shard_.add_stop_hook([weak = weak_from_this()] {
      if (auto self = weak.lock()) self->stop();
    });
    announce();
  }

  const std::string& node_id() const override { return options_.id; }

  void locate(const std::string& id,
              std::function<void(std::optional<std::string>)> done) override {
    {
      std::lock_guard lock(mutex_);
      if (id == options_.id) return done(options_.address);
      auto it = cache_.find(id);
      if (it != cache_.end() && it->second.second > Clock::now()) return done(it->second.first);
    }
    auto* caller = net::Runtime::current();
    auto reply = [caller, done = std::move(done)](std::optional<std::string> address) mutable {
      if (!caller || caller->is_current()) return done(std::move(address));
      caller->post([done = std::move(done), address = std::move(address)]() mutable {
        done(std::move(address));
      });
    };
    auto ask = [self = shared_from_this(), id, reply = std::move(reply)]() mutable {
      if (self->stopped_ || !self->redis_) return reply(std::nullopt);
      self->redis_->command(
          {"GET", self->options_.key_prefix + id},
          [self, id, reply = std::move(reply)](boost::system::result<RedisReply> r) mutable {
            std::optional<std::string> address;
            if (r && r->type == RedisReply::Type::String) address = r->str;
            {
              std::lock_guard lock(self->mutex_);
              if (address) {
                if (self->cache_.size() > 4096) self->cache_.clear();  // bounded
                self->cache_[id] = {*address, Clock::now() + self->options_.cache};
              } else if (!r || r->type == RedisReply::Type::Error) {
                // Redis did not answer (away, restarting): the address last known, however
                // old, rather than dropping every relayed session while Redis is away. A node
                // that is gone refuses the connection; one restarted does not know the sid.
                if (auto it = self->cache_.find(id); it != self->cache_.end()) {
                  address = it->second.first;
                }
              } else {
                self->cache_.erase(id);  // gone from Redis: gone
              }
            }
            reply(std::move(address));
          });
    };
    if (shard_.is_current()) return ask();
    shard_.post(std::move(ask));
  }

 private:
  void announce() {
    if (stopped_) return;
    redis_->command(
        {"SET", options_.key_prefix + options_.id, options_.address, "PX",
         std::to_string(options_.ttl.count())},
        [self = shared_from_this()](boost::system::result<RedisReply> r) {
          if (self->stopped_) return;
          bool ok = r && r->type == RedisReply::Type::Status;
          // Not announced (Redis not reached): soon again; very soon before the
          // first announcement, since until then no other node can find the
          // sessions this one already hands out.
          if (ok && !std::exchange(self->announced_, true) && self->options_.on_announced) {
            // Once: it may hold what waits for it.
            auto announced = std::move(self->options_.on_announced);
            announced();
          }
          self->timer_->expires_after(ok ? self->options_.heartbeat
                                         : std::chrono::milliseconds(self->announced_ ? 200 : 10));
          self->timer_->async_wait([self](boost::system::error_code ec) {
            if (!ec) self->announce();
          });
        });
  }

  // A node that stops is forgotten at once: requests for its sessions get "Session ID
  // unknown" and their clients reconnect elsewhere.
  void stop() {
    if (stopped_) return;
    stopped_ = true;
    timer_->cancel();
    // The shutdown waits for the answer, for a second at most: a Redis that does not answer
    // (away, or a connection not back yet since Redis restarted) must not hold the node for
    // its whole grace; the key's time to live forgets the node then.
    auto busy = std::make_shared<std::unique_ptr<net::Shard::Activity>>(
        std::make_unique<net::Shard::Activity>(shard_));
    redis_->command({"DEL", options_.key_prefix + options_.id},
                    [self = shared_from_this(), busy](boost::system::result<RedisReply>) {
                      busy->reset();
                      self->redis_->close();
                    });
    timer_->expires_after(std::chrono::seconds(1));
    // Closing fails the DEL still waiting, whose callback holds this directory: left
    // waiting, the client and the directory would hold each other for ever.
    timer_->async_wait([self = shared_from_this(), busy](boost::system::error_code ec) {
      if (ec) return;
      busy->reset();
      self->redis_->close();
    });
  }

  NodeDirectoryOptions options_;
  net::Shard& shard_;
  std::unique_ptr<RedisClient> redis_;
  std::unique_ptr<boost::asio::steady_timer> timer_;
  bool stopped_ = false;
  bool announced_ = false;
  std::mutex mutex_;
  std::unordered_map<std::string, std::pair<std::string, Clock::time_point>> cache_;
};

}  // namespace

std::shared_ptr<engineio::NodeDirectory> redis_node_directory(net::Runtime& runtime,
                                                              NodeDirectoryOptions options) {
  auto directory = std::make_shared<RedisNodeDirectory>(runtime, std::move(options));
  runtime.shard(0).post([directory] { directory->start(); });
  return directory;
}

}  // namespace switchboard::adapter
