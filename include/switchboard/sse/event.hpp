#pragma once
/// The text/event-stream format (WHATWG HTML §9.2), sans-I/O: events and comments in, bytes out.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include <boost/system/result.hpp>

#include "switchboard/sse/error.hpp"

namespace switchboard::sse {

/// One event as the client's EventSource will see it. Views: the formatter copies nothing.
struct Event {
  /// The payload; CR LF, LF and CR each end a line and become separate `data:` lines, so the
  /// client sees them all as "\n". Empty data still makes an event (with data "").
  std::string_view data;
  /// The event type; empty means the client's default ("message"). No CR or LF.
  std::string_view event;
  /// The id the client will send back as Last-Event-ID; empty sends no `id:` field.
  /// No CR, LF or NUL.
  std::string_view id;
  /// Asks the client to wait this long before reconnecting.
  std::optional<std::chrono::milliseconds> retry;
};

/// Appends the wire form of `e` (ending with the blank line that dispatches it) to `out`.
/// Returns InvalidId / InvalidEventName and leaves `out` unchanged when a field cannot be sent.
///
///     std::string out;
///     sse::append_event(out, {.data = "a\nb", .event = "update", .id = "7"});
///     // "event: update\nid: 7\ndata: a\ndata: b\n\n"
boost::system::error_code append_event(std::string& out, const Event& e);
/// The wire form of `e`, or why it cannot be sent.
boost::system::result<std::string> format(const Event& e);
/// Appends a comment (": text\n" per line of `text`); clients ignore it. Used as heartbeat.
void append_comment(std::string& out, std::string_view text);
/// The wire form of a comment.
std::string comment(std::string_view text);
/// The wire form of a lone `retry:` field (reconnection delay), dispatching no event.
std::string retry(std::chrono::milliseconds delay);

}  // namespace switchboard::sse
