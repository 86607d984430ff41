#pragma once
// Private: connection state recovery (PROTOCOL.md §7). Sans-I/O: time is passed in.
//
// Each shard keeps, per namespace, a log of the recoverable packets in the order it delivered
// them: broadcasts (every shard logs every broadcast) and direct emits to its own sockets.
// Offsets name a log entry: "b<origin>.<n>" is the n-th broadcast emitted on shard `origin`,
// "d<shard>.<n>" the n-th direct emit of shard `shard`. Posts from one shard to another run in
// order, so every shard logs the broadcasts of one origin in the same order; the per-shard
// orders differ only between origins. So the broadcasts a client received on its old shard are
// described by one number per origin (a vector clock), and its new shard replays, from its
// own log, exactly those past that clock.

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/json/value.hpp>

namespace switchboard::engineio {
class PreparedPackets;
}

namespace switchboard::socketio::detail {

using Clock = std::chrono::steady_clock;
using PacketsPtr = std::shared_ptr<const engineio::PreparedPackets>;

/// An offset given by an adapter that keeps the packets (a Redis stream id, "<ms>-<seq>"):
/// ordered as the adapter delivers them. {0, 0} stands for none.
struct StreamOffset {
  std::uint64_t ms = 0;
  std::uint64_t seq = 0;
  /// Parses "<ms>-<seq>" (decimal); nullopt for anything else.
  static std::optional<StreamOffset> parse(std::string_view text);
  auto operator<=>(const StreamOffset&) const = default;
};

/// A socket being recovered from an adapter's store: packets delivered live while its missed
/// ones are read are held back, and those the replay already has are skipped.
struct AdapterReplay {
  /// The socket (a later one of the same id is another replay).
  const void* socket = nullptr;
  /// Where its replay starts.
  std::string after;
  bool holding = true;
  std::vector<std::pair<StreamOffset, PacketsPtr>> held;
  /// Packets at or before it are in the replay.
  StreamOffset horizon;
};

/// Which sockets a broadcast was for.
struct Selection {
  std::set<std::string> rooms;
  std::set<std::string> except;
  /// True when a socket in `socket_rooms` was selected.
  bool picks(const std::set<std::string>& socket_rooms) const;
};

/// The name of one logged packet.
struct OffsetKey {
  bool direct = false;
  std::uint32_t shard = 0;
  std::uint64_t n = 0;
  std::string text() const;
  /// Parses an offset from a client; nullopt when it is not one of ours.
  static std::optional<OffsetKey> parse(std::string_view text);
  bool operator==(const OffsetKey&) const = default;
};

struct LogEntry {
  OffsetKey key;
  PacketsPtr packets;
  /// The broadcast's selection; null for a direct emit.
  std::shared_ptr<const Selection> selection;
  /// The socket a direct emit was for.
  std::string target;
  Clock::time_point time;
};

/// One shard's log of one namespace, bounded in count and age.
class PacketLog {
 public:
  PacketLog(unsigned shards, std::size_t max_entries, Clock::duration max_age);

  /// Appends an entry; returns its position (positions only grow).
  std::uint64_t append(LogEntry entry);
  /// The position the next entry will get.
  std::uint64_t end() const { return base_ + entries_.size(); }
  /// The position of an entry, or nullopt when it is not (or no longer) in the log.
  std::optional<std::uint64_t> find(const OffsetKey& key) const;
  /// The key of the entry at `position`, or nullopt when it is gone.
  std::optional<OffsetKey> key_at(std::uint64_t position) const;

  /// What a client that received every entry before `position` (and none after) has of each
  /// origin's broadcasts; nullopt when entries it would need are gone.
  std::optional<std::vector<std::uint64_t>> clock_before(std::uint64_t position) const;
  /// The direct emits for `target` at or after `position`, oldest first.
  std::vector<PacketsPtr> directs_from(std::uint64_t position, const std::string& target) const;
  /// The broadcasts past `clock` that a socket in `rooms` would have got, oldest first;
  /// nullopt when some of them were already dropped from the log.
  std::optional<std::vector<PacketsPtr>> broadcasts_after(const std::vector<std::uint64_t>& clock,
                                                          const std::set<std::string>& rooms) const;
  /// Drops entries past the count or older than the age limit.
  void trim(Clock::time_point now);
  std::size_t size() const { return entries_.size(); }

 private:
  static std::uint64_t index_key(const OffsetKey& key);

  unsigned shards_;
  std::size_t max_entries_;
  Clock::duration max_age_;
  std::deque<LogEntry> entries_;
  std::uint64_t base_ = 0;
  std::unordered_map<std::uint64_t, std::uint64_t> index_;
  /// Per origin, the highest broadcast number dropped from the log.
  std::vector<std::uint64_t> dropped_;
};

/// What a socket leaves behind on an involuntary disconnection.
struct Session {
  /// The shard the socket left from (whose log it saw).
  unsigned shard = 0;
  std::string pid;
  std::string sid;
  std::set<std::string> rooms;
  boost::json::value data;
  /// The log's end when the socket left.
  std::uint64_t end = 0;
  /// The position of the first logged packet sent to the socket, if any.
  std::optional<std::uint64_t> first_sent;
  /// The last logged packet sent to the socket, if any.
  std::optional<OffsetKey> last_sent;
  Clock::time_point left;

  /// Where the client's copy of the log ends, given the last offset it saw (if any); nullopt
  /// when that offset is unknown.
  std::optional<std::uint64_t> received_until(const PacketLog& log,
                                              const std::optional<OffsetKey>& offset) const;
};

/// The sessions of one shard and namespace, by pid, forgotten after `max_age`.
class SessionStore {
 public:
  explicit SessionStore(Clock::duration max_age) : max_age_(max_age) {}
  void save(std::string pid, Session session);
  /// Removes and returns the session, unless unknown or expired.
  std::optional<Session> take(const std::string& pid, Clock::time_point now);
  void trim(Clock::time_point now);
  std::size_t size() const { return sessions_.size(); }

 private:
  Clock::duration max_age_;
  std::unordered_map<std::string, Session> sessions_;
  std::deque<std::pair<Clock::time_point, std::string>> order_;
};

}  // namespace switchboard::socketio::detail
