#pragma once
// The chat's view of the message store: asynchronous, callbacks on the store's thread (the
// caller posts results back to its shard).

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

class History {
 public:
  /// Opens (and migrates) the history under `dir`; nullptr with `error` set when it cannot.
  static std::unique_ptr<History> open(const std::string& dir, std::size_t max_rooms,
                                       std::uint64_t max_db_bytes, std::string& error);
  virtual ~History() = default;
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
