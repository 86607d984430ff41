#include "switchboard/ws/error.hpp"

#include <string>

namespace switchboard::ws {
namespace {

class Category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "switchboard.ws"; }
  std::string message(int value) const override;
};

std::string Category::message(int value) const {
  switch (static_cast<Error>(value)) {
    case Error::UnmaskedFrame:
      return "client frame is not masked";
    case Error::MaskedFrame:
      return "server frame is masked";
    case Error::ReservedBits:
      return "reserved bits set without a negotiated extension";
    case Error::ReservedOpcode:
      return "reserved opcode";
    case Error::ControlFrameTooLong:
      return "control frame payload longer than 125 bytes";
    case Error::FragmentedControlFrame:
      return "fragmented control frame";
    case Error::UnexpectedContinuation:
      return "continuation frame without a message";
    case Error::ExpectedContinuation:
      return "data frame inside a fragmented message";
    case Error::NonMinimalLength:
      return "payload length not minimally encoded";
    case Error::LengthTooLarge:
      return "64-bit payload length has its top bit set";
    case Error::BadClosePayload:
      return "close payload of one byte";
    case Error::InvalidCloseCode:
      return "close code not allowed on the wire";
    case Error::InvalidUtf8:
      return "text message is not valid UTF-8";
    case Error::InvalidCloseReason:
      return "close reason is not valid UTF-8";
    case Error::BadCompressedData:
      return "compressed payload does not inflate";
    case Error::MessageTooBig:
      return "message exceeds the size limit";
    case Error::InflaterFailure:
      return "inflater failed";
  }
  return "unknown websocket error";
}

}  // namespace

CloseCode close_code_for(Error error) {
  switch (error) {
    case Error::InvalidUtf8:
    case Error::InvalidCloseReason:
    case Error::BadCompressedData:
      return CloseCode::InvalidPayload;
    case Error::MessageTooBig:
      return CloseCode::MessageTooBig;
    case Error::InflaterFailure:
      return CloseCode::InternalError;
    default:
      return CloseCode::ProtocolError;
  }
}

const std::error_category& error_category() {
  static const Category category;
  return category;
}

std::error_code make_error_code(Error error) {
  return {static_cast<int>(error), error_category()};
}

}  // namespace switchboard::ws
