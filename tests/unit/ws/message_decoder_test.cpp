#include "switchboard/ws/message_decoder.hpp"

#include <gtest/gtest.h>

#include "switchboard/ws/close.hpp"
#include "ws_test_util.hpp"

namespace switchboard::ws {
namespace {

using test::as_span;
using test::bytes;
using test::client_frame;
using test::ClientFrame;
using test::decode;

const DecoderOptions kDeflate{.permessage_deflate = DeflateParams{}};

std::string close_frame(uint16_t code, std::string reason = {}) {
  std::string payload = bytes({code >> 8, code & 0xff}) + reason;
  return client_frame({.opcode = Opcode::Close, .payload = payload});
}

struct FailureCase {
  const char* name;
  std::string wire;
  Error error;
  DecoderOptions options = {};
};

std::vector<FailureCase> failure_cases() {
  std::vector<FailureCase> cases = {
      {"unmasked client frame", client_frame({.payload = "hi", .masked = false}),
       Error::UnmaskedFrame},
      {"masked frame to a client",
       client_frame({.payload = "hi"}),
       Error::MaskedFrame,
       {.role = Role::Client}},
      {"RSV1 without permessage-deflate", client_frame({.payload = "hi", .rsv1 = true}),
       Error::ReservedBits},
      {"RSV2", bytes({0xa1, 0x80, 0, 0, 0, 0}), Error::ReservedBits},
      {"RSV3", bytes({0x91, 0x80, 0, 0, 0, 0}), Error::ReservedBits, kDeflate},
      {"RSV1 on a continuation",
       client_frame({.payload = "a", .fin = false}) +
           client_frame({.opcode = Opcode::Continuation, .payload = "b", .rsv1 = true}),
       Error::ReservedBits, kDeflate},
      {"RSV1 on a control frame", client_frame({.opcode = Opcode::Ping, .rsv1 = true}),
       Error::ReservedBits, kDeflate},
      {"control frame over 125 bytes",
       client_frame({.opcode = Opcode::Ping, .payload = std::string(126, 'p')}),
       Error::ControlFrameTooLong},
      {"fragmented control frame", client_frame({.opcode = Opcode::Ping, .fin = false}),
       Error::FragmentedControlFrame},
      {"continuation without a message",
       client_frame({.opcode = Opcode::Continuation, .payload = "x"}),
       Error::UnexpectedContinuation},
      {"new message inside a fragmented one",
       client_frame({.payload = "a", .fin = false}) + client_frame({.payload = "b"}),
       Error::ExpectedContinuation},
      {"close payload of one byte", client_frame({.opcode = Opcode::Close, .payload = "\x03"}),
       Error::BadClosePayload},
      {"close reason not UTF-8", close_frame(1000, "\xff"), Error::InvalidCloseReason},
      {"text not UTF-8", client_frame({.payload = "ab\xc0\x80"}), Error::InvalidUtf8},
      {"text ending inside a character", client_frame({.payload = "ab\xe2\x82"}),
       Error::InvalidUtf8},
      // Only the first fragment is on the wire: the error must not wait for the end.
      {"bad UTF-8 in an unfinished message",
       client_frame({.payload = "ok \xed\xa0\x80", .fin = false}), Error::InvalidUtf8},
      {"non-minimal 16-bit length", bytes({0x82, 0xfe, 0x00, 0x05, 1, 2, 3, 4}),
       Error::NonMinimalLength},
      {"non-minimal 64-bit length", bytes({0x82, 0xff, 0, 0, 0, 0, 0, 0, 0, 5, 1, 2, 3, 4}),
       Error::NonMinimalLength},
      {"64-bit length with the top bit set",
       bytes({0x82, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}), Error::LengthTooLarge},
      // A header alone announcing too much is refused before any payload arrives.
      {"frame longer than the limit",
       bytes({0x82, 0xfe, 0x01, 0x00, 1, 2, 3, 4}),
       Error::MessageTooBig,
       {.max_message_size = 255}},
      {"fragments longer than the limit together",
       client_frame({.opcode = Opcode::Binary, .payload = std::string(200, 'a'), .fin = false}) +
           client_frame({.opcode = Opcode::Continuation, .payload = std::string(56, 'b')}),
       Error::MessageTooBig,
       {.max_message_size = 255}},
  };
  for (int op : {3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf}) {
    cases.push_back({"reserved opcode", client_frame({.opcode = static_cast<Opcode>(op)}),
                     Error::ReservedOpcode});
  }
  for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535}) {
    cases.push_back(
        {"close code not allowed on the wire", close_frame(code), Error::InvalidCloseCode});
  }
  return cases;
}

