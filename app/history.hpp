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
/// A list of messages as a JSON array of to_json() objects.
boost::json::array to_json(const std::vector<ChatMessage>& messages);

using Error = std::optional<std::string>;
using MessagesCallback = std::function<void(Error, std::vector<ChatMessage>)>;

class History {
 public:
  /// Opens (and migrates) the history under `dir`; nullptr with `error` set when it cannot.
  static std::unique_ptr<History> open(const std::string& dir, std::size_t max_rooms,
                                       std::string& error);
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
  /// Creates the room when missing (up to the maximum number of rooms).
  virtual void ensure_room(std::string room, std::function<void(Error)> done) = 0;
};

}  // namespace switchboard::app
