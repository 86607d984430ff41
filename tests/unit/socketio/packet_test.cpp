#include <switchboard/socketio/packet.hpp>

#include <gtest/gtest.h>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

namespace switchboard::socketio {
namespace {

using boost::json::parse;

TEST(Attach, AddsTheBufferAndReturnsItsPlaceholder) {
  Packet packet;
  packet.data = boost::json::array{"upload", packet.attach("first"), packet.attach("second")};
  EXPECT_EQ(packet.attachments, (std::vector<std::string>{"first", "second"}));
  EXPECT_EQ(packet.data, parse(R"(["upload",{"_placeholder":true,"num":0},)"
                               R"({"_placeholder":true,"num":1}])"));
}

TEST(Resolve, FindsTheBufferOfAPlaceholderAtAnyDepth) {
  Packet packet;
  packet.attachments = {"zero", "one"};
  packet.data = parse(R"(["x",{"deep":[{"_placeholder":true,"num":1}]}])");
  const auto& placeholder = packet.data.at_pointer("/1/deep/0");
  ASSERT_NE(packet.resolve(placeholder), nullptr);
  EXPECT_EQ(*packet.resolve(placeholder), "one");
}

TEST(Resolve, GivesNothingForOtherValuesOrIndexesOutOfRange) {
  Packet packet;
  packet.attachments = {"zero"};
  for (const char* json : {R"("x")", "0", R"({"num":0})", R"({"_placeholder":false,"num":0})",
                           R"({"_placeholder":true,"num":1})", R"({"_placeholder":true})",
                           R"({"_placeholder":"true","num":0})"}) {
    EXPECT_EQ(packet.resolve(parse(json)), nullptr) << json;
  }
}

struct IndexCase {
  const char* json;
  std::optional<std::size_t> index;
};

const IndexCase index_cases[] = {
    {R"({"_placeholder":true,"num":0})", 0},
    {R"({"num":3,"_placeholder":true})", 3},
    {R"({"_placeholder":true,"num":-1})", std::nullopt},
    {R"({"_placeholder":true,"num":1.0})", std::nullopt},
    {R"({"_placeholder":true,"num":"1"})", std::nullopt},
    {R"({"_placeholder":1,"num":1})", std::nullopt},
    {R"([{"_placeholder":true,"num":0}])", std::nullopt},
    {"null", std::nullopt},
};

class PlaceholderIndex : public testing::TestWithParam<IndexCase> {};

TEST_P(PlaceholderIndex, IsTheNumOfAWellFormedPlaceholderOnly) {
  EXPECT_EQ(placeholder_index(parse(GetParam().json)), GetParam().index);
}

INSTANTIATE_TEST_SUITE_P(Shapes, PlaceholderIndex, testing::ValuesIn(index_cases));

TEST(MakePlaceholder, WritesTheReferenceShape) {
  EXPECT_EQ(make_placeholder(5), parse(R"({"_placeholder":true,"num":5})"));
  EXPECT_EQ(placeholder_index(make_placeholder(5)), 5u);
}

TEST(ReservedEvents, AreExactlyTheSixOfTheReference) {
  for (const char* name : {"connect", "connect_error", "disconnect", "disconnecting", "newListener",
                           "removeListener"}) {
    EXPECT_TRUE(is_reserved_event(name)) << name;
  }
  for (const char* name : {"", "Connect", "connected", "message", "error", "ping"}) {
    EXPECT_FALSE(is_reserved_event(name)) << name;
  }
}

TEST(PacketTypes, AreClassifiedAsEventAckAndBinary) {
  EXPECT_TRUE(is_event(PacketType::Event) && is_event(PacketType::BinaryEvent));
  EXPECT_TRUE(is_ack(PacketType::Ack) && is_ack(PacketType::BinaryAck));
  EXPECT_TRUE(is_binary(PacketType::BinaryEvent) && is_binary(PacketType::BinaryAck));
  EXPECT_FALSE(is_binary(PacketType::Event) || is_event(PacketType::Connect));
  EXPECT_EQ(static_cast<int>(PacketType::BinaryAck), 6);
}

}  // namespace
}  // namespace switchboard::socketio
