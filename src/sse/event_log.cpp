#include "switchboard/sse/event_log.hpp"

#include <algorithm>
#include <charconv>

namespace switchboard::sse {

EventLog::EventLog(std::size_t capacity) : capacity_(capacity) {}

void EventLog::append(std::uint64_t id, std::shared_ptr<const std::string> bytes) {
  if (id <= last_id_) return;
  last_id_ = id;
  if (capacity_ == 0) {
    evicted_up_to_ = id;
    return;
  }
  if (entries_.size() == capacity_) {
    evicted_up_to_ = entries_.front().id;
    entries_.pop_front();
  }
  entries_.push_back({id, std::move(bytes)});
}

EventLog::Replay EventLog::after(std::uint64_t id) const {
  Replay replay;
  if (id > last_id_) {
    replay.resume = Resume::Unknown;
    return replay;
  }
  // Something after `id` is missing exactly when an event newer than `id` was evicted.
  if (id < evicted_up_to_) replay.resume = Resume::Gap;
  auto first = std::upper_bound(entries_.begin(), entries_.end(), id,
                                [](std::uint64_t v, const Entry& e) { return v < e.id; });
  replay.entries.assign(first, entries_.end());
  return replay;
}

EventLog::Replay EventLog::after(std::string_view last_event_id) const {
  if (auto id = parse_id(last_event_id)) return after(*id);
  return {Resume::Unknown, {}};
}

std::optional<std::uint64_t> parse_id(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace switchboard::sse
