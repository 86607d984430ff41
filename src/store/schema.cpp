#include "store/schema.hpp"

#include <string>

#include "store/sqlite.hpp"

namespace switchboard::store::detail {
namespace {

// Rooms get a compact integer key; messages are clustered by (room, id) so that a page of
// history is one range scan (WITHOUT ROWID: the primary key is the table's b-tree).
constexpr Migration schema[] = {
    {"rooms and messages", R"sql(
CREATE TABLE rooms (
  room_id    INTEGER PRIMARY KEY,
  name       TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL
);
CREATE TABLE messages (
  room_id INTEGER NOT NULL REFERENCES rooms (room_id),
  id      INTEGER NOT NULL,
  user    TEXT NOT NULL,
  text    TEXT NOT NULL,
  ts      INTEGER NOT NULL,
  PRIMARY KEY (room_id, id)
) WITHOUT ROWID;
)sql"},
    // A user is found by the SHA-256 of a random secret token, never by the token itself.
    // Messages keep the name at posting time and the author's id (0: a guest).
    {"users", R"sql(
CREATE TABLE users (
  user_id    INTEGER PRIMARY KEY AUTOINCREMENT,
  token_hash TEXT NOT NULL UNIQUE,
  name       TEXT NOT NULL,
  created_at INTEGER NOT NULL
);
ALTER TABLE messages ADD COLUMN user_id INTEGER NOT NULL DEFAULT 0;
)sql"},
};

std::optional<Error> rollback_with(sqlite3* db, Error error) {
  if (sqlite3_get_autocommit(db) == 0) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  return error;
}

}  // namespace

std::span<const Migration> migrations() {
  return schema;
}

int user_version(sqlite3* db) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &raw, nullptr) != SQLITE_OK) return -1;
  const int version = sqlite3_step(raw) == SQLITE_ROW ? sqlite3_column_int(raw, 0) : -1;
  sqlite3_finalize(raw);
  return version;
}

std::optional<Error> migrate(sqlite3* db, std::span<const Migration> steps) {
  const int latest = static_cast<int>(steps.size());
  for (;;) {
    if (auto e = exec(db, "BEGIN IMMEDIATE", "cannot write to the database")) return e;
    const int version = user_version(db);
    if (version < 0) {
      return rollback_with(db, sqlite_error(db, sqlite3_errcode(db), "cannot read the schema"));
    }
    if (version > latest) {
      return rollback_with(db, {make_error_code(Errc::UnsupportedSchema),
                                "the database has schema version " + std::to_string(version) +
                                    ", newer than this program's " + std::to_string(latest)});
    }
    if (version == latest) {
      return exec(db, "COMMIT", "cannot write to the database");
    }
    const Migration& step = steps[version];
    const std::string doing = "migration to schema version " + std::to_string(version + 1) + " (" +
                              step.description + ") failed";
    const std::string set_version = "PRAGMA user_version = " + std::to_string(version + 1);
    if (auto e = exec(db, step.sql, doing)) return rollback_with(db, std::move(*e));
    if (auto e = exec(db, set_version.c_str(), doing)) return rollback_with(db, std::move(*e));
    if (auto e = exec(db, "COMMIT", doing)) return rollback_with(db, std::move(*e));
  }
}

}  // namespace switchboard::store::detail
