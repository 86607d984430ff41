#include <switchboard/socketio/parser.hpp>

#include <gtest/gtest.h>
#include <boost/json/parse.hpp>

#include <vector>

namespace switchboard::socketio {
namespace {

using namespace std::string_literals;

// A valid text packet, what it decodes to, and how many attachments follow it.
struct ValidCase {
  std::string wire;
  PacketType type;
  std::string nsp;
  std::optional<std::uint64_t> id;
  std::string json;  // empty: no payload
  std::size_t attachments = 0;
};

const std::string placeholder0 = R"({"_placeholder":true,"num":0})";
const std::string placeholder1 = R"({"_placeholder":true,"num":1})";

// Examples of the Socket.IO v5 protocol document first, then edge cases.
const ValidCase valid_cases[] = {
    {"0", PacketType::Connect, "/", {}, ""},
    {R"(0/admin,{"token":"123"})", PacketType::Connect, "/admin", {}, R"({"token":"123"})"},
    {"0/custom", PacketType::Connect, "/custom", {}, ""},
    {"0/admin,", PacketType::Connect, "/admin", {}, ""},
    {R"(0{"sid":"oSO0OpakMV_3jnilAAAA"})",
     PacketType::Connect,
     "/",
     {},
     R"({"sid":"oSO0OpakMV_3jnilAAAA"})"},
    {"1", PacketType::Disconnect, "/", {}, ""},
    {"1/admin,", PacketType::Disconnect, "/admin", {}, ""},
    {R"(2["hello",1])", PacketType::Event, "/", {}, R"(["hello",1])"},
    {R"(2/admin,456["project:delete",123])", PacketType::Event, "/admin", 456,
     R"(["project:delete",123])"},
    {R"(212["hello"])", PacketType::Event, "/", 12, R"(["hello"])"},
    {R"(2[42,"numeric name"])", PacketType::Event, "/", {}, R"([42,"numeric name"])"},
    {R"(2/a/b,["x"])", PacketType::Event, "/a/b", {}, R"(["x"])"},
    {R"(2["a\u001eb"])", PacketType::Event, "/", {}, R"(["a\u001eb"])"},
    {R"(2["€"])", PacketType::Event, "/", {}, R"(["€"])"},
    {R"(2["connected"])", PacketType::Event, "/", {}, R"(["connected"])"},
    {R"(218446744073709551615["max id"])", PacketType::Event, "/", 18446744073709551615u,
     R"(["max id"])"},
    {"3/admin,456[]", PacketType::Ack, "/admin", 456, "[]"},
    {R"(3456["x",{"y":null}])", PacketType::Ack, "/", 456, R"(["x",{"y":null}])"},
    {R"(4{"message":"Not authorized"})",
     PacketType::ConnectError,
     "/",
     {},
     R"({"message":"Not authorized"})"},
    {R"(4/admin,{"message":"Invalid namespace"})",
     PacketType::ConnectError,
     "/admin",
     {},
     R"({"message":"Invalid namespace"})"},
    {R"(4"Not authorized")", PacketType::ConnectError, "/", {}, R"("Not authorized")"},
    {R"(51-["hello",)" + placeholder0 + "]",
     PacketType::BinaryEvent,
     "/",
     {},
     R"(["hello",)" + placeholder0 + "]",
     1},
    {"61-/admin,456[" + placeholder0 + "]", PacketType::BinaryAck, "/admin", 456,
     "[" + placeholder0 + "]", 1},
    {R"(52-["a",)" + placeholder1 + R"(,{"x":[)" + placeholder0 + "]}]",
     PacketType::BinaryEvent,
     "/",
     {},
     R"(["a",)" + placeholder1 + R"(,{"x":[)" + placeholder0 + "]}]",
     2},
    {R"(50-["no buffers"])", PacketType::BinaryEvent, "/", {}, R"(["no buffers"])"},
    {R"(2["x",{"_placeholder":true,"num":7}])",
     PacketType::Event,
     "/",
     {},
     R"(["x",{"_placeholder":true,"num":7}])"},
};

class ValidPacket : public testing::TestWithParam<ValidCase> {};

TEST_P(ValidPacket, DecodesToItsFields) {
  const auto& c = GetParam();
  Decoder decoder;
  auto step = decoder.feed_text(c.wire);
  ASSERT_TRUE(step) << step.error().message();
  for (std::size_t i = 0; i < c.attachments; ++i) {
    ASSERT_FALSE(step->has_value());
    ASSERT_TRUE(decoder.awaiting_attachments());
    step = decoder.feed_binary("buffer " + std::to_string(i));
    ASSERT_TRUE(step) << step.error().message();
  }
  ASSERT_TRUE(step->has_value());
  EXPECT_FALSE(decoder.awaiting_attachments());
  const Packet& packet = **step;
  EXPECT_EQ(packet.type, c.type);
  EXPECT_EQ(packet.nsp, c.nsp);
  EXPECT_EQ(packet.id, c.id);
  EXPECT_EQ(packet.data, c.json.empty() ? boost::json::value() : boost::json::parse(c.json));
  ASSERT_EQ(packet.attachments.size(), c.attachments);
  for (std::size_t i = 0; i < c.attachments; ++i) {
    EXPECT_EQ(packet.attachments[i], "buffer " + std::to_string(i));
  }
}

INSTANTIATE_TEST_SUITE_P(ProtocolExamples, ValidPacket, testing::ValuesIn(valid_cases));

struct InvalidCase {
  std::string wire;
  Error error;
};

std::string nested_arrays(std::size_t depth) {
  return "2[\"deep\"," + std::string(depth, '[') + std::string(depth, ']') + "]";
}

const InvalidCase invalid_cases[] = {
    {"", Error::EmptyPacket},
    {"7", Error::UnknownPacketType},
    {"9[]", Error::UnknownPacketType},
    {"a", Error::UnknownPacketType},
    {"-", Error::UnknownPacketType},
    {"\x00"s, Error::UnknownPacketType},
    {"2{}", Error::InvalidPayload},
    {"2abc[\"hello\"]", Error::InvalidJson},
    {"2[]", Error::InvalidPayload},
    {"2", Error::InvalidPayload},
    {"2/admin,", Error::InvalidPayload},
    {"2[{}]", Error::InvalidPayload},
    {"2[null]", Error::InvalidPayload},
    {"2[true]", Error::InvalidPayload},
    {"2[[\"x\"]]", Error::InvalidPayload},
    {"2\"hello\"", Error::InvalidPayload},
    {"2null", Error::InvalidPayload},
    {"2[\"connect\"]", Error::ReservedEventName},
    {"2[\"connect_error\"]", Error::ReservedEventName},
    {"2[\"disconnect\",1]", Error::ReservedEventName},
    {"2[\"disconnecting\"]", Error::ReservedEventName},
    {"2[\"newListener\"]", Error::ReservedEventName},
    {"2/admin,1[\"removeListener\"]", Error::ReservedEventName},
    {"2[\"hello\"", Error::InvalidJson},
    {"2[\"big\",1e400]", Error::InvalidJson},
    {"2[\"big\",-1e400]", Error::InvalidJson},
    {"2[\"hello\"]x", Error::InvalidJson},
    {"2[\"hello\"][\"again\"]", Error::InvalidJson},
    {"2[\"hello\",]", Error::InvalidJson},
    {"2[\"hello\" /* no */]", Error::InvalidJson},
    {"2[\"\xff\"]", Error::InvalidJson},
    {"2[\"a\x1e\"]", Error::InvalidJson},
    {nested_arrays(40), Error::InvalidJson},
    {"218446744073709551616[\"overflow\"]", Error::InvalidAckId},
    {"299999999999999999999999999999[\"overflow\"]", Error::InvalidAckId},
    {"3[]", Error::MissingAckId},
    {"3/admin,[]", Error::MissingAckId},
    {"31{}", Error::InvalidPayload},
    {"31", Error::InvalidPayload},
    {"31\"x\"", Error::InvalidPayload},
    {"0[]", Error::InvalidPayload},
    {"0\"token\"", Error::InvalidPayload},
    {"0null", Error::InvalidPayload},
    {"0{", Error::InvalidJson},
    {"1{}", Error::InvalidPayload},
    {"1/admin,[]", Error::InvalidPayload},
    {"4", Error::InvalidPayload},
    {"4[]", Error::InvalidPayload},
    {"4null", Error::InvalidPayload},
    {"5", Error::InvalidAttachmentCount},
    {"5-[\"a\"]", Error::InvalidAttachmentCount},
    {"51[\"a\"]", Error::InvalidAttachmentCount},
    {"5a-[\"a\"]", Error::InvalidAttachmentCount},
    {"511-[\"a\"]", Error::TooManyAttachments},
    {"599999999999999999999999-[\"a\"]", Error::TooManyAttachments},
    {"61-[]", Error::MissingAckId},
    {"51-[\"a\",{\"_placeholder\":true,\"num\":1}]", Error::InvalidPlaceholder},
    {"51-[\"a\",{\"_placeholder\":true,\"num\":-1}]", Error::InvalidPlaceholder},
    {"51-[\"a\",{\"_placeholder\":true,\"num\":0.5}]", Error::InvalidPlaceholder},
    {"51-[\"a\",{\"_placeholder\":true,\"num\":\"0\"}]", Error::InvalidPlaceholder},
    {"51-[\"a\",{\"_placeholder\":true}]", Error::InvalidPlaceholder},
    {"51-[\"a\"]", Error::InvalidPlaceholder},
    {"52-[\"a\",{\"_placeholder\":true,\"num\":0}]", Error::InvalidPlaceholder},
    {"52-[\"a\",{\"_placeholder\":true,\"num\":0},{\"_placeholder\":true,\"num\":0}]",
     Error::InvalidPlaceholder},
    {"51-{\"_placeholder\":true,\"num\":0}", Error::InvalidPayload},
};

class InvalidPacket : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidPacket, IsRefusedWithAnErrorValue) {
  Decoder decoder;
  const auto step = decoder.feed_text(GetParam().wire);
  ASSERT_FALSE(step) << GetParam().wire;
  EXPECT_EQ(step.error(), make_error_code(GetParam().error)) << step.error().message();
  EXPECT_FALSE(decoder.awaiting_attachments());
}

INSTANTIATE_TEST_SUITE_P(Malformed, InvalidPacket, testing::ValuesIn(invalid_cases));

TEST(Decoder, RefusesTextWhileAttachmentsArePending) {
  Decoder decoder;
  ASSERT_TRUE(decoder.feed_text("51-[\"a\"," + placeholder0 + "]"));
  const auto step = decoder.feed_text(R"(2["b"])");
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error(), make_error_code(Error::UnexpectedText));
  EXPECT_FALSE(decoder.awaiting_attachments());
}

