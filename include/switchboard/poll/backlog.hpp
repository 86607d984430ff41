#pragma once
/// The bounded event buffer behind long polling, and the answer it makes (sans-I/O).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace switchboard::poll {

/// One published event: its id and its payload (shared by every shard's backlog).
struct Entry {
  /// The event's id, increasing with every event of a topic.
  std::uint64_t id = 0;
  /// The payload (raw bytes; json_body() escapes it).
  std::shared_ptr<const std::string> data;
};

/// The last N events of a topic with increasing ids; not thread-safe (one per shard).
///
///     Backlog b(2);
///     b.append(1, x); b.append(2, y); b.append(3, z);  // x is evicted
///     b.after(1);  // [y, z]
class Backlog {
 public:
  /// Keeps the newest `capacity` events (at least one).
  explicit Backlog(std::size_t capacity);

  /// Adds an event; `id` must be greater than every id appended before (else ignored).
  void append(std::uint64_t id, std::shared_ptr<const std::string> data);
  /// The kept events with an id greater than `id`, oldest first (all kept ones when some
  /// after `id` were evicted; none when `id` is the newest or unknown).
  std::vector<Entry> after(std::uint64_t id) const;
  /// True when after(id) would return something.
  bool has_after(std::uint64_t id) const;
  /// The newest id (0 before any).
  std::uint64_t last_id() const { return last_id_; }
  /// The number of events kept.
  std::size_t size() const { return entries_.size(); }

 private:
  std::size_t capacity_;
  std::deque<Entry> entries_;
  std::uint64_t last_id_ = 0;
};

/// What a poll is answered with: the events after the client's id, and the newest id.
struct Batch {
  /// The events to send, oldest first (views: the entries must outlive the batch).
  std::span<const Entry> events;
  /// The newest id, which the client sends back as `after` on its next poll.
  std::uint64_t last_id = 0;
};

/// The default answer body: {"events":[{"id":N,"data":"..."},...],"last_id":N}, each data
/// as a JSON string.
std::string json_body(const Batch& batch);

/// Parses the `after` query value (decimal digits, at most 2^64-1); nullopt when invalid.
std::optional<std::uint64_t> parse_after(std::string_view text);

}  // namespace switchboard::poll
