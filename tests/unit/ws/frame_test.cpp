#include "switchboard/ws/frame.hpp"

#include <gtest/gtest.h>

#include <numeric>

#include "switchboard/ws/error.hpp"
#include "ws_test_util.hpp"

namespace switchboard::ws {
namespace {

using test::as_span;
using test::bytes;

struct LengthCase {
  uint64_t length;
  size_t header_size;  // unmasked
  std::string prefix;  // expected bytes after the first one (unmasked)
};

const LengthCase kLengths[] = {
    {0, 2, bytes({0x00})},
    {125, 2, bytes({0x7d})},
    {126, 4, bytes({0x7e, 0x00, 0x7e})},
    {65535, 4, bytes({0x7e, 0xff, 0xff})},
    {65536, 10, bytes({0x7f, 0, 0, 0, 0, 0, 1, 0, 0})},
    {max_frame_payload_length, 10, bytes({0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})},
};

TEST(Frame, EncodesEachLengthInItsMinimalFormAndDecodesItBack) {
  for (const LengthCase& c : kLengths) {
    for (bool masked : {false, true}) {
      SCOPED_TRACE(testing::Message() << c.length << (masked ? " masked" : " unmasked"));
      const FrameHeader in{.fin = true,
                           .opcode = Opcode::Binary,
                           .masked = masked,
                           .mask = {1, 2, 3, 4},
                           .payload_length = c.length};
      std::array<uint8_t, max_frame_header_size> buf{};
      const size_t n = encode_frame_header(in, buf);
      EXPECT_EQ(n, c.header_size + (masked ? 4 : 0));
      EXPECT_EQ(buf[0], 0x82);
      std::string wire(reinterpret_cast<const char*>(buf.data()), n);
      std::string expected_prefix = c.prefix;
      expected_prefix[0] = static_cast<char>(expected_prefix[0] | (masked ? 0x80 : 0));
      EXPECT_EQ(wire.substr(1, c.prefix.size()), expected_prefix);
      for (size_t cut = 0; cut < n; ++cut) {  // every strict prefix is incomplete
        FrameHeader out;
        std::error_code ec;
        EXPECT_EQ(decode_frame_header(as_span(wire).first(cut), out, ec), 0u);
        EXPECT_FALSE(ec);
      }
      FrameHeader out;
      std::error_code ec;
      ASSERT_EQ(decode_frame_header(as_span(wire), out, ec), n);
      EXPECT_EQ(out.payload_length, c.length);
      EXPECT_EQ(out.masked, masked);
      if (masked) {
        EXPECT_EQ(out.mask, in.mask);
      }
      EXPECT_EQ(out.opcode, Opcode::Binary);
    }
  }
}

TEST(Frame, EncodesFlagsAndOpcode) {
  std::array<uint8_t, max_frame_header_size> buf{};
  encode_frame_header(
      {.fin = false, .rsv1 = true, .rsv2 = true, .rsv3 = true, .opcode = Opcode::Pong}, buf);
  EXPECT_EQ(buf[0], 0x7a);
  FrameHeader out;
  std::error_code ec;
  ASSERT_EQ(decode_frame_header(std::span(buf.data(), 2), out, ec), 2u);
  EXPECT_FALSE(out.fin);
  EXPECT_TRUE(out.rsv1 && out.rsv2 && out.rsv3);
  EXPECT_EQ(out.opcode, Opcode::Pong);
}

TEST(Frame, RejectsNonMinimalAndOversizedLengths) {
  const std::pair<std::string, Error> cases[] = {
      {bytes({0x82, 0x7e, 0x00, 0x7d}), Error::NonMinimalLength},
      {bytes({0x82, 0x7f, 0, 0, 0, 0, 0, 0, 0xff, 0xff}), Error::NonMinimalLength},
      {bytes({0x82, 0x7f, 0x80, 0, 0, 0, 0, 0, 0, 0}), Error::LengthTooLarge},
      {bytes({0x82, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2, 3, 4}),
       Error::LengthTooLarge},
  };
  for (const auto& [wire, error] : cases) {
    FrameHeader out;
    std::error_code ec;
    EXPECT_EQ(decode_frame_header(as_span(wire), out, ec), 0u);
    EXPECT_EQ(ec, error);
  }
}

TEST(Frame, ClassifiesOpcodes) {
  for (int v = 0; v < 16; ++v) {
    const auto op = static_cast<Opcode>(v);
    EXPECT_EQ(is_control(op), v >= 8) << v;
    EXPECT_EQ(is_reserved(op), (v >= 3 && v <= 7) || v >= 0xB) << v;
  }
}

TEST(Frame, MaskingChunkByChunkEqualsMaskingAtOnce) {
  std::string data(103, '\0');
  std::iota(data.begin(), data.end(), 0);
  const std::array<uint8_t, 4> key = {0xde, 0xad, 0xbe, 0xef};
  std::string whole = data;
  apply_mask(std::span(reinterpret_cast<uint8_t*>(whole.data()), whole.size()), key, 0);
  for (size_t i = 0; i < data.size(); ++i) {
    ASSERT_EQ(static_cast<uint8_t>(whole[i]), static_cast<uint8_t>(data[i]) ^ key[i % 4]);
  }
  for (size_t chunk : {1, 3, 5, 8, 9, 17, 64}) {
    std::string pieces = data;
    for (size_t at = 0; at < pieces.size(); at += chunk) {
      const size_t n = std::min(chunk, pieces.size() - at);
      apply_mask(std::span(reinterpret_cast<uint8_t*>(pieces.data()) + at, n), key, at);
    }
    EXPECT_EQ(pieces, whole) << "chunk " << chunk;
  }
}

TEST(Frame, AppendsAMaskedClientFrameThatUnmasksToThePayload) {
  std::string out;
  append_frame(out, {.opcode = Opcode::Text, .masked = true, .mask = {0x37, 0xfa, 0x21, 0x3d}},
               "Hello");
  // RFC 6455 §5.7: a single-frame masked text message containing "Hello".
  EXPECT_EQ(out, bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
}

}  // namespace
}  // namespace switchboard::ws
