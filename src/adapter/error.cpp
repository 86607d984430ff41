#include "switchboard/adapter/error.hpp"

#include <string>

namespace switchboard::adapter {
namespace {

class Category final : public boost::system::error_category {
 public:
  const char* name() const noexcept override { return "adapter"; }
  std::string message(int ev) const override {
    switch (static_cast<Error>(ev)) {
      case Error::MalformedMessage:
        return "malformed cluster message";
      case Error::NestingTooDeep:
        return "msgpack value nested too deep";
      case Error::TrailingBytes:
        return "trailing bytes after the msgpack value";
      case Error::RequestTimeout:
        return "timeout reached while waiting for the cluster's answers";
      case Error::RedisUnavailable:
        return "Redis is unavailable";
      case Error::RedisError:
        return "Redis answered with an error";
      case Error::Closed:
        return "the Redis client is closed";
    }
    return "unknown adapter error";
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

}  // namespace switchboard::adapter
