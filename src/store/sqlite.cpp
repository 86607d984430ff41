#include "store/sqlite.hpp"

#include <cstring>

namespace switchboard::store::detail {

Errc errc_for(int rc) noexcept {
  switch (rc & 0xFF) {
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH:
      return Errc::Unwritable;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Errc::Corrupt;
    case SQLITE_FULL:
      return Errc::DiskFull;
    default:
      return Errc::Io;
  }
}

Error sqlite_error(sqlite3* db, int rc, std::string_view doing) {
  std::string message(doing);
  message += ": ";
  message += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  // The OS error says why a file could not be opened or written ("Permission denied").
  const int os_errno = db != nullptr ? sqlite3_system_errno(db) : 0;
  if (os_errno != 0 && errc_for(rc) != Errc::Corrupt) {
    message += " (";
    message += std::strerror(os_errno);
    message += ")";
  }
  return {make_error_code(errc_for(rc)), std::move(message)};
}

std::optional<Error> exec(sqlite3* db, const char* sql, std::string_view doing) {
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, doing);
  return std::nullopt;
}

Result<Statement> Statement::prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db, rc, "cannot prepare a statement");
  Statement s;
  s.stmt_.reset(raw);
  return s;
}

Statement::Use& Statement::Use::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(s_, index, value);
  return *this;
}

Statement::Use& Statement::Use::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies the bytes; the view may not outlive the step.
  sqlite3_bind_text64(s_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  return *this;
}

std::string Statement::Use::text(int column) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, column));
  return p != nullptr ? std::string(p, sqlite3_column_bytes(s_, column)) : std::string();
}

}  // namespace switchboard::store::detail
