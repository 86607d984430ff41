// RedisClient against a real redis-server: commands, the three kinds of subscription,
// a Redis restart in the middle and a Redis absent at start.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "redis_server.hpp"
#include "switchboard/adapter/error.hpp"
#include "switchboard/adapter/redis_client.hpp"

namespace sa = switchboard::adapter;
using namespace std::chrono_literals;

namespace {

struct Received {
  std::string channel, payload, pattern;
};

class RedisClientTest : public ::testing::Test {
 protected:
  // Runs the loop until `done` or `limit` passes; returns done().
  template <class F>
  bool run_until(F done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) context.run_one_for(10ms);
    return done();
  }
  std::unique_ptr<sa::RedisClient> client_for(std::uint16_t port) {
    auto client = std::make_unique<sa::RedisClient>(
        context, sa::RedisOptions{.port = port, .reconnect_min = 50ms, .reconnect_max = 400ms});
    client->on_message(
        [this](std::string_view channel, std::string_view payload, std::string_view pattern) {
          received.push_back({std::string(channel), std::string(payload), std::string(pattern)});
        });
    return client;
  }
  // PUBLISH and wait for the answer; returns the number of receivers or -1.
  std::int64_t publish(sa::RedisClient& client, const std::string& channel,
                       const std::string& payload) {
    std::optional<std::int64_t> n;
    client.publish(channel, payload,
                   [&](boost::system::result<sa::RedisReply> r) { n = r ? r->integer : -1; });
    run_until([&] { return n.has_value(); });
    return n.value_or(-2);
  }

  boost::asio::io_context context;
  std::vector<Received> received;
};

}  // namespace

TEST_F(RedisClientTest, SubscribesToChannelsPatternsAndShardChannelsAndReceives) {
  switchboard::test::RedisServer redis;
  ASSERT_TRUE(redis.start());
  auto client = client_for(redis.port());
  client->subscribe(sa::Subscription::Channel, "socket.io-request#/#");
  client->subscribe(sa::Subscription::Pattern, "socket.io#/#*");
  client->subscribe(sa::Subscription::Shard, "sharded#/#");
  int ready = 0;
  client->on_subscribed([&] { ++ready; });
  client->start();
  ASSERT_TRUE(run_until([&] { return client->health().ok(); })) << client->health().last_error;
  EXPECT_EQ(ready, 1);

  std::optional<sa::RedisReply> numsub;
  client->command({"PUBSUB", "NUMSUB", "socket.io-request#/#"},
                  [&](auto r) { numsub = r.value(); });
  ASSERT_TRUE(run_until([&] { return numsub.has_value(); }));
  ASSERT_EQ(numsub->elements.size(), 2u);
  EXPECT_EQ(numsub->elements[1].integer, 1);

  EXPECT_EQ(publish(*client, "socket.io-request#/#", "{\"type\":0}"), 1);
  EXPECT_EQ(publish(*client, "socket.io#/#room#", std::string("\x93\x00\xc4\x01", 4)), 1);
  bool spublished = false;
  client->spublish("sharded#/#", "s", [&](auto r) { spublished = r && r->integer == 1; });
  // The SPUBLISH reply (command link) and the message (subscriber link) come in either order.
  ASSERT_TRUE(run_until([&] { return received.size() == 3 && spublished; }))
      << received.size() << " received, spublished " << spublished;
  EXPECT_EQ(received[0].channel, "socket.io-request#/#");
  EXPECT_EQ(received[1].channel, "socket.io#/#room#");
  EXPECT_EQ(received[1].pattern, "socket.io#/#*");
  EXPECT_EQ(received[1].payload, std::string("\x93\x00\xc4\x01", 4));
  EXPECT_EQ(received[2].payload, "s");
  EXPECT_EQ(client->health().messages, 3u);

  std::optional<sa::RedisReply> error;
  client->command({"NOSUCHCOMMAND"}, [&](auto r) { error = r.value(); });
  ASSERT_TRUE(run_until([&] { return error.has_value(); }));
  EXPECT_EQ(error->type, sa::RedisReply::Type::Error);
}

