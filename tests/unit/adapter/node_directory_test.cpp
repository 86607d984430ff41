// The Redis node directory against a real redis-server: a node is announced only once Redis
// has its key, and says so once.
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <optional>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>

#include "redis_server.hpp"
#include "support/background_runtime.hpp"
#include "switchboard/adapter/node_directory.hpp"
#include "switchboard/adapter/redis_client.hpp"
#include "switchboard/net/runtime.hpp"

namespace sa = switchboard::adapter;
namespace net = switchboard::net;
using namespace std::chrono_literals;

namespace {

// GET `key` from the Redis on `port` with a client of its own; nullopt when absent or unanswered.
std::optional<std::string> redis_get(std::uint16_t port, const std::string& key) {
  boost::asio::io_context context;
  sa::RedisClient client(context, sa::RedisOptions{.port = port});
  client.start();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!client.health().connected && std::chrono::steady_clock::now() < deadline) {
    context.run_one_for(10ms);
  }
  std::optional<std::string> value;
  bool answered = false;
  client.command({"GET", key}, [&](boost::system::result<sa::RedisReply> r) {
    answered = true;
    if (r && r->type == sa::RedisReply::Type::String) value = r->str;
  });
  while (!answered && std::chrono::steady_clock::now() < deadline) context.run_one_for(10ms);
  client.close();
  return value;
}

TEST(RedisNodeDirectory, SaysItIsAnnouncedOnlyOnceRedisHasItsKeyAndOnlyOnce) {
  switchboard::test::RedisServer redis;  // not started yet: the first announcements fail
  switchboard::test::BackgroundRuntime background;
  std::atomic<int> announced{0};
  std::promise<std::optional<std::string>> seen;
  auto directory = sa::redis_node_directory(
      background.runtime,
      {.redis = {.port = redis.port(), .reconnect_min = 20ms, .reconnect_max = 50ms},
       .address = "127.0.0.1:4711",
       .id = "node-a",
       .heartbeat = 30ms,
       .on_announced = [&] {
         // What another node would find at this moment.
         if (announced++ == 0) seen.set_value(redis_get(redis.port(), "switchboard:node:node-a"));
       }});
  background.start();
  std::this_thread::sleep_for(200ms);  // some announcements fail meanwhile: nothing to await
  EXPECT_EQ(announced.load(), 0) << "announced while Redis was absent";
  ASSERT_TRUE(redis.start());
  auto found = seen.get_future();
  ASSERT_EQ(found.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(found.get(), std::optional<std::string>("127.0.0.1:4711"));
  // Heartbeats renew the key (every 30 ms): none of them says it again.
  std::this_thread::sleep_for(150ms);
  EXPECT_EQ(announced.load(), 1);
  background.stop();
  directory.reset();
}

}  // namespace
