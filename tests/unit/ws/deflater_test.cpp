#include "switchboard/ws/deflater.hpp"

#include <gtest/gtest.h>

#include "switchboard/ws/inflater.hpp"
#include "ws_test_util.hpp"

namespace switchboard::ws {
namespace {

using test::as_span;
using test::bytes;

std::string round_trip(Deflater& deflater, Inflater& inflater, std::string_view text) {
  std::string compressed;
  EXPECT_TRUE(deflater.compress(text, compressed));
  std::string out;
  EXPECT_EQ(inflater.inflate(as_span(compressed), out, 1 << 24), InflateStatus::Ok);
  EXPECT_EQ(inflater.finish_message(out, 1 << 24), InflateStatus::Ok);
  return out;
}

TEST(Deflater, CompressesHelloAsInRfc7692) {
  Deflater deflater;
  std::string out;
  ASSERT_TRUE(deflater.compress("Hello", out));
  EXPECT_EQ(out, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
  // §7.2.3.2: the second "Hello" refers back into the shared window.
  out.clear();
  ASSERT_TRUE(deflater.compress("Hello", out));
  EXPECT_EQ(out, bytes({0xf2, 0x00, 0x11, 0x00, 0x00}));
}

TEST(Deflater, CompressesEachMessageAloneWithoutContextTakeover) {
  Deflater deflater(15, true);
  for (int i = 0; i < 2; ++i) {
    std::string out;
    ASSERT_TRUE(deflater.compress("Hello", out));
    EXPECT_EQ(out, bytes({0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00}));
  }
}

TEST(Deflater, CompressesAnEmptyMessageToOneZeroByte) {
  Deflater deflater;  // RFC 7692 §7.2.3.6
  std::string out;
  ASSERT_TRUE(deflater.compress("", out));
  EXPECT_EQ(out, bytes({0x00}));
}

TEST(Deflater, RoundTripsThroughAnInflaterForEveryWindowAndTakeover) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += static_cast<char>('a' + (i * i) % 23);
  for (int bits = 8; bits <= 15; ++bits) {
    for (bool no_takeover : {false, true}) {
      SCOPED_TRACE(testing::Message() << bits << " bits, no takeover " << no_takeover);
      // The inflater uses exactly the negotiated window, even 8 (see Deflater's contract).
      Deflater deflater(bits, no_takeover, 1 + bits % 9);
      Inflater inflater(bits, no_takeover);
      for (int i = 0; i < 4; ++i) {
        const std::string message = text.substr(static_cast<size_t>(i) * 7);
        EXPECT_EQ(round_trip(deflater, inflater, message), message);
      }
    }
  }
}

TEST(Deflater, StaysReadableAfterAReset) {
  Deflater deflater;
  Inflater inflater;
  EXPECT_EQ(round_trip(deflater, inflater, "repeated repeated"), "repeated repeated");
  deflater.reset();  // the inflater keeps its window; nothing refers into it
  EXPECT_EQ(round_trip(deflater, inflater, "repeated repeated"), "repeated repeated");
}

}  // namespace
}  // namespace switchboard::ws