TEST(MessageDecoder, FailsTheConnectionWithTheRightCloseCodeForEachRule) {
  for (const FailureCase& c : failure_cases()) {
    for (bool in_place : {false, true}) {
      for (size_t chunk : {size_t{1}, size_t{3}, SIZE_MAX}) {
        SCOPED_TRACE(testing::Message()
                     << c.name << ", chunk " << chunk << ", in place " << in_place);
        const auto events = decode(c.wire, c.options, chunk, in_place);
        ASSERT_FALSE(events.empty());
        const Event& last = events.back();
        ASSERT_EQ(last.kind, EventKind::Error);
        EXPECT_EQ(last.error, c.error);
        EXPECT_EQ(last.close_code, close_code_for(c.error));
      }
    }
  }
}

// A compact view of an event, for comparing sequences.
std::string describe(const Event& e) {
  switch (e.kind) {
    case EventKind::Message:
      return (e.opcode == Opcode::Text ? "text:" : "binary:") + e.payload;
    case EventKind::Ping:
      return "ping:" + e.payload;
    case EventKind::Pong:
      return "pong:" + e.payload;
    case EventKind::Close:
      return "close:" + std::to_string(static_cast<int>(e.close_code)) + ":" + e.payload;
    case EventKind::Error:
      return "error:" + e.error.message();
    case EventKind::None:
      break;
  }
  return "none";
}

std::vector<std::string> describe_all(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(describe(e));
  return out;
}

struct SuccessCase {
  const char* name;
  std::string wire;
  std::vector<std::string> events;
  DecoderOptions options = {};
};

std::vector<SuccessCase> success_cases() {
  const std::string interleaved =
      client_frame({.payload = "Hel", .fin = false}) +
      client_frame({.opcode = Opcode::Ping, .payload = "p"}) +
      client_frame({.opcode = Opcode::Continuation, .payload = "lo", .fin = false}) +
      client_frame({.opcode = Opcode::Pong}) +
      client_frame({.opcode = Opcode::Continuation, .payload = " \xe2\x82", .fin = false}) +
      client_frame({.opcode = Opcode::Continuation, .payload = "\xac"});
  return {
      {"a text message", client_frame({.payload = "Hello"}), {"text:Hello"}},
      {"an empty text message", client_frame({}), {"text:"}},
      {"a binary message with any bytes",
       client_frame({.opcode = Opcode::Binary, .payload = bytes({0, 0xff, 0xc0})}),
       {"binary:" + bytes({0, 0xff, 0xc0})}},
      {"ping and pong",
       client_frame({.opcode = Opcode::Ping, .payload = "a"}) +
           client_frame({.opcode = Opcode::Pong, .payload = "b"}),
       {"ping:a", "pong:b"}},
      {"a close without status", client_frame({.opcode = Opcode::Close}), {"close:1005:"}},
      {"a close with code and reason",
       close_frame(1001, "bye \xc3\xa9"),
       {"close:1001:bye \xc3\xa9"}},
      {"an application close code", close_frame(4000), {"close:4000:"}},
      {"a fragmented message with control frames in between",
       interleaved,
       {"ping:p", "pong:", "text:Hello \xe2\x82\xac"}},
      {"nothing after a close",
       close_frame(1000) + client_frame({.payload = "late"}),
       {"close:1000:"}},
      {"unmasked frames as a client",
       bytes({0x81, 0x02, 'h', 'i', 0x89, 0x00}),
       {"text:hi", "ping:"},
       {.role = Role::Client}},
      {"a message exactly at the limit",
       client_frame({.payload = std::string(255, 'x')}),
       {"text:" + std::string(255, 'x')},
       {.max_message_size = 255}},
  };
}

TEST(MessageDecoder, DecodesValidTrafficTheSameWayForEveryChunking) {
  for (const SuccessCase& c : success_cases()) {
    for (bool in_place : {false, true}) {
      for (size_t chunk : {size_t{1}, size_t{2}, size_t{5}, size_t{7}, SIZE_MAX}) {
        SCOPED_TRACE(testing::Message()
                     << c.name << ", chunk " << chunk << ", in place " << in_place);
        EXPECT_EQ(describe_all(decode(c.wire, c.options, chunk, in_place)), c.events);
      }
    }
  }
}

