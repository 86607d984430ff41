#include <switchboard/engineio/error.hpp>

#include <gtest/gtest.h>

namespace switchboard::engineio {
namespace {

struct ErrorCase {
  Error error;
  int code;
  const char* message;
  unsigned status;
};

constexpr ErrorCase error_cases[] = {
    {Error::TransportUnknown, 0, "Transport unknown", 400},
    {Error::SessionIdUnknown, 1, "Session ID unknown", 400},
    {Error::BadHandshakeMethod, 2, "Bad handshake method", 400},
    {Error::BadRequest, 3, "Bad request", 400},
    {Error::Forbidden, 4, "Forbidden", 403},
    {Error::UnsupportedProtocolVersion, 5, "Unsupported protocol version", 400},
};

class EngineIoError : public testing::TestWithParam<ErrorCase> {};

TEST_P(EngineIoError, KeepsItsWireCodeMessageAndStatus) {
  const auto& c = GetParam();
  EXPECT_EQ(static_cast<int>(c.error), c.code);
  EXPECT_EQ(error_message(c.error), c.message);
  EXPECT_EQ(http_status(c.error), c.status);
}

TEST_P(EngineIoError, HasAJsonBodyWithCodeAndMessage) {
  const auto& c = GetParam();
  const std::string expected =
      R"({"code":)" + std::to_string(c.code) + R"(,"message":")" + c.message + R"("})";
  EXPECT_EQ(error_body(c.error), expected);
}

TEST_P(EngineIoError, IsAFailureAsAnErrorCodeEvenForCodeZero) {
  const auto& c = GetParam();
  const boost::system::error_code ec = c.error;
  EXPECT_TRUE(ec.failed());
  EXPECT_TRUE(static_cast<bool>(ec));
  EXPECT_EQ(ec.value(), c.code);
  EXPECT_EQ(ec.message(), c.message);
  EXPECT_STREQ(ec.category().name(), "engineio");
}

INSTANTIATE_TEST_SUITE_P(AllCodes, EngineIoError, testing::ValuesIn(error_cases));

TEST(EngineIoError, AppendingTheBodyKeepsWhatWasThere) {
  std::string out = "x";
  append_error_body(out, Error::Forbidden);
  EXPECT_EQ(out, R"(x{"code":4,"message":"Forbidden"})");
}

TEST(EngineIoDecodeError, HasItsOwnCategoryAndMessages) {
  const boost::system::error_code ec = DecodeError::InvalidBase64;
  EXPECT_TRUE(ec.failed());
  EXPECT_STREQ(ec.category().name(), "engineio.decode");
  EXPECT_EQ(ec.message(), "invalid base64 in binary packet");
  EXPECT_NE(ec, boost::system::error_code(Error::Forbidden));
}

}  // namespace
}  // namespace switchboard::engineio
