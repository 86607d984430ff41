#pragma once
// A thin RAII layer over the SQLite C API: connection, prepared statements, error mapping.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "switchboard/store/error.hpp"

namespace switchboard::store::detail {

struct DbCloser {
  void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
/// An open connection; closed (and its statements finalised first) on destruction.
using DbHandle = std::unique_ptr<sqlite3, DbCloser>;

/// The `Errc` for a SQLite result code (primary or extended).
Errc errc_for(int rc) noexcept;

/// An error for `rc` on `db`: "<doing>: <sqlite message>[ (<errno text>)]".
Error sqlite_error(sqlite3* db, int rc, std::string_view doing);

/// Runs `sql` (one or more statements without results); nullopt on success.
std::optional<Error> exec(sqlite3* db, const char* sql, std::string_view doing);

/// A prepared statement, reused: `use()` returns a guard that resets it and clears its
/// bindings when the caller is done, so that no read transaction stays open.
class Statement {
 public:
  Statement() = default;
  /// Prepares `sql` on `db` (persistent: it is run many times).
  static Result<Statement> prepare(sqlite3* db, const char* sql);

  class Use {
   public:
    explicit Use(sqlite3_stmt* s) : s_(s) {}
    Use(const Use&) = delete;
    Use& operator=(const Use&) = delete;
    ~Use() {
      sqlite3_reset(s_);
      sqlite3_clear_bindings(s_);
    }
    Use& bind(int index, std::int64_t value);
    Use& bind(int index, std::string_view text);
    /// Steps once: SQLITE_ROW, SQLITE_DONE or an error code.
    int step() { return sqlite3_step(s_); }
    std::int64_t int64(int column) const { return sqlite3_column_int64(s_, column); }
    std::string text(int column) const;

   private:
    sqlite3_stmt* s_;
  };

  /// Starts one execution of the statement.
  Use use() { return Use(stmt_.get()); }

 private:
  struct Finalizer {
    void operator()(sqlite3_stmt* s) const noexcept { sqlite3_finalize(s); }
  };
  std::unique_ptr<sqlite3_stmt, Finalizer> stmt_;
};

}  // namespace switchboard::store::detail
