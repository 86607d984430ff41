#pragma once
/// The replay buffer behind Last-Event-ID: the last N formatted events with their ids.

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::sse {

/// A bounded log of events with increasing numeric ids, sans-I/O and not thread-safe (each
/// shard keeps its own copy; the bytes are shared).
///
///     EventLog log(2);
///     log.append(1, a); log.append(2, b); log.append(3, c);  // a is evicted
///     log.after(2);  // {Complete, [c]};  log.after(0): {Gap, [b, c]}
class EventLog {
 public:
  /// One logged event.
  struct Entry {
    /// Its id (what the client sends back as Last-Event-ID).
    std::uint64_t id = 0;
    /// The event's wire form, shared with every other shard's log.
    std::shared_ptr<const std::string> bytes;
  };
  /// How well a client that saw events up to some id can be caught up.
  enum class Resume {
    /// Every event after the id is still here (possibly none).
    Complete,
    /// Some events after the id were evicted; what is left is returned.
    Gap,
    /// The id was never issued (from a previous run, or not a number): nothing is returned.
    Unknown,
  };
  /// What after() found.
  struct Replay {
    /// How complete `entries` is.
    Resume resume = Resume::Complete;
    /// The events to send again, oldest first.
    std::vector<Entry> entries;
  };

  /// Keeps at most `capacity` events (0 keeps none but still tracks the last id).
  explicit EventLog(std::size_t capacity);

  /// Adds an event; `id` must be greater than every id appended before (else ignored).
  void append(std::uint64_t id, std::shared_ptr<const std::string> bytes);
  /// The events after `id`, oldest first.
  Replay after(std::uint64_t id) const;
  /// The events after a Last-Event-ID value (decimal digits; anything else is Unknown).
  Replay after(std::string_view last_event_id) const;
  /// The newest id appended (0 before any).
  std::uint64_t last_id() const { return last_id_; }
  /// The number of events kept.
  std::size_t size() const { return entries_.size(); }
  /// The most it keeps.
  std::size_t capacity() const { return capacity_; }

 private:
  std::size_t capacity_;
  std::deque<Entry> entries_;
  std::uint64_t last_id_ = 0;
  std::uint64_t evicted_up_to_ = 0;
};

/// Parses a decimal id (what Last-Event-ID and `after=` carry); nullopt when it is empty, not
/// all digits, or too large.
std::optional<std::uint64_t> parse_id(std::string_view text);

}  // namespace switchboard::sse
