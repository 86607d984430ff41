// Connection state recovery kept in Redis: the offset's hole in each format, the replies read
// back, and the Lua scripts run by a real redis-server.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "redis_server.hpp"
#include "switchboard/adapter/channels.hpp"
#include "switchboard/adapter/messages.hpp"
#include "switchboard/adapter/recovery_store.hpp"
#include "switchboard/socketio/args.hpp"

namespace sa = switchboard::adapter;
namespace sio = switchboard::socketio;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

sio::Args args_with_binary() {
  sio::Args args;
  args.values = json::array{json::object{{"n", 1}}, sio::binary(std::string("\0\1\2", 3))};
  return args;
}

sa::RedisReply bulk(std::string s) {
  return {.type = sa::RedisReply::Type::String, .str = std::move(s)};
}
sa::RedisReply array(std::vector<sa::RedisReply> elements) {
  return {.type = sa::RedisReply::Type::Array, .elements = std::move(elements)};
}

}  // namespace

TEST(RecoveryStore, KeysAreNamedAfterTheClusterKeyAndTheNamespace) {
  sa::RecoveryKeys keys("socket.io", "/chat");
  EXPECT_EQ(keys.stream, "socket.io#/chat#recovery");
  EXPECT_EQ(keys.session("p1"), "socket.io#/chat#session#p1");
}

TEST(RecoveryStore, ARecoverableEmitReadsBackWithItsOffsetLastInEitherFormat) {
  for (auto mode : {sa::ClusterMode::Classic, sa::ClusterMode::Sharded}) {
    for (bool binary : {false, true}) {
      sa::Channels channels("socket.io", "/");
      sio::Args args = binary ? args_with_binary() : sio::Args{json::array{"plain", 2}};
      auto m = sa::recoverable_message(mode, channels, "node01", "/",
                                       {.rooms = {"r1"}, .except = {"x"}}, "ev", args);
      ASSERT_TRUE(m) << int(mode) << binary;
      auto kept = sa::missed_packet(mode, "/", {.id = "1700000000000-7", .message = m->message});
      ASSERT_TRUE(kept) << int(mode) << binary;
      EXPECT_EQ(kept->offset, "1700000000000-7");
      EXPECT_EQ(kept->event, "ev");
      EXPECT_EQ(kept->target.rooms, std::set<std::string>{"r1"});
      EXPECT_EQ(kept->target.except, std::set<std::string>{"x"});
      auto expected = args.values;
      expected.emplace_back("1700000000000-7");
      EXPECT_EQ(kept->args.values, expected) << int(mode) << binary;
      // Another namespace's packet is not replayed here.
      EXPECT_FALSE(sa::missed_packet(mode, "/other", {.id = "1-0", .message = m->message}));
    }
  }
}

TEST(RecoveryStore, AMarkerMissingOrTwiceIsNoHole) {
  EXPECT_FALSE(sa::split_at_marker("[\"a\",\"b\"]", "zz"));
  EXPECT_FALSE(sa::split_at_marker("[\"zz\",\"zz\"]", "zz"));
  auto t = sa::split_at_marker("[\"a\",\"zz\"]", "zz");
  ASSERT_TRUE(t);
  EXPECT_EQ(sa::fill_offset(*t, "5-1"), "[\"a\",\"5-1\"]");
}

TEST(RecoveryStore, ASessionRoundTripsThroughItsReply) {
  sio::SessionState s{
      .sid = "s1", .pid = "p1", .rooms = {"s1", "r"}, .data = json::object{{"k", 1}}};
  auto back = sa::session_from_reply(array({bulk(sa::encode_session(s)), bulk("5-0")}));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->sid, "s1");
  EXPECT_EQ(back->pid, "p1");
  EXPECT_EQ(back->rooms, s.rooms);
  EXPECT_EQ(back->data, s.data);
  EXPECT_EQ(back->start, "5-0");
  EXPECT_FALSE(sa::session_from_reply(array({{}, {}})));  // none
  EXPECT_FALSE(sa::session_from_reply(array({bulk("{"), bulk("5-0")})));
}

