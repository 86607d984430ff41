#pragma once
/// Fan-out of events to every event stream subscribed to a topic, on every shard.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "switchboard/http/router.hpp"
#include "switchboard/sse/event_log.hpp"
#include "switchboard/sse/stream.hpp"

namespace switchboard::net {
class Runtime;
}

namespace switchboard::sse {

/// Settings of a Topic, with safe defaults.
struct TopicOptions {
  /// Events kept on each shard for clients resuming with Last-Event-ID.
  std::size_t replay = 256;
  /// Settings of every subscribed stream.
  StreamOptions stream{};
};

/// A hub: an event published from any thread is formatted once, into shared bytes posted to
/// every shard, where each shard writes them to its own subscribers. Ids are 1, 2, 3, ... in
/// the same order on every shard. Must outlive Runtime::run().
///
///     sse::Topic news(runtime);
///     server.router().get("/news", news.handler());
///     news.publish("{\"title\":\"...\"}", "article");  // from any thread
class Topic {
 public:
  explicit Topic(net::Runtime& runtime, TopicOptions options = {});
  ~Topic();
  Topic(const Topic&) = delete;
  Topic& operator=(const Topic&) = delete;

  /// Publishes an event with the next id, kept for replay. Thread-safe. Returns the id, or
  /// InvalidEventName (nothing is published).
  boost::system::result<std::uint64_t> publish(std::string_view data, std::string_view event = {});
  /// Sends an event without id that is not kept for replay (a tick, a presence hint).
  /// Volatile by default: a client already behind misses it. Thread-safe.
  boost::system::error_code broadcast(std::string_view data, std::string_view event = {},
                                      bool is_volatile = true);
  /// Answers `ex` with an event stream subscribed to this topic, first replaying the events
  /// after the client's last_event_id() (all that are kept when some were evicted, none when
  /// the id is unknown). Call on the exchange's shard (any route handler).
  std::shared_ptr<Stream> subscribe(http::Exchange ex);
  /// A route handler calling subscribe().
  http::Handler handler();
  /// Streams subscribed on the calling shard.
  std::size_t local_subscribers() const;
  /// Streams subscribed on every shard (a snapshot). Thread-safe.
  std::size_t subscribers() const { return subscribers_.load(std::memory_order_relaxed); }

 private:
  struct Delivery;
  struct ShardState;
  void deliver(unsigned shard, const Delivery& d);
  ShardState& local() const;

  net::Runtime& runtime_;
  TopicOptions options_;
  std::vector<std::unique_ptr<ShardState>> shards_;
  // Taken only to publish: it makes every shard receive the events in id order.
  std::mutex publish_mutex_;
  std::uint64_t last_id_ = 0;
  std::atomic<std::size_t> subscribers_{0};
};

}  // namespace switchboard::sse