TEST(Decoder, RefusesBinaryWhenNoAttachmentIsExpected) {
  Decoder decoder;
  auto step = decoder.feed_binary("\x01\x02");
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error(), make_error_code(Error::UnexpectedBinary));
  ASSERT_TRUE(decoder.feed_text(R"(2["a"])"));
  step = decoder.feed_binary("\x01\x02");
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error(), make_error_code(Error::UnexpectedBinary));
}

TEST(Decoder, RefusesAnAttachmentAfterTheLastOne) {
  Decoder decoder;
  ASSERT_TRUE(decoder.feed_text("51-[\"a\"," + placeholder0 + "]"));
  const auto done = decoder.feed_binary("x");
  ASSERT_TRUE(done && done->has_value());
  EXPECT_FALSE(decoder.feed_binary("y"));
}

TEST(Decoder, DecodesPacketsOneAfterAnother) {
  Decoder decoder;
  const std::vector<std::string> messages = {"0", "51-[\"a\"," + placeholder0 + "]", "\xff\x00"s,
                                             "2[\"b\"]", "3/admin,1[]"};
  std::vector<Packet> packets;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    auto step = i == 2 ? decoder.feed_binary(messages[i]) : decoder.feed_text(messages[i]);
    ASSERT_TRUE(step) << i;
    if (*step) packets.push_back(std::move(**step));
  }
  ASSERT_EQ(packets.size(), 4u);
  EXPECT_EQ(packets[1].attachments, std::vector<std::string>{"\xff\x00"s});
  EXPECT_EQ(*packets[1].resolve(packets[1].data.as_array()[1]), "\xff\x00"s);
  EXPECT_EQ(packets[3].nsp, "/admin");
}

