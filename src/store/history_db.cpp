#include "store/history_db.hpp"

#include <algorithm>
#include <filesystem>
#include <limits>

#include "store/schema.hpp"

namespace switchboard::store::detail {
namespace {

Error directory_error(const std::string& dir, const std::error_code& ec) {
  return {make_error_code(Errc::Unwritable),
          "cannot create data directory " + dir + ": " + ec.message()};
}

// Runs a one-row pragma and returns its text, or nullopt.
std::optional<std::string> pragma_text(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) return std::nullopt;
  std::optional<std::string> out;
  if (sqlite3_step(raw) == SQLITE_ROW) {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(raw, 0));
    out = p != nullptr ? p : "";
  }
  sqlite3_finalize(raw);
  return out;
}

}  // namespace

Result<HistoryDb> HistoryDb::open(const std::string& dir, std::uint64_t max_db_bytes) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return directory_error(dir, ec);
  if (!std::filesystem::is_directory(dir, ec)) {
    return directory_error(dir, std::make_error_code(std::errc::not_a_directory));
  }
  const std::string path = (std::filesystem::path(dir) / "switchboard.db").string();
  const std::string doing = "cannot open " + path;

  HistoryDb h;
  sqlite3* raw = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  const int rc = sqlite3_open_v2(path.c_str(), &raw, flags, nullptr);
  h.db_.reset(raw);
  if (rc != SQLITE_OK) return sqlite_error(raw, rc, doing);
  sqlite3* db = h.db_.get();
  sqlite3_extended_result_codes(db, 1);
  if (sqlite3_db_readonly(db, "main") == 1) {
    return Error{make_error_code(Errc::Unwritable), doing + ": the file is read-only"};
  }
  sqlite3_busy_timeout(db, 5000);  // another process holding the lock briefly (a backup)

  // WAL: readers never block the writer, and a commit appends to one file. synchronous=FULL
  // fsyncs the WAL at every commit, so an acknowledged message survives power loss
  // (NORMAL would only survive a crash of the process). Reading the mode back also
  // proves that the file is a database.
  const auto mode = pragma_text(db, "PRAGMA journal_mode = WAL");
  if (!mode) return sqlite_error(db, sqlite3_errcode(db), doing);
  if (*mode != "wal") {
    return Error{make_error_code(Errc::Io),
                 doing + ": cannot use WAL (journal mode " + *mode + ")"};
  }
  if (auto e = exec(db, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON", doing)) return *e;
  if (max_db_bytes > 0) {
    const auto page_size = pragma_text(db, "PRAGMA page_size");
    if (!page_size) return sqlite_error(db, sqlite3_errcode(db), doing);
    const std::uint64_t pages = std::max<std::uint64_t>(1, max_db_bytes / std::stoull(*page_size));
    const std::string sql = "PRAGMA max_page_count = " + std::to_string(pages);
    if (auto e = exec(db, sql.c_str(), doing)) return *e;
  }
  if (auto e = migrate(db, migrations())) {
    e->message = doing + ": " + e->message;
    return *e;
  }
  if (auto e = h.prepare_statements()) return *e;
  return h;
}

std::optional<Error> HistoryDb::prepare_statements() {
  struct Entry {
    Statement* stmt;
    const char* sql;
  };
  const Entry entries[] = {
      {&find_room_, "SELECT room_id, created_at FROM rooms WHERE name = ?1"},
      {&count_rooms_, "SELECT count(*) FROM rooms"},
      {&insert_room_, "INSERT INTO rooms (name, created_at) VALUES (?1, ?2)"},
      {&last_id_, "SELECT coalesce(max(id), 0) FROM messages WHERE room_id = ?1"},
      {&insert_message_,
       "INSERT INTO messages (room_id, id, user, text, ts, user_id) "
       "VALUES (?1, ?2, ?3, ?4, ?5, ?6)"},
      {&select_before_,
       "SELECT id, user, text, ts, user_id FROM messages WHERE room_id = ?1 AND id < ?2 "
       "ORDER BY id DESC LIMIT ?3"},
      {&select_after_,
       "SELECT id, user, text, ts, user_id FROM messages WHERE room_id = ?1 AND id > ?2 "
       "ORDER BY id LIMIT ?3"},
      {&select_rooms_, "SELECT name, created_at FROM rooms ORDER BY name"},
      {&has_messages_, "SELECT EXISTS (SELECT 1 FROM messages WHERE room_id = ?1)"},
      {&delete_messages_, "DELETE FROM messages WHERE room_id = ?1"},
      {&delete_room_, "DELETE FROM rooms WHERE room_id = ?1"},
      {&select_empty_rooms_,
       "SELECT name, created_at FROM rooms r WHERE created_at < ?1 AND NOT EXISTS "
       "(SELECT 1 FROM messages m WHERE m.room_id = r.room_id) ORDER BY name LIMIT 1000"},
      {&insert_user_, "INSERT INTO users (token_hash, name, created_at) VALUES (?1, ?2, ?3)"},
      {&rename_user_, "UPDATE users SET name = ?2 WHERE user_id = ?1 RETURNING created_at"},
      {&find_user_, "SELECT user_id, name, created_at FROM users WHERE token_hash = ?1"},
  };
  for (const Entry& e : entries) {
    auto s = Statement::prepare(db_.get(), e.sql);
    if (!s) return s.error();
    *e.stmt = std::move(*s);
  }
  return std::nullopt;
}

std::optional<Error> HistoryDb::begin(std::int64_t now_ms) {
  next_id_.clear();
  ts_ = std::max(now_ms, last_ts_);
  // IMMEDIATE takes the write lock now rather than at the first insert.
  return exec(db_.get(), "BEGIN IMMEDIATE", "cannot start a transaction");
}

Result<std::int64_t> HistoryDb::room_id(std::string_view room) {
  auto q = find_room_.use();
  const int rc = q.bind(1, room).step();
  if (rc == SQLITE_ROW) return q.int64(0);
  if (rc == SQLITE_DONE) return make_error(Errc::RoomNotFound);
  return sqlite_error(db_.get(), rc, "cannot read rooms");
}

Result<Message> HistoryDb::insert_message(std::string_view room, std::string_view user,
                                          std::string_view text, std::uint64_t user_id) {
  auto rid = room_id(room);
  if (!rid) return std::move(rid).error();
  auto next = next_id_.find(*rid);
  if (next == next_id_.end()) {
    auto q = last_id_.use();
    const int rc = q.bind(1, *rid).step();
    if (rc != SQLITE_ROW) return sqlite_error(db_.get(), rc, "cannot read messages");
    next = next_id_.emplace(*rid, q.int64(0) + 1).first;
  }
  const std::int64_t id = next->second;
  auto q = insert_message_.use();
  const int rc = q.bind(1, *rid)
                     .bind(2, id)
                     .bind(3, user)
                     .bind(4, text)
                     .bind(5, ts_)
                     .bind(6, static_cast<std::int64_t>(user_id))
                     .step();
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "cannot store a message");
  ++next->second;
  return Message{std::string(room),
                 static_cast<std::uint64_t>(id),
                 std::string(user),
                 std::string(text),
                 ts_,
                 user_id};
}

