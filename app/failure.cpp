#include "failure.hpp"

#include <algorithm>

namespace switchboard::app {

namespace {

int status_of(Failure::Kind kind) {
  switch (kind) {
    case Failure::Kind::Invalid:
      return 400;
    case Failure::Kind::Unauthorized:
      return 401;
    case Failure::Kind::NotFound:
      return 404;
    case Failure::Kind::Forbidden:
      return 403;
    case Failure::Kind::Full:
      return 409;
    case Failure::Kind::Limited:
      return 429;
    case Failure::Kind::Unavailable:
      return 503;
  }
  return 500;
}

}  // namespace

http::Response to_response(const Failure& failure) {
  auto response = http::Response::error(status_of(failure.kind), failure.message);
  if (failure.temporary()) {
    // Retry-After is in whole seconds (RFC 9110 §10.2.3): round up, never 0.
    auto seconds = std::max<long long>(1, (failure.retry_after.count() + 999) / 1000);
    response.headers.set("Retry-After", std::to_string(seconds));
  }
  return response;
}

boost::json::object to_json(const Failure& failure) {
  boost::json::object out{
      {"ok", false}, {"error", failure.message}, {"retry", failure.temporary()}};
  if (failure.temporary())
    out["retry_after_ms"] = std::max<std::int64_t>(1, failure.retry_after.count());
  return out;
}

}  // namespace switchboard::app
