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
  /// An empty handle (false): writes are dropped.
  ResponseStream() = default;
  /// Writes one piece; Dropped once the client has gone or the queue is over its hard limit.
  net::SendResult write(std::string piece, bool is_volatile = false);
  /// Ends the body (the last chunk); the connection may then serve the next request. Without
  /// chunking (HTTP/1.0) the connection closes. Idempotent.
  void end();
  /// True until the client goes away or end() is called.
  bool open() const;
  /// Runs fn once when the client goes away (not after end()).
  void on_close(std::function<void()> fn);
  /// False for a default-made stream (it belongs to no exchange).
  explicit operator bool() const { return state_ != nullptr; }

 private:
  friend class Exchange;
  explicit ResponseStream(std::shared_ptr<detail::ExchangeState> s) : state_(std::move(s)) {}
  std::shared_ptr<detail::ExchangeState> state_;
};

/// A connection taken over from HTTP, with the bytes already read past the request.
struct Upgraded {
  /// The connection, now the caller's; null when the upgrade was refused.
  std::unique_ptr<net::Stream> stream;
  /// Bytes the client sent after the request, to be read before the stream's.
  std::string leftover;
};

/// A handle to a request in flight; cheap to copy, and a copy may be kept past the handler
/// (it keeps the connection alive until answered). Answer exactly once: respond(),
/// start_stream() or upgrade(); later answers are ignored. All calls on the connection's shard.
class Exchange {
 public:
  /// Made by the server for each request; not for user code.
  explicit Exchange(std::shared_ptr<detail::ExchangeState> state) : state_(std::move(state)) {}

  /// The request (valid as long as any copy of this Exchange).
  Request& request();
  /// The request (valid as long as any copy of this Exchange).
  const Request& request() const;
  /// The shard the connection lives on, where every call to the exchange is made.
  net::Shard& shard();
  /// Sends the response. Ignored when already answered or the client has gone.
  void respond(Response response);
  /// Sends the head (no Content-Length; chunked on HTTP/1.1, else the connection closes after
  /// the body) and returns the stream for the body; an unusable stream when already answered
  /// or the client has gone.
  ResponseStream start_stream(Response head);
  /// Detaches the connection from HTTP: the caller owns the stream and writes everything from
  /// now on. Refused (a null stream) when already answered, the connection is closed, its body
  /// is still being read, or an earlier pipelined answer is still being written.
  Upgraded upgrade();

  /// True once answered (or upgraded).
  bool answered() const;
  /// True once the client has closed its side or the connection failed.
  bool closed() const;
  /// Runs fn once if the client goes away before the answer is complete (a held long poll);
  /// at once when it has already gone, never when the answer is complete.

  void on_close(std::function<void()> fn);

 private:
  std::shared_ptr<detail::ExchangeState> state_;
};

}  // namespace switchboard::http
