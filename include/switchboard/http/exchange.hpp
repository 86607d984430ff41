#pragma once
/// One request and the way to answer it, possibly later (long polling), as a stream (SSE), or
/// by taking over the connection (WebSocket upgrade).

#include <functional>
#include <memory>
#include <string>

#include "switchboard/http/request.hpp"
#include "switchboard/http/response.hpp"
#include "switchboard/net/send_result.hpp"
#include "switchboard/net/stream.hpp"

namespace switchboard::net {
class Shard;
}

namespace switchboard::http {

namespace detail {
class Connection;
struct ExchangeState;
}  // namespace detail

/// A response body written piece by piece (chunked on HTTP/1.1). Lives on the connection's
/// shard; every call must be made there.
class ResponseStream {
 public:
  ResponseStream() = default;
  /// Writes one piece; Dropped once the client has gone or the queue is over its hard limit.
  net::SendResult write(std::string piece, bool is_volatile = false);
  /// Ends the body; the connection may then serve the next request.
  void end();
  /// True until the client goes away or end() is called.
  bool open() const;
  /// Runs fn once when the client goes away (not after end()).
  void on_close(std::function<void()> fn);
  explicit operator bool() const { return state_ != nullptr; }

 private:
  friend class Exchange;
  explicit ResponseStream(std::shared_ptr<detail::ExchangeState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::ExchangeState> state_;
};

/// A connection taken over from HTTP, with the bytes already read past the request.
struct Upgraded {
  std::unique_ptr<net::Stream> stream;
  std::string leftover;
};

/// A handle to a request in flight; cheap to copy. Answer exactly once: respond(),
/// start_stream() or upgrade(). All calls on the connection's shard.
class Exchange {
 public:
  explicit Exchange(std::shared_ptr<detail::ExchangeState> state) : state_(std::move(state)) {}

  Request& request();
  const Request& request() const;
  net::Shard& shard();
  /// Sends the response. Ignored when already answered or the client has gone.
  void respond(Response response);
  /// Sends the head (no Content-Length) and returns the stream for the body.
  ResponseStream start_stream(Response head);
  /// Detaches the connection from HTTP. The caller writes everything from now on.
  Upgraded upgrade();
  /// True once answered (or upgraded).
  bool answered() const;
  /// True once the client has closed its side or the connection failed.
  bool closed() const;
  /// Runs fn once if the client goes away before the answer is complete (a held long poll).
  void on_close(std::function<void()> fn);

 private:
  std::shared_ptr<detail::ExchangeState> state_;
};

}  // namespace switchboard::http