TEST_F(RedisClientTest, ReconnectsAndSubscribesAgainAfterARedisRestart) {
  switchboard::test::RedisServer redis;
  ASSERT_TRUE(redis.start());
  auto client = client_for(redis.port());
  client->subscribe(sa::Subscription::Pattern, "socket.io#/#*");
  client->start();
  ASSERT_TRUE(run_until([&] { return client->health().ok(); }));

  redis.stop();
  ASSERT_TRUE(
      run_until([&] { return !client->health().connected && !client->health().subscribed; }));
  EXPECT_FALSE(client->health().last_error.empty());
  std::optional<boost::system::error_code> failed;
  client->publish("socket.io#/#", "lost",
                  [&](auto r) { failed = r ? boost::system::error_code() : r.error(); });
  ASSERT_TRUE(run_until([&] { return failed.has_value(); }));
  EXPECT_EQ(*failed, sa::make_error_code(sa::Error::RedisUnavailable));

  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(run_until([&] { return client->health().ok(); }, 5s)) << client->health().last_error;
  EXPECT_GE(client->health().reconnects, 2u);
  EXPECT_EQ(publish(*client, "socket.io#/#", "again"), 1);
  ASSERT_TRUE(run_until([&] { return received.size() == 1; }));
  EXPECT_EQ(received[0].payload, "again");
}

TEST_F(RedisClientTest, WaitsForARedisAbsentAtStart) {
  switchboard::test::RedisServer redis;  // not started yet: nothing listens on its port
  auto client = client_for(redis.port());
  client->subscribe(sa::Subscription::Channel, "socket.io-request#/#");
  client->start();
  run_until([] { return false; }, 300ms);
  EXPECT_FALSE(client->health().ok());
  EXPECT_NE(client->health().last_error.find("connect"), std::string::npos)
      << client->health().last_error;

  ASSERT_TRUE(redis.start());
  ASSERT_TRUE(run_until([&] { return client->health().ok(); }, 5s)) << client->health().last_error;
  EXPECT_EQ(publish(*client, "socket.io-request#/#", "hello"), 1);
  ASSERT_TRUE(run_until([&] { return received.size() == 1; }));
}

TEST_F(RedisClientTest, CloseFailsWhatIsPendingAndStopsForGood) {
  switchboard::test::RedisServer redis;
  ASSERT_TRUE(redis.start());
  auto client = client_for(redis.port());
  client->start();
  ASSERT_TRUE(run_until([&] { return client->health().connected; }));
  std::optional<boost::system::error_code> result;
  client->command({"BLPOP", "nothing", "5"},
                  [&](auto r) { result = r ? boost::system::error_code() : r.error(); });
  client->close();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, sa::make_error_code(sa::Error::Closed));
  EXPECT_FALSE(client->health().connected);
}

TEST_F(RedisClientTest, ASubscriberThatGoesDeafIsFoundByItsHealthCheckAndReconnects) {
  switchboard::test::RedisServer redis;
  ASSERT_TRUE(redis.start());
  auto client =
      std::make_unique<sa::RedisClient>(context, sa::RedisOptions{.port = redis.port(),
                                                                  .reconnect_min = 50ms,
                                                                  .reconnect_max = 100ms,
                                                                  .connect_timeout = 200ms,
                                                                  .health_check_interval = 100ms});
  client->subscribe(sa::Subscription::Channel, "c");
  client->start();
  ASSERT_TRUE(run_until([&] { return client->health().ok(); }));
  redis.pause();  // the TCP connection stays open, but nothing answers: python-socketio #1581
  ASSERT_TRUE(run_until([&] { return !client->health().subscribed; }, 3s));
  EXPECT_NE(client->health().last_error.find("PING"), std::string::npos)
      << client->health().last_error;
  redis.resume();
  ASSERT_TRUE(run_until([&] { return client->health().ok(); }, 5s)) << client->health().last_error;
}

TEST(RedisUrl, ReadsHostAndPort) {
  auto a = sa::parse_redis_url("redis://127.0.0.1:6400");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 6400);
  auto b = sa::parse_redis_url("redis://[::1]");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->port, 6379);
  for (const char* bad : {"http://x", "redis://", "redis://h:0", "redis://h:99999", "redis://h:x"})
    EXPECT_FALSE(sa::parse_redis_url(bad)) << bad;
}

