#include "socketio/recovery.hpp"

#include <algorithm>
#include <charconv>

namespace switchboard::socketio::detail {

namespace {

// Parses digits of `text` in `base` into `out`; the whole text must be a number.
template <class T>
bool parse_number(std::string_view text, T& out, int base) {
  if (text.empty() || text.size() > 16) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out, base);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

std::optional<StreamOffset> StreamOffset::parse(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  StreamOffset id;
  if (!parse_number(text.substr(0, dash), id.ms, 10) ||
      !parse_number(text.substr(dash + 1), id.seq, 10)) {
    return std::nullopt;
  }
  return id;
}

bool Selection::picks(const std::set<std::string>& socket_rooms) const {
  for (const auto& r : except) {
    if (socket_rooms.contains(r)) return false;
  }
  if (rooms.empty()) return true;
  return std::any_of(rooms.begin(), rooms.end(),
                     [&](const std::string& r) { return socket_rooms.contains(r); });
}

std::string OffsetKey::text() const {
  char hex[16];
  auto end = std::to_chars(hex, hex + sizeof hex, n, 16).ptr;
  std::string text(1, direct ? 'd' : 'b');
  text += std::to_string(shard);
  text += '.';
  text.append(hex, end);
  return text;
}

std::optional<OffsetKey> OffsetKey::parse(std::string_view text) {
  if (text.size() < 4 || (text[0] != 'b' && text[0] != 'd')) return std::nullopt;
  auto dot = text.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  OffsetKey key{.direct = text[0] == 'd'};
  if (!parse_number(text.substr(1, dot - 1), key.shard, 10) || key.shard > 0x7fff ||
      !parse_number(text.substr(dot + 1), key.n, 16) || key.n >> 48) {
    return std::nullopt;
  }
  return key;
}

PacketLog::PacketLog(unsigned shards, std::size_t max_entries, Clock::duration max_age)
    : shards_(shards), max_entries_(max_entries), max_age_(max_age), dropped_(shards + 1, 0) {}

std::uint64_t PacketLog::index_key(const OffsetKey& key) {
  return (std::uint64_t(key.direct) << 63) | (std::uint64_t(key.shard) << 48) | key.n;
}

std::uint64_t PacketLog::append(LogEntry entry) {
  auto position = end();
  index_[index_key(entry.key)] = position;
  auto now = entry.time;
  entries_.push_back(std::move(entry));
  trim(now);
  return position;
}

std::optional<std::uint64_t> PacketLog::find(const OffsetKey& key) const {
  auto it = index_.find(index_key(key));
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::optional<OffsetKey> PacketLog::key_at(std::uint64_t position) const {
  if (position < base_ || position >= end()) return std::nullopt;
  return entries_[position - base_].key;
}

std::optional<std::vector<std::uint64_t>> PacketLog::clock_before(std::uint64_t position) const {
  if (position < base_ || position > end()) return std::nullopt;
  // Dropped entries all come before `position`; the entries that remain are scanned from
  // `position` backwards: the first broadcast of each origin met is its latest.
  std::vector<std::uint64_t> clock = dropped_;
  std::vector<bool> found(clock.size(), false);
  std::size_t left = clock.size();
  for (auto i = position; i > base_ && left > 0; --i) {
    const auto& e = entries_[i - 1 - base_];
    if (e.key.direct || e.key.shard >= clock.size() || found[e.key.shard]) continue;
    found[e.key.shard] = true;
    clock[e.key.shard] = std::max(clock[e.key.shard], e.key.n);
    --left;
  }
  return clock;
}

std::vector<PacketsPtr> PacketLog::directs_from(std::uint64_t position,
                                                const std::string& target) const {
  std::vector<PacketsPtr> out;
  for (auto i = std::max(position, base_); i < end(); ++i) {
    const auto& e = entries_[i - base_];
    if (e.key.direct && e.target == target) out.push_back(e.packets);
  }
  return out;
}

std::optional<std::vector<PacketsPtr>> PacketLog::broadcasts_after(
    const std::vector<std::uint64_t>& clock, const std::set<std::string>& rooms) const {
  if (clock.size() != dropped_.size()) return std::nullopt;
  for (std::size_t o = 0; o < clock.size(); ++o) {
    if (dropped_[o] > clock[o]) return std::nullopt;  // a missed broadcast is gone
  }
  // Backwards until every origin reaches what the client has (each origin's broadcasts are in
  // order in every log).
  std::vector<PacketsPtr> out;
  std::vector<bool> reached(clock.size(), false);
  std::size_t left = clock.size();
  for (auto i = end(); i > base_ && left > 0; --i) {
    const auto& e = entries_[i - 1 - base_];
    if (e.key.direct || e.key.shard >= clock.size() || reached[e.key.shard]) continue;
    if (e.key.n <= clock[e.key.shard]) {
      reached[e.key.shard] = true;
      --left;
    } else if (e.selection && e.selection->picks(rooms)) {
      out.push_back(e.packets);
    }
  }
  std::reverse(out.begin(), out.end());
  return out;
}

void PacketLog::trim(Clock::time_point now) {
  while (!entries_.empty() &&
         (entries_.size() > max_entries_ || now - entries_.front().time > max_age_)) {
    const auto& e = entries_.front();
    if (!e.key.direct && e.key.shard < dropped_.size()) {
      dropped_[e.key.shard] = std::max(dropped_[e.key.shard], e.key.n);
    }
    index_.erase(index_key(e.key));
    entries_.pop_front();
    ++base_;
  }
}

std::optional<std::uint64_t> Session::received_until(const PacketLog& log,
                                                     const std::optional<OffsetKey>& offset) const {
  if (!offset) {
    // The client saw no logged packet: it missed everything sent to it.
    return first_sent ? *first_sent : end;
  }
  // The client saw the last packet sent to it: it missed nothing on this shard.
  if (last_sent && *offset == *last_sent) return end;
  auto at = log.find(*offset);
  if (!at) return std::nullopt;
  return *at + 1;
}

void SessionStore::save(std::string pid, Session session) {
  trim(session.left);
  order_.emplace_back(session.left, pid);
  sessions_[std::move(pid)] = std::move(session);
}

std::optional<Session> SessionStore::take(const std::string& pid, Clock::time_point now) {
  trim(now);
  auto it = sessions_.find(pid);
  if (it == sessions_.end()) return std::nullopt;
  auto session = std::move(it->second);
  sessions_.erase(it);
  return session;
}

void SessionStore::trim(Clock::time_point now) {
  while (!order_.empty() && now - order_.front().first > max_age_) {
    auto it = sessions_.find(order_.front().second);
    // A pid saved again later (a recovered socket lost again) has a newer entry of its own.
    if (it != sessions_.end() && it->second.left == order_.front().first) sessions_.erase(it);
    order_.pop_front();
  }
}

}  // namespace switchboard::socketio::detail
