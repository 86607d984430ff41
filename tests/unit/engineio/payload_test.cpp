#include <switchboard/engineio/payload.hpp>

#include <gtest/gtest.h>

#include <vector>

namespace switchboard::engineio {
namespace {

struct PayloadCase {
  std::string name;
  std::string wire;
  std::vector<Packet> packets;
};

// Examples of the Engine.IO v4 protocol document, and a few of our own.
const PayloadCase payload_cases[] = {
    {"one packet", "4hello", {{PacketType::Message, "hello"}}},
    {"text and multibyte text",
     "4hello\x1e"
     "4€",
     {{PacketType::Message, "hello"}, {PacketType::Message, "€"}}},
    {"text and binary",
     "4hello\x1e"
     "bAQIDBA==",
     {{PacketType::Message, "hello"}, {PacketType::Message, "\x01\x02\x03\x04", true}}},
    {"close", "1", {{PacketType::Close, ""}}},
    {"noop", "6", {{PacketType::Noop, ""}}},
    {"three types",
     "2\x1e"
     "3\x1e"
     "4x",
     {{PacketType::Ping, ""}, {PacketType::Pong, ""}, {PacketType::Message, "x"}}},
    {"empty messages",
     "4\x1e"
     "4",
     {{PacketType::Message, ""}, {PacketType::Message, ""}}},
};

class Payload : public testing::TestWithParam<PayloadCase> {};

TEST_P(Payload, DecodesToItsPackets) {
  const auto decoded = decode_payload(GetParam().wire);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(*decoded, GetParam().packets);
}

TEST_P(Payload, EncodesBackToTheSameBytes) {
  std::string out;
  append_payload(out, GetParam().packets);
  EXPECT_EQ(out, GetParam().wire);
}

TEST_P(Payload, BuildsTheSameBytesPacketByPacket) {
  std::string out;
  for (const auto& packet : GetParam().packets) append_payload_packet(out, packet);
  EXPECT_EQ(out, GetParam().wire);
}

INSTANTIATE_TEST_SUITE_P(Examples, Payload, testing::ValuesIn(payload_cases), [](const auto& info) {
  std::string name = info.param.name;
  for (char& c : name) {
    if (c == ' ') c = '_';
  }
  return name;
});

struct InvalidPayloadCase {
  std::string wire;
  DecodeError error;
};

const InvalidPayloadCase invalid_cases[] = {
    {"", DecodeError::EmptyPacket},
    {"\x1e", DecodeError::EmptyPacket},
    {"4a\x1e", DecodeError::EmptyPacket},
    {"\x1e"
     "4a",
     DecodeError::EmptyPacket},
    {"4a\x1e\x1e"
     "4b",
     DecodeError::EmptyPacket},
    {"abc", DecodeError::UnknownPacketType},
    {"4a\x1e"
     "7",
     DecodeError::UnknownPacketType},
    {"4a\x1e"
     "b!!!!",
     DecodeError::InvalidBase64},
};

class InvalidPayload : public testing::TestWithParam<InvalidPayloadCase> {};

TEST_P(InvalidPayload, IsRefusedWithAnErrorValue) {
  const auto decoded = decode_payload(GetParam().wire);
  ASSERT_FALSE(decoded);
  EXPECT_EQ(decoded.error(), make_error_code(GetParam().error));
}

INSTANTIATE_TEST_SUITE_P(Malformed, InvalidPayload, testing::ValuesIn(invalid_cases));

TEST(PayloadLimits, CountBytesNotCharacters) {
  const std::string body =
      "4hello\x1e"
      "4€";  // 6 + 1 + 1 + 3 bytes, 9 characters
  ASSERT_EQ(body.size(), 11u);
  EXPECT_TRUE(decode_payload(body, {.max_bytes = 11}));
  const auto refused = decode_payload(body, {.max_bytes = 10});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), make_error_code(DecodeError::PayloadTooLarge));
}

TEST(PayloadLimits, CapTheNumberOfPackets) {
  const std::string body =
      "2\x1e"
      "2\x1e"
      "2";
  EXPECT_TRUE(decode_payload(body, {.max_packets = 3}));
  const auto refused = decode_payload(body, {.max_packets = 2});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error(), make_error_code(DecodeError::TooManyPackets));
}

TEST(PayloadEncoding, AppendsNothingForNoPackets) {
  std::string out;
  append_payload(out, {});
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace switchboard::engineio
