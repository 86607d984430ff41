#pragma once
// Private: when the message a connection is receiving must have arrived in full (sans-I/O: it
// is told, after every read, whether a message is under way and what time it is).

#include <chrono>
#include <optional>

namespace switchboard::ws::detail {

/// A peer that trickles a large message resets every idle timeout with each byte; this
/// bounds the whole message instead, from the read that brought its first frame's header to
/// its last byte.
class MessageDeadline {
 public:
  using Clock = std::chrono::steady_clock;

  /// `limit` 0: messages may take any time.
  explicit MessageDeadline(std::chrono::milliseconds limit) : limit_(limit) {}

  /// After a read: whether a message is being received now. True when one began (the
  /// deadline is new: a timer may need arming sooner).
  bool update(bool in_message, Clock::time_point now) {
    if (!in_message || limit_.count() <= 0) {
      due_.reset();
      return false;
    }
    if (due_) return false;
    due_ = now + limit_;
    return true;
  }
  /// When the message under way must be complete; nullopt when none is (or no limit).
  std::optional<Clock::time_point> due() const { return due_; }
  /// True when a message is under way and its time is up.
  bool passed(Clock::time_point now) const { return due_ && now >= *due_; }

 private:
  std::chrono::milliseconds limit_;
  std::optional<Clock::time_point> due_;
};

}  // namespace switchboard::ws::detail