TEST(MessageDecoder, DecodesAllThreeLengthEncodings) {
  for (size_t length : {0, 1, 125, 126, 127, 65535, 65536, 70000}) {
    std::string payload(length, '\0');
    for (size_t i = 0; i < length; ++i) payload[i] = static_cast<char>(i * 7);
    const std::string wire = client_frame({.opcode = Opcode::Binary, .payload = payload});
    for (size_t chunk : {size_t{1}, size_t{1000}, SIZE_MAX}) {
      for (bool in_place : {false, true}) {
        const auto events = decode(wire, {}, chunk, in_place);
        ASSERT_EQ(events.size(), 1u);
        EXPECT_EQ(events[0].kind, EventKind::Message);
        EXPECT_EQ(events[0].payload, payload) << length << " chunk " << chunk;
      }
    }
  }
}

// Traffic that mixes whole small frames (the fast path) with fragments, control frames and a
// 16-bit length, cut in two at every byte: each cut decodes as the whole does.
TEST(MessageDecoder, DecodesTheSameWhereverTheInputIsCut) {
  const std::string wire =
      client_frame({.payload = "caf\xc3\xa9"}) +
      client_frame({.opcode = Opcode::Binary, .payload = bytes({0, 0x80, 0xff})}) +
      client_frame({.opcode = Opcode::Ping, .payload = "p"}) +
      client_frame({.payload = "one ", .fin = false}) +
      client_frame({.opcode = Opcode::Continuation, .payload = "two"}) +
      client_frame({.payload = std::string(300, 'z')}) + client_frame({}) +
      client_frame({.opcode = Opcode::Binary, .payload = "end"});
  const auto whole = describe_all(decode(wire));
  ASSERT_EQ(whole.size(), 7u);
  for (bool in_place : {false, true}) {
    for (size_t cut = 0; cut <= wire.size(); ++cut) {
      SCOPED_TRACE(testing::Message() << "cut at " << cut << ", in place " << in_place);
      MessageDecoder decoder;
      std::vector<Event> events;
      Event event;
      for (std::string piece : {wire.substr(0, cut), wire.substr(cut)}) {
        std::span<uint8_t> rest(reinterpret_cast<uint8_t*>(piece.data()), piece.size());
        while (!rest.empty()) {
          rest = rest.subspan(in_place ? decoder.feed_in_place(rest, event)
                                       : decoder.feed(std::span<const uint8_t>(rest), event));
          if (event.kind == EventKind::None) continue;
          if (event.in_place) event.payload.assign(event.view);
          events.push_back(std::move(event));
        }
      }
      EXPECT_EQ(describe_all(events), whole);
    }
  }
}

TEST(MessageDecoder, HandsOutAWholeFrameInPlaceUnmaskedInTheCallersBuffer) {
  std::string wire = client_frame({.payload = "hello"}) + client_frame({.payload = "wor"}) +
                     client_frame({.payload = "ld", .fin = false});
  const size_t first = client_frame({.payload = "hello"}).size();
  MessageDecoder decoder;
  Event event;
  std::span<uint8_t> in(reinterpret_cast<uint8_t*>(wire.data()), wire.size());
  event.payload = "untouched";
  ASSERT_EQ(decoder.feed_in_place(in, event), first);
  ASSERT_EQ(event.kind, EventKind::Message);
  ASSERT_TRUE(event.in_place);
  EXPECT_EQ(event.view, "hello");
  EXPECT_EQ(event.data(), "hello");
  // The view is the buffer's own bytes, unmasked there (right after a 6-byte header).
  EXPECT_EQ(event.view.data(), wire.data() + 6);
  EXPECT_EQ(wire.substr(6, 5), "hello");
  EXPECT_EQ(event.payload, "untouched");
  EXPECT_FALSE(decoder.in_message());
  // The next frame too; the fragment after it goes the usual way (a message of its own).
  in = in.subspan(first);
  in = in.subspan(decoder.feed_in_place(in, event));
  EXPECT_TRUE(event.in_place);
  EXPECT_EQ(event.data(), "wor");
  in = in.subspan(decoder.feed_in_place(in, event));
  EXPECT_EQ(event.kind, EventKind::None);
  EXPECT_FALSE(event.in_place);
  EXPECT_TRUE(decoder.in_message());
  EXPECT_TRUE(in.empty());
  const std::string last = client_frame({.opcode = Opcode::Continuation, .payload = "!"});
  decoder.feed(as_span(last), event);
  ASSERT_EQ(event.kind, EventKind::Message);
  EXPECT_FALSE(event.in_place);
  EXPECT_EQ(event.data(), "ld!");
}

