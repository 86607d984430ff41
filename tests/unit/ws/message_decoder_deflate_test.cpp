// The decoder with permessage-deflate negotiated (RFC 7692).
#include <gtest/gtest.h>

#include "switchboard/ws/deflater.hpp"
#include "switchboard/ws/message_decoder.hpp"
#include "ws_test_util.hpp"

namespace switchboard::ws {
namespace {

using test::as_span;
using test::bytes;
using test::client_frame;
using test::decode;

const DecoderOptions kDeflate{.permessage_deflate = DeflateParams{}};

// A masked client frame with the raw first byte `b0` and payload `payload`.
std::string masked(int b0, const std::string& payload) {
  return client_frame({.opcode = static_cast<Opcode>(b0 & 0x0f),
                       .payload = payload,
                       .fin = (b0 & 0x80) != 0,
                       .rsv1 = (b0 & 0x40) != 0});
}

struct RfcExample {
  const char* name;
  std::string wire;
  std::vector<std::string> messages;
};

// RFC 7692 §7.2.3, sent by a client (so masked).
std::vector<RfcExample> rfc_examples() {
  const std::string hello = bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00});
  const std::string final_block = bytes({0xf3, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00, 0x00});
  return {
      {"7.2.3.1 a message compressed", masked(0xc1, hello), {"Hello"}},
      {"7.2.3.1 compressed and fragmented",
       masked(0x41, bytes({0xf2, 0x48, 0xcd})) + masked(0x80, bytes({0xc9, 0xc9, 0x07, 0x00})),
       {"Hello"}},
      {"7.2.3.2 sharing the LZ77 window",
       masked(0xc1, hello) + masked(0xc1, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})),
       {"Hello", "Hello"}},
      {"7.2.3.3 a stored block",
       masked(0xc1, bytes({0x00, 0x05, 0x00, 0xfa, 0xff, 'H', 'e', 'l', 'l', 'o', 0x00})),
       {"Hello"}},
      {"7.2.3.4 a final block", masked(0xc1, final_block), {"Hello"}},
      {"7.2.3.4 a final block then the window",
       masked(0xc1, final_block) + masked(0xc1, bytes({0xf2, 0x00, 0x11, 0x00, 0x00})),
       {"Hello", "Hello"}},
      {"7.2.3.5 two blocks in one message",
       masked(0xc1, bytes({0xf2, 0x48, 0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xca, 0xc9, 0xc9, 0x07,
                           0x00})),
       {"Hello"}},
      {"an uncompressed message beside compressed ones",
       masked(0x81, "plain") + masked(0xc1, hello),
       {"plain", "Hello"}},
  };
}

TEST(MessageDecoderDeflate, DecodesTheRfc7692ExamplesForEveryChunking) {
  for (const RfcExample& c : rfc_examples()) {
    for (size_t chunk : {size_t{1}, size_t{3}, SIZE_MAX}) {
      SCOPED_TRACE(testing::Message() << c.name << ", chunk " << chunk);
      const auto events = decode(c.wire, kDeflate, chunk);
      ASSERT_EQ(events.size(), c.messages.size());
      for (size_t i = 0; i < events.size(); ++i) {
        EXPECT_EQ(events[i].kind, EventKind::Message) << events[i].error.message();
        EXPECT_EQ(events[i].payload, c.messages[i]);
      }
    }
  }
}

TEST(MessageDecoderDeflate, MarksCompressedMessages) {
  const auto events =
      decode(masked(0xc1, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00})) + masked(0x81, "x"),
             kDeflate);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_TRUE(events[0].compressed);
  EXPECT_FALSE(events[1].compressed);
}

std::string compress(Deflater& deflater, std::string_view text) {
  std::string out;
  EXPECT_TRUE(deflater.compress(text, out));
  return out;
}

TEST(MessageDecoderDeflate, RoundTripsWithEveryWindowAndTakeoverSetting) {
  const std::string text = "the quick brown fox jumps over the lazy dog, again and again";
  for (int bits = 8; bits <= 15; ++bits) {
    for (bool no_takeover : {false, true}) {
      SCOPED_TRACE(testing::Message() << bits << " bits, no takeover " << no_takeover);
      Deflater client(bits, no_takeover);
      std::string wire;
      for (int i = 0; i < 5; ++i) wire += masked(0xc1, compress(client, text + std::to_string(i)));
      const DecoderOptions options{.permessage_deflate =
                                       DeflateParams{.client_no_context_takeover = no_takeover,
                                                     .client_max_window_bits = bits}};
      const auto events = decode(wire, options, 7);
      ASSERT_EQ(events.size(), 5u);
      for (int i = 0; i < 5; ++i) EXPECT_EQ(events[i].payload, text + std::to_string(i));
    }
  }
}

TEST(MessageDecoderDeflate, CutsOffADeflateBombEarly) {
  Deflater client;
  const std::string bomb = compress(client, std::string(16 << 20, '\0'));
  const std::string wire = masked(0xc2, bomb);
  MessageDecoder decoder({.max_message_size = 1 << 20, .permessage_deflate = DeflateParams{}});
  Event event;
  size_t consumed = 0;
  while (event.kind == EventKind::None && consumed < wire.size()) {
    consumed += decoder.feed(as_span(wire).subspan(consumed, 512), event);
  }
  ASSERT_EQ(event.kind, EventKind::Error);
  EXPECT_EQ(event.close_code, CloseCode::MessageTooBig);
  // The limit is 1/16 of the bomb: the decoder stopped long before the end of its input.
  EXPECT_LT(consumed, wire.size() / 4);
}

TEST(MessageDecoderDeflate, FailsOnCompressedDataThatDoesNotInflate) {
  const auto events = decode(masked(0xc1, bytes({0xff, 0xff, 0xff, 0xff})), kDeflate);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error, Error::BadCompressedData);
  EXPECT_EQ(events[0].close_code, CloseCode::InvalidPayload);
}

TEST(MessageDecoderDeflate, ValidatesTheInflatedTextAsUtf8) {
  Deflater client;
  const auto events = decode(masked(0xc1, compress(client, "abc\xed\xa0\x80")), kDeflate);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].error, Error::InvalidUtf8);
}

TEST(MessageDecoderDeflate, ChecksTheInflatedSizeAgainstTheLimitAcrossFragments) {
  Deflater client;
  const std::string body = compress(client, std::string(300, 'a'));
  const std::string wire = masked(0x42, body.substr(0, 3)) + masked(0x80, body.substr(3));
  const auto fits = decode(wire, {.max_message_size = 300, .permessage_deflate = DeflateParams{}});
  ASSERT_EQ(fits.size(), 1u);
  EXPECT_EQ(fits[0].payload, std::string(300, 'a'));
  const auto over = decode(wire, {.max_message_size = 299, .permessage_deflate = DeflateParams{}});
  ASSERT_EQ(over.size(), 1u);
  EXPECT_EQ(over[0].error, Error::MessageTooBig);
}

}  // namespace
}  // namespace switchboard::ws
