#include "switchboard/sse/error.hpp"

#include <string>

namespace switchboard::sse {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "sse"; }
  std::string message(int ev) const override {
    switch (static_cast<Error>(ev)) {
      case Error::InvalidId:
        return "event id contains CR, LF or NUL";
      case Error::InvalidEventName:
        return "event name contains CR or LF";
    }
    return "unknown SSE error";
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

}  // namespace switchboard::sse
