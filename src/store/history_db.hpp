#pragma once
// The SQLite side of the store: one connection, used by the store's worker thread only.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/sqlite.hpp"
#include "switchboard/store/error.hpp"
#include "switchboard/store/message.hpp"

namespace switchboard::store::detail {

/// Rooms and messages in `<dir>/switchboard.db`. Not thread-safe: one thread at a time.
/// Writes happen inside `begin()` ... `commit()`; every write in between shares one fsync.
class HistoryDb {
 public:
  /// Creates `dir` if missing, opens the file in WAL mode with `synchronous=FULL`, migrates
  /// the schema. `max_db_bytes` caps the file size (0: no cap but the disk's).
  static Result<HistoryDb> open(const std::string& dir, std::uint64_t max_db_bytes);

  /// Starts a write transaction; `now_ms` is the timestamp of everything written in it
  /// (raised to the previous transaction's, so timestamps never go backwards).
  std::optional<Error> begin(std::int64_t now_ms);
  /// Adds a message to an existing room with the room's next id. Errors other than
  /// `RoomNotFound` leave the transaction unusable: the caller must `rollback()`.
  Result<Message> insert_message(std::string_view room, std::string_view user,
                                 std::string_view text, std::uint64_t user_id = 0);
  /// Adds a user with a new id (`token_hash` must be new: it is random).
  Result<User> insert_user(std::string_view name, std::string_view token_hash);
  /// Changes user `id`'s name (`UserNotFound` when there is none).
  Result<User> rename_user(std::uint64_t id, std::string_view name);
  /// The user whose token hashes to `token_hash`, or `UserNotFound`.
  Result<User> find_user(std::string_view token_hash);
  /// Returns the room, creating it unless `max_rooms` rooms exist (`TooManyRooms`).
  Result<Room> ensure_room(std::string_view name, std::size_t max_rooms);
  /// Deletes the room and its messages (with `only_if_empty`, only a room without messages);
  /// true when it was deleted.
  Result<bool> delete_room(std::string_view name, bool only_if_empty);
  /// Commits (one fsync of the WAL). On error the transaction is rolled back.
  std::optional<Error> commit();
  /// Abandons the transaction.
  void rollback();

  /// Up to `limit` messages with id < `before_id` (0: no bound), the newest ones, oldest first.
  Result<std::vector<Message>> history(std::string_view room, std::uint64_t before_id,
                                       std::size_t limit);
  /// Up to `limit` messages with id > `after_id`, oldest first.
  Result<std::vector<Message>> after(std::string_view room, std::uint64_t after_id,
                                     std::size_t limit);
  /// Every room, by name.
  Result<std::vector<Room>> rooms();
  /// The room, or `RoomNotFound`.
  Result<Room> find_room(std::string_view name);
  /// Up to 1000 rooms without messages created before `created_before_ms`, by name.
  Result<std::vector<Room>> empty_rooms(std::int64_t created_before_ms);

 private:
  HistoryDb() = default;
  std::optional<Error> prepare_statements();
  Result<std::int64_t> room_id(std::string_view room);
  Result<std::vector<Message>> read_messages(Statement& stmt, std::string_view room,
                                             std::int64_t bound, std::size_t limit, bool reverse);

  DbHandle db_;
  Statement find_room_, count_rooms_, insert_room_, last_id_, insert_message_;
  Statement select_before_, select_after_, select_rooms_;
  Statement has_messages_, delete_messages_, delete_room_, select_empty_rooms_;
  Statement insert_user_, rename_user_, find_user_;
  std::int64_t ts_ = 0;       // timestamp of the open transaction
  std::int64_t last_ts_ = 0;  // timestamp of the last committed one
  // Next id per room, valid inside the open transaction only (rolled-back ids are reused).
  std::unordered_map<std::int64_t, std::int64_t> next_id_;
};

}  // namespace switchboard::store::detail