Result<User> HistoryDb::insert_user(std::string_view name, std::string_view token_hash) {
  auto q = insert_user_.use();
  const int rc = q.bind(1, token_hash).bind(2, name).bind(3, ts_).step();
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "cannot create a user");
  return User{static_cast<std::uint64_t>(sqlite3_last_insert_rowid(db_.get())), std::string(name),
              ts_};
}

Result<User> HistoryDb::rename_user(std::uint64_t id, std::string_view name) {
  auto q = rename_user_.use();
  const int rc = q.bind(1, static_cast<std::int64_t>(id)).bind(2, name).step();
  if (rc == SQLITE_DONE) return make_error(Errc::UserNotFound);
  if (rc != SQLITE_ROW) return sqlite_error(db_.get(), rc, "cannot rename a user");
  User user{id, std::string(name), q.int64(0)};
  // Finish the statement (RETURNING rows are produced before the update completes).
  while (q.step() == SQLITE_ROW) {
  }
  return user;
}

Result<User> HistoryDb::find_user(std::string_view token_hash) {
  auto q = find_user_.use();
  const int rc = q.bind(1, token_hash).step();
  if (rc == SQLITE_ROW) return User{static_cast<std::uint64_t>(q.int64(0)), q.text(1), q.int64(2)};
  if (rc == SQLITE_DONE) return make_error(Errc::UserNotFound);
  return sqlite_error(db_.get(), rc, "cannot read users");
}

