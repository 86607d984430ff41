#pragma once
/// What the history store keeps: rooms and the messages posted in them.

#include <cstdint>
#include <string>

namespace switchboard::store {

/// A chat room.
struct Room {
  std::string name;         ///< `[a-z0-9_-]{1,32}` (`valid_room_name`).
  std::int64_t created_at;  ///< Wall-clock milliseconds since the Unix epoch.

  friend bool operator==(const Room&, const Room&) = default;
};

/// A committed message. Ids increase strictly per room in commit order, starting at 1.
struct Message {
  std::string room;           ///< The room it was posted in.
  std::uint64_t id;           ///< Position in the room, given at commit.
  std::string user;           ///< The author's display name (`normalize_name`).
  std::string text;           ///< The text (`validate_text`).
  std::int64_t ts;            ///< Wall-clock milliseconds since the Unix epoch at commit.
  std::uint64_t user_id = 0;  ///< The author's `User::id`; 0 for a guest (no account).

  friend bool operator==(const Message&, const Message&) = default;
};

/// A registered chat user: a stable id and the current display name. The store keeps only a
/// hash of the user's secret token (the caller hashes it; see `create_user`).
struct User {
  std::uint64_t id = 0;         ///< Stable, from 1; never reused.
  std::string name;             ///< The display name (`normalize_name`); may change.
  std::int64_t created_at = 0;  ///< Wall-clock milliseconds since the Unix epoch.

  friend bool operator==(const User&, const User&) = default;
};

}  // namespace switchboard::store
