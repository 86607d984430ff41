#include <switchboard/socketio/error.hpp>

#include <string>

namespace switchboard::socketio {
namespace {

const char* describe(Error e) noexcept {
  switch (e) {
    case Error::EmptyPacket:
      return "empty packet";
    case Error::UnknownPacketType:
      return "unknown packet type";
    case Error::InvalidAttachmentCount:
      return "illegal attachments";
    case Error::TooManyAttachments:
      return "too many attachments";
    case Error::InvalidAckId:
      return "invalid ack id";
    case Error::InvalidJson:
      return "invalid JSON payload";
    case Error::InvalidPayload:
      return "invalid payload";
    case Error::ReservedEventName:
      return "reserved event name";
    case Error::MissingAckId:
      return "ack without id";
    case Error::InvalidPlaceholder:
      return "invalid attachment placeholder";
    case Error::UnexpectedText:
      return "text packet while reconstructing a binary packet";
    case Error::UnexpectedBinary:
      return "binary data without a binary packet";
  }
  return "unknown Socket.IO error";
}

class ErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "socketio"; }
  std::string message(int ev) const override { return describe(static_cast<Error>(ev)); }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const ErrorCategory category;
  return category;
}

boost::system::error_code make_error_code(Error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace switchboard::socketio
