#include "switchboard/ws/error.hpp"

#include <gtest/gtest.h>

namespace switchboard::ws {
namespace {

TEST(CloseCode, WireValidityFollowsRfc6455Section7_4) {
  struct Range {
    int first, last;
    bool valid;
  };
  const Range ranges[] = {
      {0, 999, false},     {1000, 1003, true},  {1004, 1006, false}, {1007, 1014, true},
      {1015, 1015, false}, {1016, 2999, false}, {3000, 4999, true},  {5000, 65535, false},
  };
  for (const Range& r : ranges) {
    for (int code = r.first; code <= r.last; ++code) {
      ASSERT_EQ(is_valid_close_code_on_wire(static_cast<uint16_t>(code)), r.valid) << code;
    }
  }
}

TEST(Error, MapsEachDecoderFailureToItsCloseCode) {
  const std::pair<Error, CloseCode> table[] = {
      {Error::UnmaskedFrame, CloseCode::ProtocolError},
      {Error::MaskedFrame, CloseCode::ProtocolError},
      {Error::ReservedBits, CloseCode::ProtocolError},
      {Error::ReservedOpcode, CloseCode::ProtocolError},
      {Error::ControlFrameTooLong, CloseCode::ProtocolError},
      {Error::FragmentedControlFrame, CloseCode::ProtocolError},
      {Error::UnexpectedContinuation, CloseCode::ProtocolError},
      {Error::ExpectedContinuation, CloseCode::ProtocolError},
      {Error::NonMinimalLength, CloseCode::ProtocolError},
      {Error::LengthTooLarge, CloseCode::ProtocolError},
      {Error::BadClosePayload, CloseCode::ProtocolError},
      {Error::InvalidCloseCode, CloseCode::ProtocolError},
      {Error::InvalidUtf8, CloseCode::InvalidPayload},
      {Error::InvalidCloseReason, CloseCode::InvalidPayload},
      {Error::BadCompressedData, CloseCode::InvalidPayload},
      {Error::MessageTooBig, CloseCode::MessageTooBig},
      {Error::InflaterFailure, CloseCode::InternalError},
  };
  for (const auto& [error, code] : table) {
    EXPECT_EQ(close_code_for(error), code) << static_cast<int>(error);
    const std::error_code ec = error;
    EXPECT_EQ(ec.category().name(), std::string("switchboard.ws"));
    EXPECT_FALSE(ec.message().empty());
    EXPECT_TRUE(ec == error);
  }
}

}  // namespace
}  // namespace switchboard::ws
