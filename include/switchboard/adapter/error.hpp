#pragma once
/// Cluster adapter errors: malformed messages from the bus, requests that time out, a Redis
/// server that is away.

#include <type_traits>

#include <boost/system/error_code.hpp>

namespace switchboard::adapter {

/// Why a cluster message could not be read, or a cluster operation did not complete.
enum class Error : int {
  /// The bytes are not a well-formed msgpack or JSON message of the expected shape.
  MalformedMessage = 1,
  /// A msgpack value nests deeper than the decoder allows (kMaxDepth).
  NestingTooDeep,
  /// Bytes follow the end of the msgpack value.
  TrailingBytes,
  /// A cluster request did not get every expected answer in time.
  RequestTimeout,
  /// The Redis server cannot be reached (or the connection was lost before an answer).
  RedisUnavailable,
  /// Redis answered a command with an error reply.
  RedisError,
  /// The client was closed.
  Closed,
};

/// The category of `Error` (name "adapter").
const boost::system::error_category& error_category() noexcept;
/// Makes an error code for `e`.
boost::system::error_code make_error_code(Error e) noexcept;

}  // namespace switchboard::adapter

namespace boost::system {
template <>
struct is_error_code_enum<switchboard::adapter::Error> : std::true_type {};
}  // namespace boost::system
