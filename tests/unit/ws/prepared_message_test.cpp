#include "switchboard/ws/prepared_message.hpp"

#include <gtest/gtest.h>

#include "switchboard/ws/message_decoder.hpp"
#include "ws_test_util.hpp"

namespace switchboard::ws {
namespace {

using test::decode;

const std::string kText = "broadcast to everyone in the room, broadcast to everyone in the room";

TEST(PreparedMessage, GivesThePlainFrameToPeersWithoutCompression) {
  const PreparedMessage message(Opcode::Text, kText, {.compress = true});
  MessageEncoder plain;
  EXPECT_EQ(message.frame_for(plain), message.plain_frame());
  const auto events = decode(message.plain_frame(), {.role = Role::Client});
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].payload, kText);
}

TEST(PreparedMessage, GivesThePlainFrameToPeersWithASmallerWindow) {
  const PreparedMessage message(Opcode::Text, kText, {.compress = true, .window_bits = 12});
  MessageEncoder small({.server_max_window_bits = 11}, {.enabled = true});
  EXPECT_EQ(message.frame_for(small), message.plain_frame());
  MessageEncoder large({.server_max_window_bits = 12}, {.enabled = true});
  EXPECT_EQ(message.frame_for(large), message.compressed_frame());
}

TEST(PreparedMessage, InterleavesWithAContextTakeoverConnectionSafely) {
  // The peer keeps one window across our own messages and the shared prepared frame.
  const DeflateParams params;
  const PreparedMessage message(Opcode::Text, kText, {.compress = true});
  ASSERT_FALSE(message.compressed_frame().empty());
  MessageEncoder encoder(params, {.enabled = true, .compress_threshold = 0});
  std::string wire;
  encoder.encode(Opcode::Text, kText + " one", wire);
  wire += message.frame_for(encoder);
  encoder.encode(Opcode::Text, kText + " two", wire);
  const auto events = decode(wire, {.role = Role::Client, .permessage_deflate = params}, 3);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].payload, kText + " one");
  EXPECT_EQ(events[1].payload, kText);
  EXPECT_TRUE(events[1].compressed);
  EXPECT_EQ(events[2].payload, kText + " two");
}

TEST(PreparedMessage, LeavesShortMessagesUncompressed) {
  const PreparedMessage message(Opcode::Binary, "tiny", {.compress = true});
  EXPECT_TRUE(message.compressed_frame().empty());
}

}  // namespace
}  // namespace switchboard::ws
