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

/// One stored message.
struct ChatMessage {
  std::uint64_t id = 0;
  std::string room;
  std::string user;
  std::string text;
  std::int64_t ts = 0;
};

/// {"id","room","user","text","ts"}: how every transport shows a message.
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
  virtual void append(std::string room, std::string user, std::string text,
                      std::function<void(Error, ChatMessage)> done) = 0;
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
