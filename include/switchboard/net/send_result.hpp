#pragma once

namespace switchboard::net {

/// What became of an outgoing message (backpressure is part of every send API).
enum class SendResult {
  /// Queued; the connection's outbound queue is under its soft limit.
  Sent,
  /// Queued, but the queue is over its soft limit: the peer is slow, send less.
  Buffered,
  /// Not queued: a volatile message over the soft limit, or the connection is closing or
  /// was closed for going over its hard limit.
  Dropped,
};

}  // namespace switchboard::net
