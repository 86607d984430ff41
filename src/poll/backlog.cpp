#include "switchboard/poll/backlog.hpp"

#include <algorithm>
#include <charconv>

#include "switchboard/log/format.hpp"

namespace switchboard::poll {

Backlog::Backlog(std::size_t capacity) : capacity_(std::max<std::size_t>(capacity, 1)) {}

void Backlog::append(std::uint64_t id, std::shared_ptr<const std::string> data) {
  if (id <= last_id_) return;
  last_id_ = id;
  if (entries_.size() == capacity_) entries_.pop_front();
  entries_.push_back({id, std::move(data)});
}

std::vector<Entry> Backlog::after(std::uint64_t id) const {
  auto first = std::upper_bound(entries_.begin(), entries_.end(), id,
                                [](std::uint64_t v, const Entry& e) { return v < e.id; });
  return {first, entries_.end()};
}

bool Backlog::has_after(std::uint64_t id) const {
  return !entries_.empty() && id < last_id_;
}

std::string json_body(const Batch& batch) {
  std::string out = "{\"events\":[";
  for (std::size_t i = 0; i < batch.events.size(); ++i) {
    const auto& e = batch.events[i];
    if (i) out += ',';
    out += "{\"id\":";
    out += std::to_string(e.id);
    out += ",\"data\":";
    log::append_json_string(out, e.data ? std::string_view(*e.data) : std::string_view());
    out += '}';
  }
  out += "],\"last_id\":";
  out += std::to_string(batch.last_id);
  out += '}';
  return out;
}

std::optional<std::uint64_t> parse_after(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace switchboard::poll
