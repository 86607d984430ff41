#pragma once
// Private: sans-I/O HTTP/1.1 request parsing under limits (RFC 9112), so the connection shell
// only moves bytes and the rules can be tested and fuzzed without sockets. The head is parsed
// in one pass once it is whole, straight into the Request (its fields into one buffer); the
// body (Content-Length or chunked) is appended to the Request as it arrives.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "switchboard/http/request.hpp"

namespace switchboard::http::detail {

class RequestParser {
 public:
  enum class Status {
    /// Every byte that can be used now was consumed; more are needed.
    NeedMore,
    /// The head is complete: route it, then set_body_limit() before feeding on.
    HeaderDone,
    /// The request is complete: take_request().
    Done,
    /// The request is malformed or over a limit: error_status() says how to answer.
    Error,
  };

  explicit RequestParser(std::size_t max_header_bytes) : max_header_bytes_(max_header_bytes) {}

  /// Consumes bytes from `in` until the next status change; returns how many it consumed.
  /// Bytes of an incomplete head are left unconsumed: feed them again with more behind them.
  std::size_t feed(std::string_view in, Status& status);
  /// The head's method, target and decoded path (empty when undecodable).
  std::string_view method() const { return req_.method; }
  std::string_view target() const { return req_.target; }
  const std::string& path() const { return req_.path; }
  /// Limits the body; false (and Error with 413) when Content-Length already exceeds it.
  bool set_body_limit(std::uint64_t limit);
  bool expects_continue() const { return expects_continue_; }
  std::optional<std::uint64_t> content_length() const { return content_length_; }
  bool done() const { return state_ == State::Done; }
  /// The answer to a malformed request: 400, 413, 431 or 501.
  int error_status() const { return error_status_; }
  std::string_view error_message() const { return error_message_; }
  /// The complete request (method, target, path, query, version, headers, body, keep_alive).
  Request take_request() { return std::move(req_); }

 private:
  enum class State : std::uint8_t {
    Head,
    Body,
    ChunkSize,
    ChunkData,
    ChunkDataEnd,
    Trailer,
    Done,
    Failed,
  };

  Status fail(int status, std::string_view message);
  std::size_t feed_head(std::string_view in, Status& status);
  Status parse_head(std::string_view head);
  std::size_t feed_chunked(std::string_view in, Status& status);

  Request req_;
  std::size_t max_header_bytes_;
  // How far the head was searched for its end, and how many lines that part holds.
  std::size_t scanned_ = 0;
  std::size_t lines_ = 0;
  std::uint64_t body_limit_ = UINT64_MAX;
  // Bytes left of the Content-Length body or of the current chunk.
  std::uint64_t remaining_ = 0;
  std::optional<std::uint64_t> content_length_;
  std::size_t trailer_bytes_ = 0;
  State state_ = State::Head;
  bool expects_continue_ = false;
  int error_status_ = 0;
  std::string_view error_message_;
};

}  // namespace switchboard::http::detail