TEST(MessageDecoder, KeepsEveryLimitOnTheFastPath) {
  // A whole frame one byte over the limit, and one whose text breaks right after ASCII.
  const DecoderOptions small{.max_message_size = 64};
  for (bool in_place : {false, true}) {
    auto over = decode(client_frame({.payload = std::string(65, 'a')}), small, SIZE_MAX, in_place);
    ASSERT_EQ(over.size(), 1u);
    EXPECT_EQ(over[0].error, Error::MessageTooBig);
    auto at = decode(client_frame({.payload = std::string(64, 'a')}), small, SIZE_MAX, in_place);
    ASSERT_EQ(at.size(), 1u);
    EXPECT_EQ(at[0].kind, EventKind::Message);
    auto bad =
        decode(client_frame({.payload = std::string(20, 'a') + "\x80"}), {}, SIZE_MAX, in_place);
    ASSERT_EQ(bad.size(), 1u);
    EXPECT_EQ(bad[0].error, Error::InvalidUtf8);
    EXPECT_TRUE(bad[0].payload.empty());
  }
}

TEST(MessageDecoder, ReportsAtMostOneEventPerCallAndConsumesTheRestLater) {
  const std::string wire = client_frame({.payload = "a"}) + client_frame({.payload = "b"});
  MessageDecoder decoder;
  Event event;
  const size_t used = decoder.feed(as_span(wire), event);
  EXPECT_EQ(used, wire.size() / 2);
  EXPECT_EQ(event.payload, "a");
  EXPECT_EQ(decoder.feed(as_span(wire).subspan(used), event), wire.size() / 2);
  EXPECT_EQ(event.payload, "b");
  EXPECT_FALSE(decoder.in_message());
}

TEST(MessageDecoder, DiscardsInputOnceDone) {
  MessageDecoder decoder;
  Event event;
  const std::string bad = bytes({0x81, 0x00});  // unmasked
  decoder.feed(as_span(bad), event);
  ASSERT_TRUE(decoder.done());
  const std::string more = client_frame({.payload = "x"});
  EXPECT_EQ(decoder.feed(as_span(more), event), more.size());
  EXPECT_EQ(event.kind, EventKind::None);
}

TEST(MessageDecoder, HoldsMemoryOnlyForAMessageStillArriving) {
  MessageDecoder decoder;
  Event event;
  const std::string whole =
      client_frame({.opcode = Opcode::Binary, .payload = std::string(5000, 'x')});
  EXPECT_EQ(decoder.held_bytes(), 0u);
  decoder.feed(as_span(whole).first(2000), event);
  EXPECT_TRUE(decoder.in_message());
  EXPECT_GE(decoder.held_bytes(), 2000u - 8);
  decoder.feed(as_span(whole).subspan(2000), event);
  EXPECT_EQ(event.kind, EventKind::Message);
  EXPECT_FALSE(decoder.in_message());
  EXPECT_EQ(decoder.held_bytes(), 0u);
}

TEST(MessageDecoder, AbandoningFreesThePartialMessageAndDiscardsTheRest) {
  MessageDecoder decoder;
  Event event;
  const std::string whole =
      client_frame({.opcode = Opcode::Binary, .payload = std::string(5000, 'x')});
  decoder.feed(as_span(whole).first(3000), event);
  ASSERT_GT(decoder.held_bytes(), 0u);
  decoder.abandon();
  EXPECT_TRUE(decoder.done());
  EXPECT_FALSE(decoder.in_message());
  EXPECT_EQ(decoder.held_bytes(), 0u);
  EXPECT_EQ(decoder.feed(as_span(whole).subspan(3000), event), whole.size() - 3000);
  EXPECT_EQ(event.kind, EventKind::None);
}

}  // namespace
}  // namespace switchboard::ws
