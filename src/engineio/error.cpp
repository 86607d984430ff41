#include <switchboard/engineio/error.hpp>

#include <charconv>
#include <string>

namespace switchboard::engineio {
namespace {

class HttpErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "engineio"; }
  std::string message(int ev) const override {
    if (ev < 0 || ev > static_cast<int>(Error::UnsupportedProtocolVersion)) {
      return "Unknown Engine.IO error";
    }
    return std::string(error_message(static_cast<Error>(ev)));
  }
  // Wire code 0 ("Transport unknown") is an error too, unlike the usual convention.
  bool failed(int) const noexcept override { return true; }
};

class DecodeErrorCategory final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "engineio.decode"; }
  std::string message(int ev) const override {
    switch (static_cast<DecodeError>(ev)) {
      case DecodeError::EmptyPacket:
        return "empty packet";
      case DecodeError::UnknownPacketType:
        return "unknown packet type";
      case DecodeError::InvalidBase64:
        return "invalid base64 in binary packet";
      case DecodeError::TooManyPackets:
        return "too many packets in payload";
      case DecodeError::PayloadTooLarge:
        return "payload too large";
    }
    return "unknown Engine.IO decode error";
  }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const HttpErrorCategory category;
  return category;
}

const boost::system::error_category& decode_error_category() noexcept {
  static const DecodeErrorCategory category;
  return category;
}

boost::system::error_code make_error_code(Error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

boost::system::error_code make_error_code(DecodeError e) noexcept {
  return {static_cast<int>(e), decode_error_category()};
}

std::string_view error_message(Error e) noexcept {
  switch (e) {
    case Error::TransportUnknown:
      return "Transport unknown";
    case Error::SessionIdUnknown:
      return "Session ID unknown";
    case Error::BadHandshakeMethod:
      return "Bad handshake method";
    case Error::BadRequest:
      return "Bad request";
    case Error::Forbidden:
      return "Forbidden";
    case Error::UnsupportedProtocolVersion:
      return "Unsupported protocol version";
  }
  return "Bad request";
}

unsigned http_status(Error e) noexcept {
  return e == Error::Forbidden ? 403 : 400;
}

void append_error_body(std::string& out, Error e) {
  char digits[16];
  const auto end = std::to_chars(digits, digits + sizeof digits, static_cast<int>(e)).ptr;
  out += R"({"code":)";
  out.append(digits, end);
  out += R"(,"message":")";
  out += error_message(e);  // fixed ASCII texts without quotes: no escaping needed
  out += "\"}";
}

std::string error_body(Error e) {
  std::string body;
  append_error_body(body, e);
  return body;
}

}  // namespace switchboard::engineio
