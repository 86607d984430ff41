#include "switchboard/client/error.hpp"

#include <string>

namespace switchboard::client {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "switchboard.client"; }
  std::string message(int value) const override {
    switch (static_cast<Error>(value)) {
      case Error::Timeout:
        return "timed out";
      case Error::Disconnected:
        return "disconnected";
      case Error::BadUrl:
        return "bad URL";
      case Error::HandshakeFailed:
        return "WebSocket handshake failed";
      case Error::BadAcceptKey:
        return "bad Sec-WebSocket-Accept";
      case Error::HttpStatus:
        return "unexpected HTTP status";
      case Error::ProtocolError:
        return "protocol error";
      case Error::ConnectRefused:
        return "namespace connection refused";
      case Error::Closed:
        return "closed";
    }
    return "unknown client error";
  }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const Category category;
  return category;
}

boost::system::error_code make_error_code(Error e) noexcept {
  return {static_cast<int>(e), error_category()};
}

}  // namespace switchboard::client