class RecoveryScripts : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(redis.start());
    client = std::make_unique<sa::RedisClient>(context, sa::RedisOptions{.port = redis.port()});
    client->on_message([this](std::string_view, std::string_view payload, std::string_view) {
      published.emplace_back(payload);
    });
    client->subscribe(sa::Subscription::Channel, "socket.io#/#");
    client->start();
    ASSERT_TRUE(run_until([&] { return client->health().ok(); }));
  }
  template <class F>
  bool run_until(F done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) context.run_one_for(10ms);
    return done();
  }
  sa::RedisReply eval(const char* script, std::vector<std::string> keys,
                      std::vector<std::string> args) {
    std::vector<std::string> command{"EVAL", script, std::to_string(keys.size())};
    command.insert(command.end(), keys.begin(), keys.end());
    command.insert(command.end(), args.begin(), args.end());
    std::optional<sa::RedisReply> reply;
    client->command(command, [&](boost::system::result<sa::RedisReply> r) {
      reply = r ? *r : sa::RedisReply{.type = sa::RedisReply::Type::Error, .str = "failed"};
    });
    run_until([&] { return reply.has_value(); });
    EXPECT_TRUE(reply);
    return reply.value_or(sa::RedisReply{});
  }
  // Appends one emit of `tag` to room-less broadcast; returns its id.
  std::string append(const std::string& tag, std::size_t max_packets = 1000) {
    auto m = sa::recoverable_message(sa::ClusterMode::Classic, channels, "node01", "/", {}, "m",
                                     sio::Args{json::array{tag}});
    auto reply = eval(sa::kAppendScript, {keys.stream},
                      {std::to_string(max_packets), m->message.prefix, m->message.suffix,
                       std::string(1, m->message.form), "PUBLISH", m->channel});
    EXPECT_EQ(reply.type, sa::RedisReply::Type::String) << reply.str;
    return reply.str;
  }
  std::optional<std::vector<sa::KeptEntry>> missed(const std::string& after) {
    return sa::entries_from_reply(eval(sa::kMissedScript, {keys.stream}, {after}));
  }

  switchboard::test::RedisServer redis;
  boost::asio::io_context context;
  std::unique_ptr<sa::RedisClient> client;
  std::vector<std::string> published;
  sa::Channels channels{"socket.io", "/"};
  sa::RecoveryKeys keys{"socket.io", "/"};
};

TEST_F(RecoveryScripts, AnAppendedEmitIsPublishedWithItsStreamIdAsOffsetInStreamOrder) {
  std::vector<std::string> ids;
  for (auto tag : {"a", "b", "c"}) ids.push_back(append(tag));
  ASSERT_TRUE(run_until([&] { return published.size() == 3; }));
  for (std::size_t i = 0; i < 3; ++i) {
    auto message = sa::decode_broadcast(published[i]);
    ASSERT_TRUE(message);
    EXPECT_EQ(message->uid, "node01+r");
    const auto& data = message->packet.data.as_array();
    EXPECT_EQ(data.back(), json::value(ids[i]));
  }
  auto after_first = missed(ids[0]);
  ASSERT_TRUE(after_first);
  ASSERT_EQ(after_first->size(), 2u);
  EXPECT_EQ((*after_first)[0].id, ids[1]);
  auto all = missed("0-0");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 3u);
  EXPECT_EQ(missed(ids[2])->size(), 0u);
}

TEST_F(RecoveryScripts, MissedPacketsAreRefusedOnlyWhenSomeAfterTheOffsetWereTrimmed) {
  EXPECT_EQ(missed("0-0")->size(), 0u);  // no stream yet: nothing was missed
  std::vector<std::string> ids;
  for (int i = 0; i < 300; ++i) ids.push_back(append("t" + std::to_string(i), 100));
  // MAXLEN ~ keeps whole nodes of entries: at least the last 100, the oldest gone.
  EXPECT_FALSE(missed("0-0"));
  EXPECT_FALSE(missed(ids[0]));
  auto recent = missed(ids[250]);
  ASSERT_TRUE(recent);
  EXPECT_EQ(recent->size(), 49u);
}

TEST_F(RecoveryScripts, ASessionIsTakenOnceAndOnlyItsOwnerUpdatesOrForgetsIt) {
  const auto key = keys.session("p1");
  auto json = sa::encode_session({.sid = "s1", .pid = "p1", .rooms = {"s1", "r"}});
  append("before");
  EXPECT_EQ(
      eval(sa::kPersistScript, {key, keys.stream}, {"A:s1", json, "60000", "", "claim"}).integer,
      1);
  // Another node's socket does not overwrite it, nor forget it.
  EXPECT_EQ(
      eval(sa::kPersistScript, {key, keys.stream}, {"B:s1", "{}", "60000", "", "update"}).integer,
      0);
  eval(sa::kForgetScript, {key}, {"B:s1"});
  auto taken = sa::session_from_reply(eval(sa::kTakeScript, {key}, {}));
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->rooms, (std::set<std::string>{"s1", "r"}));
  // Its start is the newest packet when it was claimed: what came before is not its.
  EXPECT_EQ(missed(taken->start)->size(), 0u);
  EXPECT_FALSE(sa::session_from_reply(eval(sa::kTakeScript, {key}, {})));
  // Its owner forgets it.
  eval(sa::kPersistScript, {key, keys.stream}, {"A:s1", json, "60000", "", "claim"});
  eval(sa::kForgetScript, {key}, {"A:s1"});
  EXPECT_FALSE(sa::session_from_reply(eval(sa::kTakeScript, {key}, {})));
}