TEST(RedisUrl, ReadsAUserAPasswordAndADatabase) {
  struct Case {
    const char* url;
    std::string host, username, password;
    std::uint16_t port;
    unsigned database;
  };
  for (const auto& c : std::vector<Case>{
           {"redis://:secret@10.0.0.5:6380/3", "10.0.0.5", "", "secret", 6380, 3},
           {"redis://app:s3cret@redis.local/0", "redis.local", "app", "s3cret", 6379, 0},
           {"redis://app:p%40ss%3Aw%2Frd@h:1/15", "h", "app", "p@ss:w/rd", 1, 15},
           {"redis://:a@b@h", "h", "", "a@b", 6379, 0},  // the last '@' ends the password
           {"redis://h:7000/", "h", "", "", 7000, 0},
           {"redis://[::1]:7000/2", "::1", "", "", 7000, 2},
       }) {
    auto o = sa::parse_redis_url(c.url);
    ASSERT_TRUE(o) << c.url;
    EXPECT_EQ(o->host, c.host) << c.url;
    EXPECT_EQ(o->port, c.port) << c.url;
    EXPECT_EQ(o->username, c.username) << c.url;
    EXPECT_EQ(o->password, c.password) << c.url;
    EXPECT_EQ(o->database, c.database) << c.url;
  }
  for (const char* bad :
       {"redis://user@h", "redis://:@h", "redis://:p%zz@h", "redis://:p%4@h", "redis://h/x",
        "redis://h/-1", "redis://h/1/2", "rediss://:p@h", "redis://:p@"}) {
    EXPECT_FALSE(sa::parse_redis_url(bad)) << bad;
  }
}

TEST_F(RedisClientTest, AuthenticatesAndSelectsItsDatabaseOnEveryConnection) {
  switchboard::test::RedisServer redis;
  redis.add_args({"--requirepass", "s3cret"});
  ASSERT_TRUE(redis.start());
  auto options =
      *sa::parse_redis_url("redis://:s3cret@127.0.0.1:" + std::to_string(redis.port()) + "/5");
  options.reconnect_min = 50ms;
  sa::RedisClient client(context, options);
  client.on_message([this](std::string_view channel, std::string_view payload, std::string_view) {
    received.push_back({std::string(channel), std::string(payload), {}});
  });
  client.subscribe(sa::Subscription::Channel, "news");
  client.start();
  ASSERT_TRUE(run_until([&] { return client.health().ok(); })) << client.health().last_error;

  // Keys land in database 5; Pub/Sub ignores databases.
  std::optional<sa::RedisReply> set, db;
  client.command({"SET", "k", "v"}, [&](auto r) { set = r.value(); });
  client.command({"CLIENT", "INFO"}, [&](auto r) { db = r.value(); });
  ASSERT_TRUE(run_until([&] { return set && db; }));
  EXPECT_EQ(set->str, "OK");
  EXPECT_NE(db->str.find(" db=5 "), std::string::npos) << db->str;
  EXPECT_EQ(publish(client, "news", "hello"), 1);
  ASSERT_TRUE(run_until([&] { return received.size() == 1; }));

  // A wrong password: never connected, Redis's refusal kept, retried with back-off.
  options.password = "wrong";
  sa::RedisClient refused(context, options);
  refused.start();
  ASSERT_TRUE(run_until([&] {
    return refused.health().last_error.find("WRONGPASS") != std::string::npos;
  })) << refused.health().last_error;
  EXPECT_FALSE(refused.health().connected);
  EXPECT_EQ(refused.health().last_error.find("wrong"), std::string::npos);
  std::optional<boost::system::error_code> failed;
  refused.command({"PING"}, [&](auto r) { failed = r ? boost::system::error_code() : r.error(); });
  ASSERT_TRUE(run_until([&] { return failed.has_value(); }));
  EXPECT_EQ(*failed, sa::make_error_code(sa::Error::RedisUnavailable));

  // Without a password Redis refuses the commands (NOAUTH): the URL's password was used.
  sa::RedisClient anonymous(context, {.port = redis.port(), .reconnect_min = 50ms});
  anonymous.start();
  std::optional<sa::RedisReply> denied;
  ASSERT_TRUE(run_until([&] { return anonymous.health().connected; }));
  anonymous.command({"GET", "k"}, [&](auto r) { denied = r.value(); });
  ASSERT_TRUE(run_until([&] { return denied.has_value(); }));
  EXPECT_EQ(denied->type, sa::RedisReply::Type::Error);
  EXPECT_NE(denied->str.find("NOAUTH"), std::string::npos) << denied->str;
}
