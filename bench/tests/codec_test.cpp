// The load generator's sans-I/O parts: payloads, Socket.IO messages, the latency histogram.
#include <gtest/gtest.h>

#include <string>

#include "load/histogram.hpp"
#include "load/payload.hpp"
#include "load/sio_client_codec.hpp"

namespace switchboard::bench {
namespace {

TEST(Payload, RoundTripsItsFieldsAtTheRequestedSize) {
  for (std::size_t size : {0, 10, 64, 1000}) {
    std::string text;
    append_payload(text, {.stream = 7, .seq = 123456, .sent_ns = 987654321}, size);
    if (size > 30) {
      EXPECT_EQ(text.size(), size);
    }
    auto fields = parse_payload(text);
    ASSERT_TRUE(fields) << text;
    EXPECT_EQ(fields->stream, 7u);
    EXPECT_EQ(fields->seq, 123456u);
    EXPECT_EQ(fields->sent_ns, 987654321u);
  }
}

TEST(Payload, AnyChangedByteIsCaught) {
  std::string text;
  append_payload(text, {.stream = 1, .seq = 2, .sent_ns = 3}, 80);
  for (std::size_t i = 0; i < text.size(); ++i) {
    std::string bad = text;
    bad[i] = bad[i] == 'y' ? 'z' : 'y';
    EXPECT_FALSE(parse_payload(bad)) << "byte " << i;
  }
  EXPECT_FALSE(parse_payload(text.substr(0, text.size() - 1)));
  EXPECT_FALSE(parse_payload(""));
}

TEST(SioCodec, ClassifiesWhatAServerSends) {
  EXPECT_EQ(parse_sio_message(R"(0{"sid":"abc","pingInterval":25000})").kind, SioInput::Open);
  EXPECT_EQ(parse_sio_message(R"(40{"sid":"xyz"})").kind, SioInput::Connected);
  EXPECT_EQ(parse_sio_message("2").kind, SioInput::Ping);
  EXPECT_EQ(parse_sio_message("6").kind, SioInput::Other);
  EXPECT_EQ(parse_sio_message("41").kind, SioInput::Other);
  for (auto bad :
       {"", "0", "2x", "9", R"(42["a\"b","c"])", R"(42["a","c"]x)", R"(42{})", R"(42["a",1])"}) {
    EXPECT_EQ(parse_sio_message(bad).kind, SioInput::Invalid) << bad;
  }
}

TEST(SioCodec, EventsRoundTrip) {
  std::string packet;
  append_sio_event(packet, "echo", "1:2:3:xx#0000");
  EXPECT_EQ(packet, R"(42["echo","1:2:3:xx#0000"])");
  auto m = parse_sio_message(packet);
  EXPECT_EQ(m.kind, SioInput::Event);
  EXPECT_EQ(m.name, "echo");
  EXPECT_EQ(m.arg, "1:2:3:xx#0000");
}

TEST(Histogram, QuantilesAreWithinOnePercent) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100000; ++v) h.record(v * 1000);
  EXPECT_EQ(h.count(), 100000u);
  for (double q : {0.5, 0.99, 0.999}) {
    const double expected = q * 100000 * 1000;
    EXPECT_NEAR(static_cast<double>(h.quantile(q)), expected, expected * 0.01) << q;
  }
  EXPECT_EQ(Histogram{}.quantile(0.5), 0u);
}

}  // namespace
}  // namespace switchboard::bench
