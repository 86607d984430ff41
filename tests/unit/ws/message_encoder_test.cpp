#include "switchboard/ws/message_encoder.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "switchboard/ws/message_decoder.hpp"
#include "ws_test_util.hpp"

namespace switchboard::ws {
namespace {

using test::bytes;
using test::decode;

const DecoderOptions kClient{.role = Role::Client};

TEST(MessageEncoder, WritesTheSameHeaderAsTheGeneralFrameEncoder) {
  for (size_t length : {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
    for (Opcode opcode : {Opcode::Text, Opcode::Binary, Opcode::Ping}) {
      for (bool compressed : {false, true}) {
        const std::string payload(length, 'y');
        std::string direct = "before";
        std::string general = "before";
        append_server_frame(direct, opcode, payload, compressed);
        append_frame(general, {.fin = true, .rsv1 = compressed, .opcode = opcode}, payload);
        EXPECT_EQ(direct, general) << length;
      }
    }
  }
}

TEST(MessageEncoder, FramesServerMessagesUnmaskedInTheMinimalLengthForm) {
  for (size_t length : {0, 125, 126, 65535, 65536}) {
    const std::string payload(length, 'x');
    std::string out;
    MessageEncoder().encode(Opcode::Binary, payload, out);
    const size_t header = length < 126 ? 2 : length < 65536 ? 4 : 10;
    ASSERT_EQ(out.size(), header + length);
    EXPECT_EQ(static_cast<uint8_t>(out[0]), 0x82);
    EXPECT_EQ(static_cast<uint8_t>(out[1]) & 0x80, 0);  // never masked
    const auto events = decode(out, kClient);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].payload, payload);
  }
}

TEST(MessageEncoder, BuildsControlFrames) {
  EXPECT_EQ(encode_ping("hi"), bytes({0x89, 0x02, 'h', 'i'}));
  EXPECT_EQ(encode_pong(), bytes({0x8a, 0x00}));
  EXPECT_EQ(encode_close(CloseCode::MessageTooBig), bytes({0x88, 0x02, 0x03, 0xf1}));
  EXPECT_EQ(encode_close(CloseCode::NoStatus), bytes({0x88, 0x00}));
  EXPECT_EQ(encode_close(CloseCode::NormalClosure, std::string(300, 'r')).size(), 127u);
  EXPECT_THROW(encode_ping(std::string(126, 'p')), std::length_error);
}

TEST(MessageEncoder, CompressesMessagesAboveTheThreshold) {
  const DeflateParams params;
  MessageEncoder encoder(params, {.enabled = true, .compress_threshold = 10});
  std::string wire;
  encoder.encode(Opcode::Text, "short", wire);
  encoder.encode(Opcode::Text, std::string(1000, 'a'), wire);
  encoder.encode(Opcode::Text, std::string(1000, 'a'), wire);
  const auto events = decode(wire, {.role = Role::Client, .permessage_deflate = params});
  ASSERT_EQ(events.size(), 3u);
  EXPECT_FALSE(events[0].compressed);
  EXPECT_EQ(events[0].payload, "short");
  for (int i : {1, 2}) {
    EXPECT_TRUE(events[i].compressed);
    EXPECT_EQ(events[i].payload, std::string(1000, 'a'));
  }
  EXPECT_LT(wire.size(), 100u);
}

}  // namespace
}  // namespace switchboard::ws