Result<Room> HistoryDb::ensure_room(std::string_view name, std::size_t max_rooms) {
  {
    auto q = find_room_.use();
    const int rc = q.bind(1, name).step();
    if (rc == SQLITE_ROW) return Room{std::string(name), q.int64(1)};
    if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "cannot read rooms");
  }
  {
    auto q = count_rooms_.use();
    const int rc = q.step();
    if (rc != SQLITE_ROW) return sqlite_error(db_.get(), rc, "cannot read rooms");
    if (static_cast<std::uint64_t>(q.int64(0)) >= max_rooms) return make_error(Errc::TooManyRooms);
  }
  auto q = insert_room_.use();
  const int rc = q.bind(1, name).bind(2, ts_).step();
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "cannot create a room");
  return Room{std::string(name), ts_};
}

Result<bool> HistoryDb::delete_room(std::string_view name, bool only_if_empty) {
  auto rid = room_id(name);
  if (!rid) {
    if (rid.error().code == Errc::RoomNotFound) return false;
    return std::move(rid).error();
  }
  if (only_if_empty) {
    auto q = has_messages_.use();
    const int rc = q.bind(1, *rid).step();
    if (rc != SQLITE_ROW) return sqlite_error(db_.get(), rc, "cannot read messages");
    if (q.int64(0) != 0) return false;
  }
  for (Statement* stmt : {&delete_messages_, &delete_room_}) {
    auto q = stmt->use();
    const int rc = q.bind(1, *rid).step();
    if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "cannot delete a room");
  }
  next_id_.erase(*rid);
  return true;
}

std::optional<Error> HistoryDb::commit() {
  if (auto e = exec(db_.get(), "COMMIT", "cannot commit")) {
    rollback();
    return e;
  }
  last_ts_ = ts_;
  return std::nullopt;
}

void HistoryDb::rollback() {
  next_id_.clear();
  if (sqlite3_get_autocommit(db_.get()) == 0) {
    sqlite3_exec(db_.get(), "ROLLBACK", nullptr, nullptr, nullptr);
  }
}

Result<std::vector<Message>> HistoryDb::history(std::string_view room, std::uint64_t before_id,
                                                std::size_t limit) {
  const std::int64_t bound = before_id == 0 || before_id > std::numeric_limits<std::int64_t>::max()
                                 ? std::numeric_limits<std::int64_t>::max()
                                 : static_cast<std::int64_t>(before_id);
  return read_messages(select_before_, room, bound, limit, true);
}

Result<std::vector<Message>> HistoryDb::after(std::string_view room, std::uint64_t after_id,
                                              std::size_t limit) {
  const std::int64_t bound = after_id > std::numeric_limits<std::int64_t>::max()
                                 ? std::numeric_limits<std::int64_t>::max()
                                 : static_cast<std::int64_t>(after_id);
  return read_messages(select_after_, room, bound, limit, false);
}

Result<std::vector<Message>> HistoryDb::read_messages(Statement& stmt, std::string_view room,
                                                      std::int64_t bound, std::size_t limit,
                                                      bool reverse) {
  auto rid = room_id(room);
  if (!rid) return std::move(rid).error();
  std::vector<Message> out;
  auto q = stmt.use();
  q.bind(1, *rid).bind(2, bound).bind(3, static_cast<std::int64_t>(limit));
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) {
    out.push_back({std::string(room), static_cast<std::uint64_t>(q.int64(0)), q.text(1), q.text(2),
                   q.int64(3), static_cast<std::uint64_t>(q.int64(4))});
  }
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "cannot read messages");
  if (reverse) std::reverse(out.begin(), out.end());
  return out;
}

Result<Room> HistoryDb::find_room(std::string_view name) {
  auto q = find_room_.use();
  const int rc = q.bind(1, name).step();
  if (rc == SQLITE_ROW) return Room{std::string(name), q.int64(1)};
  if (rc == SQLITE_DONE) return make_error(Errc::RoomNotFound);
  return sqlite_error(db_.get(), rc, "cannot read rooms");
}

Result<std::vector<Room>> HistoryDb::empty_rooms(std::int64_t created_before_ms) {
  std::vector<Room> out;
  auto q = select_empty_rooms_.use();
  q.bind(1, created_before_ms);
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back({q.text(0), q.int64(1)});
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "cannot read rooms");
  return out;
}

Result<std::vector<Room>> HistoryDb::rooms() {
  std::vector<Room> out;
  auto q = select_rooms_.use();
  int rc;
  while ((rc = q.step()) == SQLITE_ROW) out.push_back({q.text(0), q.int64(1)});
  if (rc != SQLITE_DONE) return sqlite_error(db_.get(), rc, "cannot read rooms");
  return out;
}

}  // namespace switchboard::store::detail
