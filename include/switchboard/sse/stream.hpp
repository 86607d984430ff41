#pragma once
/// One open text/event-stream response: the shell around the formatter.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "switchboard/http/exchange.hpp"
#include "switchboard/net/send_result.hpp"
#include "switchboard/sse/event.hpp"

namespace switchboard::sse {

/// Settings of an event stream, with safe defaults.
struct StreamOptions {
  /// A comment is written when nothing else was for this long, so that proxies and clients
  /// do not time the stream out. Zero disables it.
  std::chrono::milliseconds heartbeat{15000};
  /// When set, a `retry:` field is sent first (the client's reconnection delay).
  std::optional<std::chrono::milliseconds> retry;
};

/// An event stream answering one request; lives on the request's shard and every call must be
/// made there. It ends when the client goes away, on close(), at shutdown (a Shard stop hook),
/// or when the client is too slow (the connection's write queue passes its hard limit).
///
///     server.router().get("/events", [](http::Exchange ex) {
///       auto stream = sse::Stream::open(ex);
///       stream->send({.data = "hello"});
///       keep(stream);  // the stream ends when the last reference goes
///     });
class Stream {
 public:
  /// Answers `ex` with the event-stream head (Content-Type: text/event-stream, Cache-Control:
  /// no-cache, X-Accel-Buffering: no) and starts the heartbeat. The stream ends when the last
  /// reference is dropped.
  /// When the exchange was already answered or its client has gone, the stream returned is
  /// already closed.
  static std::shared_ptr<Stream> open(http::Exchange ex, StreamOptions options = {});
  /// Ends the response when still open, without running the on_close callbacks.
  virtual ~Stream() = default;

  /// Writes bytes already in the event-stream format (from sse::format). Dropped once closed,
  /// or for a volatile write while the client is behind (over the queue's soft limit).
  virtual net::SendResult write(std::string_view bytes, bool is_volatile = false) = 0;
  /// Formats and writes one event; an error when the event cannot be formatted.
  boost::system::result<net::SendResult> send(const Event& e, bool is_volatile = false);
  /// Ends the response (the connection may serve another request). Idempotent.
  virtual void close() = 0;
  /// True until the stream has ended for any reason.
  virtual bool is_open() const = 0;
  /// Runs fn once when the stream ends (the client left, close(), shutdown, a slow client);
  /// at once when it already has; never when it ends because its last reference went.

  virtual void on_close(std::function<void()> fn) = 0;
};

/// The id of the last event the client saw: the Last-Event-ID header (sent by EventSource on
/// reconnection), else the `lastEventId` query parameter (for a first connection); nullopt
/// when neither is present.
std::optional<std::string> last_event_id(const http::Request& request);

}  // namespace switchboard::sse
