#pragma once
// Private: sans-I/O HTTP/1.1 request parsing under limits (Beast's parser underneath), so the
// connection shell only moves bytes and the rules can be tested and fuzzed without sockets.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "switchboard/http/request.hpp"

namespace switchboard::http::detail {

class RequestParser {
 public:
  enum class Status {
    /// Every byte was consumed; more are needed.
    NeedMore,
    /// The head is complete: route it, then set_body_limit() before feeding on.
    HeaderDone,
    /// The request is complete: take_request().
    Done,
    /// The request is malformed or over a limit: error_status() says how to answer.
    Error,
  };

  explicit RequestParser(std::size_t max_header_bytes);

  /// Consumes bytes from `in` until the next status change; returns how many it consumed.
  std::size_t feed(std::string_view in, Status& status);
  /// The head's method, target, decoded path (empty when undecodable) and version.
  std::string_view method() const;
  std::string_view target() const;
  const std::string& path() const { return path_; }
  /// Limits the body; false (and Error with 413) when Content-Length already exceeds it.
  bool set_body_limit(std::uint64_t limit);
  bool expects_continue() const;
  std::optional<std::uint64_t> content_length() const;
  bool done() const { return parser_.is_done(); }
  /// The answer to a malformed request: 400, 413 or 431.
  int error_status() const { return error_status_; }
  std::string_view error_message() const { return error_message_; }
  /// The complete request (method, target, path, query, version, headers, body, keep_alive).
  Request take_request();

 private:
  Status fail(int status, std::string_view message);
  Status check_head();

  boost::beast::http::request_parser<boost::beast::http::string_body> parser_;
  std::string path_;
  int error_status_ = 0;
  // Beast asks, after need_more, for the bytes it left plus more: fed the same bytes again it
  // breaks its own invariants (an assertion in debug builds). This is how many it was left.
  std::size_t starved_at_ = 0;
  std::string_view error_message_;
};

}  // namespace switchboard::http::detail
