#pragma once
// The database schema as an ordered list of migration steps; `PRAGMA user_version` records
// how many have been applied.

#include <optional>
#include <span>

#include <sqlite3.h>

#include "switchboard/store/error.hpp"

namespace switchboard::store::detail {

/// One step: `sql` takes a database from version N to N + 1 (its index + 1).
struct Migration {
  const char* description;
  const char* sql;
};

/// The steps of this program's schema; its version is their count.
std::span<const Migration> migrations();

/// Brings `db` up to `steps.size()`, one step per `BEGIN IMMEDIATE` transaction, so a failed
/// step leaves the database at the previous version. Also proves that the file is writable.
/// Errors: `Errc::UnsupportedSchema` when the file is newer than `steps`; SQLite errors.
std::optional<Error> migrate(sqlite3* db, std::span<const Migration> steps);

/// Reads `PRAGMA user_version`, or -1 on error.
int user_version(sqlite3* db);

}  // namespace switchboard::store::detail
