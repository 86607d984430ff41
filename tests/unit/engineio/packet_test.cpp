#include <switchboard/engineio/packet.hpp>

#include <gtest/gtest.h>

#include <array>

namespace switchboard::engineio {
namespace {

using namespace std::string_literals;

struct TextCase {
  std::string wire;
  Packet packet;
};

// Examples of the Engine.IO v4 protocol document.
const TextCase text_cases[] = {
    {R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
     R"("pingTimeout":5000,"maxPayload":1000000})",
     {PacketType::Open,
      R"({"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
      R"("pingTimeout":5000,"maxPayload":1000000})"}},
    {"1", {PacketType::Close, ""}},
    {"2", {PacketType::Ping, ""}},
    {"2probe", {PacketType::Ping, "probe"}},
    {"3probe", {PacketType::Pong, "probe"}},
    {"4hello", {PacketType::Message, "hello"}},
    {"4", {PacketType::Message, ""}},
    {"4€", {PacketType::Message, "€"}},
    {"5", {PacketType::Upgrade, ""}},
    {"6", {PacketType::Noop, ""}},
    {"bAQIDBA==", {PacketType::Message, "\x01\x02\x03\x04", true}},
    {"b", {PacketType::Message, "", true}},
};

class TextPacket : public testing::TestWithParam<TextCase> {};

TEST_P(TextPacket, DecodesToItsPacket) {
  const auto decoded = decode_packet(GetParam().wire);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, GetParam().packet);
}

TEST_P(TextPacket, EncodesBackToTheSameBytesForPolling) {
  std::string out;
  append_polling_packet(out, GetParam().packet);
  EXPECT_EQ(out, GetParam().wire);
}

INSTANTIATE_TEST_SUITE_P(ProtocolExamples, TextPacket, testing::ValuesIn(text_cases));

struct InvalidCase {
  std::string wire;
  DecodeError error;
};

const InvalidCase invalid_cases[] = {
    {"", DecodeError::EmptyPacket},
    {"7", DecodeError::UnknownPacketType},
    {"9hello", DecodeError::UnknownPacketType},
    {"hello", DecodeError::UnknownPacketType},
    {"/", DecodeError::UnknownPacketType},
    {"\x04hello", DecodeError::UnknownPacketType},
    {"B", DecodeError::UnknownPacketType},
    {"bA", DecodeError::InvalidBase64},
    {"bAQIDB", DecodeError::InvalidBase64},
    {"bAQ=D", DecodeError::InvalidBase64},
    {"bAQIDBA===", DecodeError::InvalidBase64},
    {"bAQ=", DecodeError::InvalidBase64},
    {"b=", DecodeError::InvalidBase64},
    {"bAQ-D", DecodeError::InvalidBase64},
    {"bAQID\n", DecodeError::InvalidBase64},
    {"b€", DecodeError::InvalidBase64},
};

class InvalidTextPacket : public testing::TestWithParam<InvalidCase> {};

TEST_P(InvalidTextPacket, IsRefusedWithAnErrorValue) {
  const auto decoded = decode_packet(GetParam().wire);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), make_error_code(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(Malformed, InvalidTextPacket, testing::ValuesIn(invalid_cases));

struct Base64Case {
  std::string bytes;
  std::string padded;
};

// RFC 4648 §10 test vectors.
const Base64Case base64_cases[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
    {"\xff\xfe\x00"s, "//4A"},
};

class Base64Packet : public testing::TestWithParam<Base64Case> {};

TEST_P(Base64Packet, EncodesWithPadding) {
  std::string out;
  append_base64_packet(out, GetParam().bytes);
  EXPECT_EQ(out, "b" + GetParam().padded);
}

TEST_P(Base64Packet, DecodesWithOrWithoutPadding) {
  std::string unpadded = GetParam().padded;
  while (!unpadded.empty() && unpadded.back() == '=') unpadded.pop_back();
  for (const auto& text : {GetParam().padded, unpadded}) {
    const auto decoded = decode_packet("b" + text);
    ASSERT_TRUE(decoded) << text;
    EXPECT_TRUE(decoded->binary);
    EXPECT_EQ(decoded->data, GetParam().bytes);
  }
}

INSTANTIATE_TEST_SUITE_P(Rfc4648, Base64Packet, testing::ValuesIn(base64_cases));

TEST(WebSocketFrame, BinaryFrameIsARawBinaryMessageWithoutTypePrefix) {
  const auto decoded = decode_websocket_frame("\x01\x02\x03\x04", true);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, (Packet{PacketType::Message, "\x01\x02\x03\x04", true}));
}

TEST(WebSocketFrame, TextFrameIsDecodedAsATextPacket) {
  const auto decoded = decode_websocket_frame("2probe", false);
  ASSERT_TRUE(decoded);
  EXPECT_EQ(*decoded, (Packet{PacketType::Ping, "probe"}));
  EXPECT_FALSE(decode_websocket_frame("", false));
}

TEST(WebSocketFrame, EmptyBinaryFrameIsAnEmptyBinaryMessage) {
  const auto decoded = decode_websocket_frame("", true);
  ASSERT_TRUE(decoded);
  EXPECT_TRUE(decoded->binary);
  EXPECT_TRUE(decoded->data.empty());
}

TEST(WebSocketFrame, BinaryPacketIsWrittenAsRawBytes) {
  std::string out;
  append_websocket_packet(out, {PacketType::Message, "\x00\xff"s, true});
  EXPECT_EQ(out, "\x00\xff"s);
  out.clear();
  append_websocket_packet(out, {PacketType::Message, "hello"});
  EXPECT_EQ(out, "4hello");
}

TEST(TextPacketEncoding, AppendsAfterWhatIsAlreadyThere) {
  std::string out = "x";
  append_text_packet(out, PacketType::Pong, "probe");
  EXPECT_EQ(out, "x3probe");
}

TEST(OpenPacket, HasExactlyTheFiveKeysInProtocolOrder) {
  constexpr std::array<std::string_view, 1> upgrades = {"websocket"};
  const OpenInfo info{.sid = "lv_VI97HAXpY6yYWAAAC",
                      .upgrades = upgrades,
                      .ping_interval = std::chrono::milliseconds(25000),
                      .ping_timeout = std::chrono::milliseconds(20000),
                      .max_payload = 1000000};
  std::string out;
  append_text_packet(out, PacketType::Open, "");
  append_open_json(out, info);
  EXPECT_EQ(out, R"(0{"sid":"lv_VI97HAXpY6yYWAAAC","upgrades":["websocket"],"pingInterval":25000,)"
                 R"("pingTimeout":20000,"maxPayload":1000000})");
}

TEST(OpenPacket, ListsNoUpgradesForAWebSocketFirstSession) {
  const Packet packet = make_open_packet({.sid = "abc", .max_payload = 42});
  EXPECT_EQ(packet.type, PacketType::Open);
  EXPECT_EQ(packet.data, R"({"sid":"abc","upgrades":[],"pingInterval":25000,"pingTimeout":20000,)"
                         R"("maxPayload":42})");
}

TEST(OpenPacket, EscapesTheSidAsAJsonString) {
  const Packet packet = make_open_packet({.sid = "a\"b\\c\x1e"});
  EXPECT_EQ(packet.data.substr(0, 23), R"({"sid":"a\"b\\c\u001e",)");
}

}  // namespace
}  // namespace switchboard::engineio
