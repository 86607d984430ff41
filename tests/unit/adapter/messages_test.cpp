// The classic and sharded messages: shapes and encodings as the Node peers write them.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "switchboard/adapter/error.hpp"
#include "switchboard/adapter/messages.hpp"
#include "switchboard/adapter/msgpack.hpp"

namespace sa = switchboard::adapter;
namespace sio = switchboard::socketio;
namespace json = boost::json;

namespace {

sio::Packet event_with_binary() {
  sio::Packet packet;
  packet.data = json::array{"file", json::object{{"name", "a"}}};
  packet.data.as_array()[1].as_object()["bytes"] = packet.attach(std::string("\0\1\2", 3));
  return packet;
}

}  // namespace

TEST(Messages, ABroadcastRoundTripsWithItsBinaryAndKeepsType2) {
  sa::BroadcastMessage message{
      .uid = "abc123",
      .packet = event_with_binary(),
      .opts = {.rooms = {"r1"}, .except = {"x"}, .flags = {{"volatile", true}}}};
  const std::string bytes = sa::encode_broadcast(message);
  auto whole = sa::from_msgpack(bytes);
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->json.at(1).at("type"), json::value(2));
  auto back = sa::decode_broadcast(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->uid, "abc123");
  EXPECT_EQ(back->packet.data, message.packet.data);
  EXPECT_EQ(back->packet.attachments, message.packet.attachments);
  EXPECT_EQ(back->opts, message.opts);
}

TEST(Messages, ABroadcastWithoutNspIsForTheMainNamespace) {
  const json::value whole =
      json::parse(R"(["emitter",{"type":2,"data":["hi"]},{"rooms":[],"except":[]}])");
  auto back = sa::decode_broadcast(sa::encode_msgpack(whole));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->packet.nsp, "/");
  EXPECT_TRUE(back->opts.flags.empty());
}

TEST(Messages, MalformedBroadcastsAreErrors) {
  for (const char* text :
       {R"([])", R"(["u",{"type":2,"data":"x"},{}])", R"(["u",{"type":9},{}])",
        R"([1,{"type":2,"data":[]},{}])", R"(["u",{"type":2,"data":[]},{"rooms":[{}]}])"}) {
    EXPECT_FALSE(sa::decode_broadcast(sa::encode_msgpack(json::parse(text)))) << text;
  }
}

TEST(Messages, ClassicRequestsAreJsonButBroadcastsWithAckAreMsgpack) {
  sa::ClassicMessage fetch{.fields = {{"uid", "u"}, {"requestId", "r"}, {"type", 5}}};
  EXPECT_EQ(sa::encode_classic(fetch).front(), '{');
  sa::ClassicMessage ack{.fields = {{"type", 9}, {"requestId", "r"}, {"packet", "yes"}}};
  const std::string bytes = sa::encode_classic(ack);
  EXPECT_NE(bytes.front(), '{');
  auto back = sa::decode_classic(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->type(), sa::RequestType::BroadcastAck);
  EXPECT_EQ(back->request_id(), "r");
  auto json_back = sa::decode_classic(sa::encode_classic(fetch));
  ASSERT_TRUE(json_back);
  EXPECT_EQ(json_back->type(), sa::RequestType::RemoteFetch);
  EXPECT_EQ(json_back->uid(), "u");
  EXPECT_FALSE(sa::decode_classic("{not json"));
  EXPECT_FALSE(sa::decode_classic("[]"));
}

TEST(Messages, ATypeIsAWholeNumberWithinRangeOrNone) {
  // A double beyond int64 (found by the fuzzer under clang's UBSan) is no type, not a cast.
  for (const char* text : {R"({"type":31982693364004403658})", R"({"type":-1e300})",
                           R"({"type":2.5})", R"({"type":"2"})"}) {
    auto m = sa::decode_classic(text);
    ASSERT_TRUE(m) << text;
    EXPECT_FALSE(m->type()) << text;
  }
  auto whole = sa::decode_classic(R"({"type":2.0})");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->type(), sa::RequestType::RemoteJoin);
}

TEST(Messages, ClusterMessagesAreJsonUnlessTheyCarryBinary) {
  sa::ClusterMessage plain{.uid = "u",
                           .type = sa::MessageType::FetchSockets,
                           .data = {json::parse(R"({"requestId":"r"})"), {}}};
  EXPECT_EQ(sa::encode_cluster(plain).front(), '{');
  const auto packet = sa::packet_to_wire(event_with_binary());
  sa::ClusterMessage binary{.uid = "u",
                            .type = sa::MessageType::Broadcast,
                            .data = {json::object{{"packet", packet.json}}, packet.attachments}};
  const std::string bytes = sa::encode_cluster(binary);
  EXPECT_NE(bytes.front(), '{');
  auto back = sa::decode_cluster(bytes);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->type, sa::MessageType::Broadcast);
  EXPECT_EQ(back->data, binary.data);
  auto heartbeat = sa::decode_cluster(R"({"uid":"n","nsp":"/","type":2})");
  ASSERT_TRUE(heartbeat);
  EXPECT_EQ(heartbeat->type, sa::MessageType::Heartbeat);
  EXPECT_FALSE(sa::decode_cluster(R"({"uid":"n","nsp":"/","type":14})"));
}