TEST(Decoder, ForgetsAPartialPacketOnReset) {
  Decoder decoder;
  ASSERT_TRUE(decoder.feed_text("51-[\"a\"," + placeholder0 + "]"));
  decoder.reset();
  EXPECT_FALSE(decoder.awaiting_attachments());
  EXPECT_TRUE(decoder.feed_text(R"(2["b"])"));
}

TEST(DecoderOptions, CapTheAttachmentCount) {
  Decoder decoder({.max_attachments = 1});
  EXPECT_TRUE(decoder.feed_text("51-[\"a\"," + placeholder0 + "]"));
  decoder.reset();
  const auto step = decoder.feed_text("52-[\"a\"," + placeholder0 + "," + placeholder1 + "]");
  ASSERT_FALSE(step);
  EXPECT_EQ(step.error(), make_error_code(Error::TooManyAttachments));
}

TEST(DecoderOptions, CapTheJsonDepth) {
  Decoder shallow({.max_json_depth = 3});
  EXPECT_TRUE(shallow.feed_text(R"(2["a",[[1]]])"));
  EXPECT_FALSE(shallow.feed_text(R"(2["a",[[[1]]]])"));
  Decoder deep({.max_json_depth = 64});
  EXPECT_TRUE(deep.feed_text(nested_arrays(40)));
}

}  // namespace
}  // namespace switchboard::socketio
