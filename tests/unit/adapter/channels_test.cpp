// Which channel each message takes, in both formats (CLUSTER-NODE.md §4).
#include <gtest/gtest.h>

#include "switchboard/adapter/channels.hpp"

namespace sa = switchboard::adapter;
namespace json = boost::json;

namespace {

sa::ClusterMessage sharded_broadcast(std::vector<std::string> rooms, bool with_ack = false) {
  sa::BroadcastOptions opts{.rooms = std::move(rooms)};
  json::object data{{"packet", json::object{{"type", 2}, {"data", json::array{"e"}}, {"nsp", "/"}}},
                    {"opts", sa::to_json(opts)}};
  if (with_ack) data["requestId"] = "r";
  return {.uid = "u", .type = sa::MessageType::Broadcast, .data = {std::move(data), {}}};
}

}  // namespace

TEST(Channels, NamesFollowTheKeyAndTheNamespace) {
  sa::Channels c("socket.io", "/chat");
  EXPECT_EQ(c.main(), "socket.io#/chat#");
  EXPECT_EQ(c.room("r"), "socket.io#/chat#r#");
  EXPECT_EQ(c.pattern(), "socket.io#/chat#*");
  EXPECT_EQ(c.request(), "socket.io-request#/chat#");
  EXPECT_EQ(c.response(), "socket.io-response#/chat#");
  EXPECT_EQ(c.specific_response("abc"), "socket.io-response#/chat#abc#");
  EXPECT_EQ(c.sharded_response("abc"), "socket.io#/chat#abc#");
}

TEST(Channels, AClassicBroadcastToExactlyOneRoomTakesTheRoomChannel) {
  sa::Channels c("socket.io", "/");
  EXPECT_EQ(c.classic_broadcast({}), "socket.io#/#");
  EXPECT_EQ(c.classic_broadcast({.rooms = {"a"}}), "socket.io#/#a#");
  EXPECT_EQ(c.classic_broadcast({.rooms = {"a", "a"}}), "socket.io#/#a#");
  EXPECT_EQ(c.classic_broadcast({.rooms = {"a", "b"}}), "socket.io#/#");
  EXPECT_EQ(c.classic_broadcast({.except = {"a"}}), "socket.io#/#");
}

TEST(Channels, AShardedBroadcastTakesARoomChannelOnlyForOnePublicRoomWithoutAck) {
  sa::Channels c("socket.io", "/");
  EXPECT_EQ(c.sharded_publish(sharded_broadcast({"room"})), "socket.io#/#room#");
  EXPECT_EQ(c.sharded_publish(sharded_broadcast({"room"}, true)), "socket.io#/#");
  EXPECT_EQ(c.sharded_publish(sharded_broadcast({"abcdefghijklmnopqrst"})), "socket.io#/#");
  EXPECT_EQ(c.sharded_publish(sharded_broadcast({"a", "b"})), "socket.io#/#");
  EXPECT_EQ(c.sharded_publish(sharded_broadcast({})), "socket.io#/#");
  sa::ClusterMessage fetch{.type = sa::MessageType::FetchSockets};
  EXPECT_EQ(c.sharded_publish(fetch), "socket.io#/#");
}

TEST(Channels, SocketIdLengthIsCountedInUtf16Units) {
  EXPECT_TRUE(sa::looks_like_socket_id("abcdefghijklmnopqrst"));
  EXPECT_FALSE(sa::looks_like_socket_id("abcdefghijklmnopqrs"));
  EXPECT_EQ(sa::utf16_length("é"), 1u);
  EXPECT_EQ(sa::utf16_length("\xF0\x9F\x98\x80"), 2u);  // one emoji, a surrogate pair
  EXPECT_TRUE(
      sa::looks_like_socket_id("\xF0\x9F\x98\x80"
                               "abcdefghijklmnopqr"));
}

TEST(Channels, TheRoomOfAChannel) {
  sa::Channels c("socket.io", "/");
  EXPECT_EQ(c.room_of("socket.io#/#"), std::optional<std::string_view>(""));
  EXPECT_EQ(c.room_of("socket.io#/#r1#"), std::optional<std::string_view>("r1"));
  EXPECT_EQ(c.room_of("socket.io#/chat#"), std::nullopt);
  EXPECT_EQ(c.room_of("socket.io#/#r1"), std::nullopt);
}
