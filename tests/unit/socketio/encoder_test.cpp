#include <switchboard/socketio/parser.hpp>

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <cmath>
#include <limits>

namespace switchboard::socketio {
namespace {

using boost::json::parse;

Packet make(PacketType type, std::string nsp, std::optional<std::uint64_t> id, std::string json,
            std::vector<std::string> attachments = {}) {
  return {.type = type,
          .nsp = std::move(nsp),
          .id = id,
          .data = json.empty() ? boost::json::value() : parse(json),
          .attachments = std::move(attachments)};
}

struct EncodeCase {
  Packet packet;
  std::string wire;
};

const std::string placeholder0 = R"({"_placeholder":true,"num":0})";

// Examples of the Socket.IO v5 protocol document, written by our encoder.
const EncodeCase encode_cases[] = {
    {make(PacketType::Connect, "/", {}, ""), "0"},
    {make(PacketType::Connect, "/admin", {}, R"({"token":"123"})"), R"(0/admin,{"token":"123"})"},
    {make(PacketType::Connect, "/", {}, R"({"sid":"oSO0OpakMV_3jnilAAAA"})"),
     R"(0{"sid":"oSO0OpakMV_3jnilAAAA"})"},
    {make(PacketType::Disconnect, "/admin", {}, ""), "1/admin,"},
    {make(PacketType::Disconnect, "/", {}, ""), "1"},
    {make(PacketType::Event, "/", {}, R"(["hello",1])"), R"(2["hello",1])"},
    {make(PacketType::Event, "/admin", 456, R"(["project:delete",123])"),
     R"(2/admin,456["project:delete",123])"},
    {make(PacketType::Ack, "/admin", 456, "[]"), "3/admin,456[]"},
    {make(PacketType::ConnectError, "/", {}, R"({"message":"Not authorized"})"),
     R"(4{"message":"Not authorized"})"},
    {make(PacketType::ConnectError, "/random", {}, R"({"message":"Invalid namespace"})"),
     R"(4/random,{"message":"Invalid namespace"})"},
    {make(PacketType::Event, "/", {}, R"(["hello",)" + placeholder0 + "]", {"\x01\x02\x03"}),
     R"(51-["hello",)" + placeholder0 + "]"},
    {make(PacketType::Ack, "/admin", 456, "[" + placeholder0 + "]", {"\x01\x02\x03"}),
     "61-/admin,456[" + placeholder0 + "]"},
    {make(PacketType::Ack, "/", 789, "[" + placeholder0 + "]", {"x"}),
     "61-789[" + placeholder0 + "]"},
    {make(PacketType::BinaryEvent, "/", {}, R"(["no buffers"])"), R"(2["no buffers"])"},
    {make(PacketType::BinaryAck, "/", 1, "[]"), "31[]"},
    {make(PacketType::Event, "/", {}, R"(["a\u001eb","\u0000"])"), R"(2["a\u001eb","\u0000"])"},
};

class Encoding : public testing::TestWithParam<EncodeCase> {};

TEST_P(Encoding, WritesTheProtocolText) {
  std::string out;
  encode(out, GetParam().packet);
  EXPECT_EQ(out, GetParam().wire);
}

TEST_P(Encoding, RoundTripsThroughTheDecoder) {
  const Packet& original = GetParam().packet;
  std::string out;
  encode(out, original);
  Decoder decoder;
  auto step = decoder.feed_text(out);
  for (const auto& attachment : original.attachments) {
    ASSERT_TRUE(step) << step.error().message();
    step = decoder.feed_binary(attachment);
  }
  ASSERT_TRUE(step) << step.error().message();
  ASSERT_TRUE(step->has_value());
  Packet decoded = std::move(**step);
  EXPECT_EQ(is_binary(decoded.type), !original.attachments.empty());
  EXPECT_EQ(is_event(decoded.type), is_event(original.type));
  decoded.type = original.type;
  EXPECT_EQ(decoded, original);
}

INSTANTIATE_TEST_SUITE_P(ProtocolExamples, Encoding, testing::ValuesIn(encode_cases));

TEST(Encoding, AppendsAfterWhatIsAlreadyThere) {
  std::string out = "4";  // the Engine.IO message type, written first by the caller
  encode(out, make(PacketType::Event, "/", {}, R"(["x"])"));
  EXPECT_EQ(out, R"(42["x"])");
}

TEST(Encoding, SerialisesLargePayloadsCompletely) {
  const std::string big(100'000, 'x');
  std::string out;
  encode(out, make(PacketType::Event, "/", {}, R"(["big",")" + big + R"("])"));
  EXPECT_EQ(out, R"(2["big",")" + big + R"("])");
}

TEST(Encoding, WritesNonFiniteNumbersAsNullLikeJavaScript) {
  Packet packet{.type = PacketType::Event};
  packet.data = boost::json::array{"n", std::numeric_limits<double>::infinity(),
                                   boost::json::object{{"nan", std::nan("")}}, 1.5};
  std::string out;
  encode(out, packet);
  EXPECT_EQ(out, R"(2["n",null,{"nan":null},1.5E0])");
}

struct EventCase {
  std::string nsp;
  std::string event;
  std::string args;
  std::optional<std::uint64_t> id;
  std::string wire;
};

const EventCase event_cases[] = {
    {"/", "hello", "1", {}, R"(2["hello",1])"},
    {"/admin", "project:delete", "123", 456, R"(2/admin,456["project:delete",123])"},
    {"/", "ping", "", {}, R"(2["ping"])"},
    {"", "ping", "", 0, R"(20["ping"])"},
    {"/chat", "msg", R"({"text":"hi"},[1,2])", {}, R"(2/chat,["msg",{"text":"hi"},[1,2]])"},
    {"/", "quote\"back\\slash\x1e", "", {}, R"(2["quote\"back\\slash\u001e"])"},
};

class EventFastPath : public testing::TestWithParam<EventCase> {};

TEST_P(EventFastPath, WritesTheSameTextAsTheGeneralEncoder) {
  const auto& c = GetParam();
  std::string fast;
  encode_event(fast, c.nsp, c.event, c.args, c.id);
  EXPECT_EQ(fast, c.wire);
  Decoder decoder;
  const auto step = decoder.feed_text(fast);
  ASSERT_TRUE(step && step->has_value()) << fast;
  std::string general;
  encode(general, **step);
  EXPECT_EQ(fast, general);
}

INSTANTIATE_TEST_SUITE_P(Broadcasts, EventFastPath, testing::ValuesIn(event_cases));

TEST(AckFastPath, WritesTheAckWithItsId) {
  std::string out;
  encode_ack(out, "/admin", 456, "");
  EXPECT_EQ(out, "3/admin,456[]");
  out.clear();
  encode_ack(out, "/", 7, R"("ok",{"n":1})");
  EXPECT_EQ(out, R"(37["ok",{"n":1}])");
}

}  // namespace
}  // namespace switchboard::socketio
