#pragma once
/// Long polling: requests held until the next event of a topic, on every shard.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "switchboard/http/router.hpp"
#include "switchboard/poll/backlog.hpp"

namespace switchboard::net {
class Runtime;
}

namespace switchboard::poll {

/// Turns the events a poll is answered with into the HTTP answer (status 200 expected).
using AnswerFormat = std::function<http::Response(const Batch&)>;

/// The default AnswerFormat: 200 with json_body() as application/json.
http::Response json_answer(const Batch& batch);

/// Settings of a Topic, with safe defaults.
struct TopicOptions {
  /// Events kept on each shard for polls that ask for older ones.
  std::size_t backlog = 1024;
  /// A poll held this long without an event is answered 204 No Content.
  std::chrono::milliseconds timeout{25000};
  /// The status held polls get when the server shuts down (204, or 503 to say "come back").
  int shutdown_status = 204;
  /// Makes the answer; replace it to give polls another body (a chat's message objects).
  AnswerFormat answer = json_answer;
};

/// A topic for long polling. An event published from any thread is posted to every shard,
/// which answers its own held polls. Ids are 1, 2, 3, ... in the same order on every shard.
/// Must outlive Runtime::run().
///
///     poll::Topic updates(runtime, {.timeout = 25s});
///     server.router().get("/poll", updates.handler());  // GET /poll?after=<id>
///     auto id = updates.publish("hello");               // from any thread
class Topic {
 public:
  explicit Topic(net::Runtime& runtime, TopicOptions options = {});
  ~Topic();
  Topic(const Topic&) = delete;
  Topic& operator=(const Topic&) = delete;

  /// Publishes an event with the next id and answers every held poll. Thread-safe.
  std::uint64_t publish(std::string data);
  /// Answers `ex` at once with the events after `after`, or holds it until the next event,
  /// the timeout (204), the client leaving (dropped) or shutdown. An `after` newer than any
  /// event (from a previous run) waits for the next event. Call on the exchange's shard.
  void wait(http::Exchange ex, std::uint64_t after);
  /// Handles `GET ...?after=<id>`: wait() on it; no `after` waits for the next event; an
  /// invalid one is answered 400 with a JSON error.
  void handle(http::Exchange ex);
  /// A route handler calling handle().
  http::Handler handler();
  /// Polls held on the calling shard.
  std::size_t local_waiters() const;
  /// Polls held on every shard (a snapshot). Thread-safe.
  std::size_t waiters() const { return waiters_.load(std::memory_order_relaxed); }

 private:
  struct ShardState;
  void deliver(unsigned shard, const Entry& entry);
  void expire(ShardState& state, std::uint64_t key);
  void stop(ShardState& state);
  void answer(http::Exchange& ex, std::uint64_t after, const ShardState& state);
  void forget(std::size_t count);

  net::Runtime& runtime_;
  TopicOptions options_;
  std::vector<std::unique_ptr<ShardState>> shards_;
  // Taken only to publish: it makes every shard receive the events in id order.
  std::mutex publish_mutex_;
  std::uint64_t last_id_ = 0;
  std::atomic<std::size_t> waiters_{0};
};

}  // namespace switchboard::poll
