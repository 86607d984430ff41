#pragma once
// The chat's view of the message store: asynchronous, callbacks on the store's thread (the
// caller posts results back to its shard).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "failure.hpp"

namespace switchboard::app {

/// Who posts: a registered user (id from 1) or a guest (id 0: a script over HTTP or the raw
/// WebSocket without a token, known only by the name it gives).
struct Author {
  std::uint64_t id = 0;
  std::string name;
  bool guest() const { return id == 0; }
  /// The key of this person for rate limits and presence: the id, or the guest's name.
  std::string key() const { return guest() ? "guest:" + name : "user:" + std::to_string(id); }
};

/// One stored message.
struct ChatMessage {
  std::uint64_t id = 0;
  std::string room;
  std::string user;  ///< the author's display name when posting
  std::string text;
  std::int64_t ts = 0;
  std::uint64_t user_id = 0;  ///< the author's id; 0 for a guest
  /// With --redis and recovery: the message's offset in /chat's recovery stream, read back
  /// with it (a message read from the history is delivered as recoverable as a live one).
  std::string offset;
};

/// {"id","room","user","user_id","text","ts"}: how every transport shows a message.
boost::json::object to_json(const ChatMessage& m);
std::string to_json_text(const ChatMessage& m);
/// The failure a store error means for a client: validation errors are `Invalid`, a missing
/// room `NotFound`, too many rooms `Full`, anything else (disk full, I/O, overload)
/// `Unavailable`.
Failure failure_of(const std::error_code& code, std::string message);

/// A list of messages as a JSON array of to_json() objects.
boost::json::array to_json(const std::vector<ChatMessage>& messages);

using MessagesCallback = std::function<void(Error, std::vector<ChatMessage>)>;

/// Where a clustered history lives (`switchboard serve --redis URL`).
struct RedisHistoryOptions {
  /// `redis://HOST[:PORT]`.
  std::string url;
  /// Rooms that may exist at most, counted in Redis (so across the cluster).
  std::size_t max_rooms = 1000;
  /// Each room's stream keeps at least this many of its newest messages (`XADD MAXLEN ~`).
  std::uint64_t max_messages_per_room = 100'000;
  /// The @socket.io/redis-adapter `key` option: messages are published on
  /// `<key>#/chat#<room>#`.
  std::string channel_key = "socket.io";
  /// Prefix of the history's own keys (`<prefix>rooms`, `<prefix>room:<name>:messages`, ...).
  std::string key_prefix = "switchboard:";
  /// A command Redis has not answered after this fails `Unavailable` (a frozen Redis or a
  /// half-open connection would otherwise leave the client waiting for ever). A late answer
  /// is dropped: an append that timed out may still have been stored, never acknowledged.
  std::chrono::milliseconds command_timeout{5000};
  /// Non-zero when /chat's Socket.IO connection state recovery is kept in Redis (the
  /// adapter's, decision 014): each message is then also appended to the recovery stream
  /// (bounded by this many packets) and published as a recoverable packet with its offset,
  /// so that a client recovering on any node gets the messages it missed.
  std::size_t recovery_max_packets = 0;
};

/// The uid of the publisher of every message the Redis history publishes. No node uses it as
/// its own, so every node (the publishing one included) delivers the message to its clients.
inline constexpr const char* kHistoryPublisherUid = "switchboard-history";

/// THE NO-DOUBLE-DELIVERY SWITCH. A history whose `publishes_appends()` is true (Redis)
/// publishes every appended message to the cluster in the same atomic step that stores it.
/// The cluster fan-out's receiving side delivers those messages on every node, the appending
/// one included, to every transport (docs/decisions/011-one-fan-out.md), so the chat does not
/// also deliver its own appends (see docs/decisions/012-redis-history.md).
inline constexpr bool kFanOutDeliversHistoryPublishes = true;

class History {
 public:
  /// Opens (and migrates) the history under `dir`; nullptr with `error` set when it cannot.
  static std::unique_ptr<History> open(const std::string& dir, std::size_t max_rooms,
                                       std::uint64_t max_db_bytes, std::string& error);
  /// The history in Redis: a stream per room, appended and published in one Lua script.
  /// Waits (at most 2 s) for a first connection; when Redis is not there yet it still returns
  /// the history, whose calls fail `Unavailable` until Redis answers. nullptr with `error` for
  /// a malformed URL.
  static std::unique_ptr<History> open_redis(const RedisHistoryOptions& options,
                                             std::string& error);
  virtual ~History() = default;
  /// Ends the history: what is in flight completes or fails and its callbacks run before
  /// `close` returns; none runs after. Called once the shards have stopped (nothing calls the
  /// history any more) and before they and the chat are destroyed: the callbacks reach both.
  virtual void close() = 0;
  /// True when `append` also publishes the message to the cluster (see
  /// kFanOutDeliversHistoryPublishes).
  virtual bool publishes_appends() const { return false; }
  /// Runs `fn` once the history takes writes: at once for SQLite; for Redis once it answers
  /// (on the history's own thread), never when the history closes first.
  virtual void when_ready(std::function<void()> fn) { fn(); }
  /// Stores a message; `done` gets it with its id once committed (durable), or an error.
  virtual void append(std::string room, Author author, std::string text,
                      std::function<void(Error, ChatMessage)> done) = 0;
  /// Creates a user named `name` found again by `token_hash`; `done(error, user)`.
  virtual void create_user(std::string name, std::string token_hash,
                           std::function<void(Error, Author)> done) = 0;
  /// Renames user `id`; `done(error, user)` (`NotFound` when there is none).
  virtual void rename_user(std::uint64_t id, std::string name,
                           std::function<void(Error, Author)> done) = 0;
  /// The user whose token hashes to `token_hash` (`NotFound` when none).
  virtual void find_user(std::string token_hash, std::function<void(Error, Author)> done) = 0;
  /// Up to `limit` messages before id `before` (0: the newest), oldest first.
  virtual void recent(std::string room, std::uint64_t before, std::size_t limit,
                      MessagesCallback done) = 0;
  /// Up to `limit` messages after id `after`, oldest first.
  virtual void after(std::string room, std::uint64_t after, std::size_t limit,
                     MessagesCallback done) = 0;
  virtual void rooms(std::function<void(Error, std::vector<std::string>)> done) = 0;
  /// Creates the room when missing (up to the maximum number of rooms: `Full`).
  virtual void ensure_room(std::string room, std::function<void(Error)> done) = 0;
  /// Whether the room exists (`NotFound` when not), creating nothing.
  virtual void find_room(std::string room, std::function<void(Error)> done) = 0;
  /// Deletes the room and its messages (with `only_if_empty`, only a room without any);
  /// `done(error, deleted)`.
  virtual void delete_room(std::string room, bool only_if_empty,
                           std::function<void(Error, bool)> done) = 0;
  /// Rooms without messages created before `created_before_ms` (wall clock).
  virtual void empty_rooms(std::int64_t created_before_ms,
                           std::function<void(Error, std::vector<std::string>)> done) = 0;
};

}  // namespace switchboard::app
