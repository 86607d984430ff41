#include "store/schema.hpp"

#include <gtest/gtest.h>

#include "store/sqlite.hpp"
#include "store_test_support.hpp"

namespace switchboard::store::detail {
namespace {

using test::TempDir;

DbHandle open_db(const std::string& path) {
  sqlite3* raw = nullptr;
  sqlite3_open(path.c_str(), &raw);
  return DbHandle(raw);
}

bool has_table(sqlite3* db, const std::string& table) {
  const std::string sql =
      "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '" + table + "'";
  bool found = false;
  sqlite3_exec(
      db, sql.c_str(),
      [](void* f, int, char**, char**) { return *static_cast<bool*>(f) = true, 0; }, &found,
      nullptr);
  return found;
}

// A schema as a later version of the program could have it: the real steps, then one more.
const Migration with_a_third_step[] = {
    {"one", "CREATE TABLE one (x INTEGER)"},
    {"two", "CREATE TABLE two (x INTEGER)"},
    {"three", "CREATE TABLE three (x INTEGER)"},
};

struct MigrationCase {
  const char* what;
  int from_version;  // steps applied before the upgrade
  int to_version;    // steps the upgrading program knows
  std::vector<std::string> tables;
};

const MigrationCase migration_cases[] = {
    {"a new file goes to the latest version", 0, 3, {"one", "two", "three"}},
    {"version 1 gets steps 2 and 3", 1, 3, {"one", "two", "three"}},
    {"version 2 gets step 3 only", 2, 3, {"one", "two", "three"}},
    {"the latest version is left as it is", 3, 3, {"one", "two", "three"}},
    {"an older program may stop early", 0, 1, {"one"}},
};

TEST(Migrate, AppliesTheMissingStepsInOrder) {
  for (const auto& c : migration_cases) {
    TempDir dir;
    auto db = open_db(dir / "test.db");
    const std::span<const Migration> all(with_a_third_step);
    ASSERT_FALSE(migrate(db.get(), all.first(c.from_version))) << c.what;
    ASSERT_EQ(user_version(db.get()), c.from_version) << c.what;

    ASSERT_FALSE(migrate(db.get(), all.first(c.to_version))) << c.what;
    EXPECT_EQ(user_version(db.get()), c.to_version) << c.what;
    for (const auto& t : c.tables) EXPECT_TRUE(has_table(db.get(), t)) << c.what << ": " << t;
  }
}

TEST(Migrate, RefusesADatabaseFromANewerProgram) {
  TempDir dir;
  auto db = open_db(dir / "test.db");
  ASSERT_FALSE(migrate(db.get(), with_a_third_step));
  auto e = migrate(db.get(), std::span<const Migration>(with_a_third_step).first(2));
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code, Errc::UnsupportedSchema);
  EXPECT_NE(e->message.find("version 3"), std::string::npos) << e->message;
}

TEST(Migrate, AFailedStepLeavesThePreviousVersion) {
  TempDir dir;
  auto db = open_db(dir / "test.db");
  const Migration broken[] = {
      {"one", "CREATE TABLE one (x INTEGER)"},
      {"half done", "CREATE TABLE two (x INTEGER); THIS IS NOT SQL"},
  };
  auto e = migrate(db.get(), broken);
  ASSERT_TRUE(e);
  EXPECT_NE(e->message.find("schema version 2 (half done)"), std::string::npos) << e->message;
  EXPECT_EQ(user_version(db.get()), 1);
  EXPECT_TRUE(has_table(db.get(), "one"));
  EXPECT_FALSE(has_table(db.get(), "two"));  // rolled back with its step
}

TEST(Migrate, TheProgramsSchemaMigratesAVersion0File) {
  // A file made by another tool: a database without our tables, user_version 0.
  TempDir dir;
  auto db = open_db(dir / "test.db");
  ASSERT_FALSE(exec(db.get(), "CREATE TABLE notes (x TEXT)", "setup"));
  ASSERT_FALSE(migrate(db.get(), migrations()));
  EXPECT_EQ(user_version(db.get()), static_cast<int>(migrations().size()));
  EXPECT_TRUE(has_table(db.get(), "rooms"));
  EXPECT_TRUE(has_table(db.get(), "messages"));
  EXPECT_TRUE(has_table(db.get(), "notes"));
}

}  // namespace
}  // namespace switchboard::store::detail
