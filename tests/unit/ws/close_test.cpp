#include "switchboard/ws/close.hpp"

#include <gtest/gtest.h>

#include "switchboard/ws/utf8_validator.hpp"
#include "ws_test_util.hpp"

namespace switchboard::ws {
namespace {

using test::bytes;

TEST(Close, BuildsCodeThenReason) {
  EXPECT_EQ(close_payload(CloseCode::NormalClosure), bytes({0x03, 0xe8}));
  EXPECT_EQ(close_payload(CloseCode::GoingAway, "bye"), bytes({0x03, 0xe9}) + "bye");
  EXPECT_EQ(close_payload(static_cast<CloseCode>(4001), "x"), bytes({0x0f, 0xa1}) + "x");
}

TEST(Close, SendsNoPayloadForCodesThatNeverGoOnTheWire) {
  for (auto code : {CloseCode::NoStatus, CloseCode::Abnormal, CloseCode::TlsHandshake}) {
    EXPECT_EQ(close_payload(code, "ignored"), "");
  }
}

TEST(Close, TruncatesTheReasonOnACharacterBoundary) {
  const std::string euro = "\xe2\x82\xac";  // three bytes
  for (size_t ascii_prefix = 0; ascii_prefix < 3; ++ascii_prefix) {
    std::string reason(ascii_prefix, 'a');
    while (reason.size() < 200) reason += euro;
    const std::string payload = close_payload(CloseCode::PolicyViolation, reason);
    EXPECT_LE(payload.size(), 125u);
    EXPECT_GE(payload.size(), 123u);
    EXPECT_TRUE(is_valid_utf8(payload.substr(2))) << ascii_prefix;
    EXPECT_EQ(payload.substr(2), reason.substr(0, payload.size() - 2));
  }
  EXPECT_EQ(close_payload(CloseCode::NormalClosure, std::string(123, 'x')).size(), 125u);
}

TEST(Close, ParsesAndValidatesReceivedPayloads) {
  struct Case {
    std::string payload;
    std::error_code error;
    CloseCode code;
    std::string reason;
  };
  const Case cases[] = {
      {"", {}, CloseCode::NoStatus, ""},
      {bytes({0x03, 0xe8}), {}, CloseCode::NormalClosure, ""},
      {bytes({0x0b, 0xb8}) + "why", {}, static_cast<CloseCode>(3000), "why"},
      {bytes({0x03}), Error::BadClosePayload, {}, ""},
      {bytes({0x03, 0xed}), Error::InvalidCloseCode, {}, ""},
      {bytes({0x03, 0xe8, 0xc0, 0xaf}), Error::InvalidCloseReason, {}, ""},
  };
  for (const Case& c : cases) {
    CloseCode code{};
    std::string_view reason;
    EXPECT_EQ(parse_close_payload(c.payload, code, reason), c.error);
    if (c.error) continue;
    EXPECT_EQ(code, c.code);
    EXPECT_EQ(reason, c.reason);
  }
}

}  // namespace
}  // namespace switchboard::ws
