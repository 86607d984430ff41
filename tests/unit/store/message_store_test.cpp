#include "switchboard/store/message_store.hpp"

#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <functional>
#include <future>

#include <gtest/gtest.h>

#include "store_test_support.hpp"

namespace switchboard::store {
namespace {

using test::open_store;
using test::TempDir;

std::int64_t now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

std::vector<std::uint64_t> ids(const Result<std::vector<Message>>& messages) {
  std::vector<std::uint64_t> out;
  if (messages) {
    for (const auto& m : *messages) out.push_back(m.id);
  }
  return out;
}

std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (auto id = first; id <= last; ++id) out.push_back(id);
  return out;
}

class MessageStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    store_ = open_store({.dir = dir_.path()});
    ASSERT_TRUE(store_->ensure_room_sync("lobby", 100));
  }

  void fill(const std::string& room, int count) {
    for (int i = 1; i <= count; ++i) {
      ASSERT_TRUE(store_->append_sync(room, "Ada", "message " + std::to_string(i)));
    }
  }

  TempDir dir_;
  std::unique_ptr<MessageStore> store_;
};

TEST_F(MessageStoreTest, DeleteRoomRemovesTheRoomAndItsMessages) {
  fill("lobby", 3);
  auto deleted = store_->delete_room_sync("lobby", false);
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_TRUE(*deleted);
  EXPECT_EQ(store_->history_sync("lobby", 0, 10).error().code, Errc::RoomNotFound);
  EXPECT_FALSE(*store_->delete_room_sync("lobby", false));  // missing: nothing to delete
  // Created again, it starts afresh.
  ASSERT_TRUE(store_->ensure_room_sync("lobby", 100));
  EXPECT_EQ(store_->append_sync("lobby", "Ada", "again")->id, 1u);
}

TEST_F(MessageStoreTest, DeleteRoomIfEmptyKeepsARoomWithMessages) {
  fill("lobby", 1);
  ASSERT_TRUE(store_->ensure_room_sync("quiet", 100));
  EXPECT_FALSE(*store_->delete_room_sync("lobby", true));
  EXPECT_TRUE(*store_->delete_room_sync("quiet", true));
  EXPECT_EQ(ids(store_->history_sync("lobby", 0, 10)), range(1, 1));
}

TEST_F(MessageStoreTest, EmptyRoomsListsOnlyRoomsWithoutMessagesCreatedBefore) {
  ASSERT_TRUE(store_->ensure_room_sync("quiet", 100));
  fill("lobby", 1);
  auto wait_for = [&](auto submit) {
    std::promise<Result<std::vector<Room>>> p;
    auto f = p.get_future();
    EXPECT_FALSE(submit([&p](Result<std::vector<Room>> r) { p.set_value(std::move(r)); }));
    return f.get();
  };
  auto later = wait_for([&](auto cb) { return store_->empty_rooms(now_ms() + 1000, cb); });
  ASSERT_TRUE(later);
  ASSERT_EQ(later->size(), 1u);
  EXPECT_EQ(later->front().name, "quiet");
  auto earlier = wait_for([&](auto cb) { return store_->empty_rooms(0, cb); });
  EXPECT_TRUE(earlier && earlier->empty());
  std::promise<Result<Room>> found;
  ASSERT_FALSE(
      store_->find_room("nowhere", [&](Result<Room> r) { found.set_value(std::move(r)); }));
  EXPECT_EQ(found.get_future().get().error().code, Errc::RoomNotFound);
}

TEST_F(MessageStoreTest, AppendReturnsTheCommittedMessage) {
  const auto before = now_ms();
  auto m = store_->append_sync("lobby", "  Ada  ", "hello \xF0\x9F\x91\x8B");
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(m->room, "lobby");
  EXPECT_EQ(m->id, 1u);
  EXPECT_EQ(m->user, "Ada");  // normalised
  EXPECT_EQ(m->text, "hello \xF0\x9F\x91\x8B");
  EXPECT_GE(m->ts, before);
  EXPECT_LE(m->ts, now_ms());
  EXPECT_EQ(store_->history_sync("lobby", 0, 10)->front(), *m);
}

TEST_F(MessageStoreTest, TextRoundTripsByteForByte) {
  const std::string texts[] = {std::string("a\0b", 3), std::string(4000, 'x'), "line 1\nline 2",
                               "\xE2\x82\xAC\xF4\x8F\xBF\xBF", "'; DROP TABLE messages; --"};
  for (const auto& t : texts) ASSERT_TRUE(store_->append_sync("lobby", "Ada", t));
  auto stored = store_->after_sync("lobby", 0, 10);
  ASSERT_TRUE(stored);
  ASSERT_EQ(stored->size(), std::size(texts));
  for (std::size_t i = 0; i < std::size(texts); ++i) EXPECT_EQ((*stored)[i].text, texts[i]);
}

TEST_F(MessageStoreTest, IdsCountPerRoomIndependently) {
  ASSERT_TRUE(store_->ensure_room_sync("games", 100));
  const char* order[] = {"lobby", "games", "lobby", "lobby", "games"};
  const std::uint64_t expected[] = {1, 1, 2, 3, 2};
  for (std::size_t i = 0; i < std::size(order); ++i) {
    EXPECT_EQ(store_->append_sync(order[i], "Ada", "hi")->id, expected[i]) << i;
  }
  EXPECT_EQ(ids(store_->after_sync("lobby", 0, 10)), range(1, 3));
  EXPECT_EQ(ids(store_->after_sync("games", 0, 10)), range(1, 2));
}

struct PageCase {
  std::uint64_t from;
  std::size_t limit;
  std::vector<std::uint64_t> ids;
};

const PageCase history_pages[] = {
    {0, 10, range(16, 25)},  // the newest page
    {16, 10, range(6, 15)},  // the page before it
    {6, 10, range(1, 5)},    // the oldest, short page
    {1, 10, {}},             // nothing before the first
    {0, 1, {25}},
    {0, 200, range(1, 25)},
    {1000, 3, range(23, 25)},  // before an id not issued yet
};

const PageCase after_pages[] = {
    {0, 10, range(1, 10)}, {10, 10, range(11, 20)}, {20, 10, range(21, 25)}, {25, 10, {}},
    {1000, 10, {}},        {24, 1, {25}},           {0, 200, range(1, 25)},
};

TEST_F(MessageStoreTest, HistoryPagesBackwardsOldestFirst) {
  fill("lobby", 25);
  for (const auto& c : history_pages) {
    EXPECT_EQ(ids(store_->history_sync("lobby", c.from, c.limit)), c.ids)
        << "before " << c.from << " limit " << c.limit;
  }
}

TEST_F(MessageStoreTest, AfterPagesForwards) {
  fill("lobby", 25);
  for (const auto& c : after_pages) {
    EXPECT_EQ(ids(store_->after_sync("lobby", c.from, c.limit)), c.ids)
        << "after " << c.from << " limit " << c.limit;
  }
}

TEST_F(MessageStoreTest, ReadLimitsAreOneTo200) {
  const std::pair<std::size_t, bool> limits[] = {{0, false}, {1, true}, {200, true}, {201, false}};
  for (auto [limit, ok] : limits) {
    const std::error_code expected = ok ? std::error_code() : Errc::InvalidLimit;
    EXPECT_EQ(store_->history("lobby", 0, limit, [](auto) {}), expected) << limit;
    EXPECT_EQ(store_->after("lobby", 0, limit, [](auto) {}), expected) << limit;
  }
}

struct BadAppend {
  const char* room;
  std::string user;
  std::string text;
  Errc expected;
};

const BadAppend bad_appends[] = {
    {"Lobby", "Ada", "hi", Errc::InvalidRoomName},
    {"", "Ada", "hi", Errc::InvalidRoomName},
    {"lobby", "   ", "hi", Errc::InvalidName},
    {"lobby",
     "A\x01"
     "da",
     "hi", Errc::InvalidName},
    {"lobby", "Ada", " \n ", Errc::EmptyText},
    {"lobby", "Ada", "\xC0\xAF", Errc::InvalidUtf8},
    {"lobby", "Ada", std::string(4001, 'x'), Errc::TextTooLong},
};

TEST_F(MessageStoreTest, AppendRejectsInvalidInputAtOnceWithoutCallback) {
  for (const auto& c : bad_appends) {
    bool called = false;
    EXPECT_EQ(store_->append(c.room, c.user, c.text, [&](auto) { called = true; }), c.expected)
        << c.room << " / " << c.user << " / " << c.text.substr(0, 10);
    EXPECT_FALSE(called);
  }
  store_->close();
  EXPECT_EQ(store_->stats().appended, 0u);
}

TEST_F(MessageStoreTest, AMissingRoomIsAnErrorResult) {
  EXPECT_EQ(store_->append_sync("nowhere", "Ada", "hi").error().code, Errc::RoomNotFound);
  EXPECT_EQ(store_->history_sync("nowhere", 0, 10).error().code, Errc::RoomNotFound);
  EXPECT_EQ(store_->after_sync("nowhere", 0, 10).error().code, Errc::RoomNotFound);
}

TEST_F(MessageStoreTest, EnsureRoomCreatesOnceUpToTheMaximum) {
  auto lobby = store_->rooms_sync()->front();
  EXPECT_EQ(store_->ensure_room_sync("lobby", 2).value(), lobby);  // unchanged
  ASSERT_TRUE(store_->ensure_room_sync("games", 2));
  EXPECT_EQ(store_->ensure_room_sync("music", 2).error().code, Errc::TooManyRooms);
  EXPECT_TRUE(store_->ensure_room_sync("games", 2));  // existing rooms are still found
  EXPECT_EQ(store_->ensure_room("No Way", 2, [](auto) {}), Errc::InvalidRoomName);

  auto rooms = store_->rooms_sync();
  ASSERT_TRUE(rooms);
  ASSERT_EQ(rooms->size(), 2u);
  EXPECT_EQ((*rooms)[0].name, "games");  // by name
  EXPECT_EQ((*rooms)[1], lobby);
}

TEST_F(MessageStoreTest, ReopeningKeepsMessagesAndContinuesIds) {
  fill("lobby", 3);
  store_.reset();
  store_ = open_store({.dir = dir_.path()});
  EXPECT_EQ(ids(store_->after_sync("lobby", 0, 10)), range(1, 3));
  EXPECT_EQ(store_->append_sync("lobby", "Ada", "again")->id, 4u);
}

TEST_F(MessageStoreTest, TimestampsNeverGoBackwards) {
  fill("lobby", 20);
  auto all = store_->after_sync("lobby", 0, 200);
  for (std::size_t i = 1; i < all->size(); ++i) EXPECT_LE((*all)[i - 1].ts, (*all)[i].ts);
}

TEST_F(MessageStoreTest, AUserIsFoundByTokenHashKeepsItsIdAcrossRenamesAndReopening) {
  auto ada = store_->create_user_sync("  Ada ", "hash-a");
  auto bob = store_->create_user_sync("Ada", "hash-b");
  ASSERT_TRUE(ada && bob);
  EXPECT_EQ(ada->name, "Ada");  // normalised
  EXPECT_NE(ada->id, bob->id);  // one name, two people
  EXPECT_EQ(store_->find_user_sync("hash-b")->id, bob->id);
  EXPECT_EQ(store_->find_user_sync("nobody").error().code, Errc::UserNotFound);
  ASSERT_TRUE(store_->rename_user_sync(ada->id, "Ada L."));
  EXPECT_EQ(store_->rename_user_sync(999, "x").error().code, Errc::UserNotFound);
  EXPECT_EQ(store_->create_user_sync("", "hash-c").error().code, Errc::InvalidName);

  auto posted = store_->append_sync("lobby", "Ada L.", "hello");  // a guest
  std::promise<Result<Message>> by_user;
  ASSERT_FALSE(store_->append("lobby", ada->id, "Ada L.", "hi",
                              [&](Result<Message> m) { by_user.set_value(std::move(m)); }));
  EXPECT_EQ(by_user.get_future().get()->user_id, ada->id);
  EXPECT_EQ(posted->user_id, 0u);

  store_.reset();
  store_ = open_store({.dir = dir_.path()});
  auto again = store_->find_user_sync("hash-a");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id, ada->id);
  EXPECT_EQ(again->name, "Ada L.");
  auto history = store_->history_sync("lobby", 0, 10);
  ASSERT_EQ(history->size(), 2u);
  EXPECT_EQ((*history)[0].user_id, 0u);
  EXPECT_EQ((*history)[1].user_id, ada->id);
}

TEST(MessageStoreFiles, TheDatabaseIsInWalModeWithTheSchemaVersion) {
  TempDir dir;
  auto store = open_store({.dir = dir / "nested/data"});  // created with its parents
  EXPECT_EQ(store->path(), dir / "nested/data/switchboard.db");
  EXPECT_TRUE(std::filesystem::exists(dir / "nested/data/switchboard.db-wal"));
  sqlite3* db = nullptr;
  sqlite3_open(store->path().c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, nullptr);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 2);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

struct OpenCase {
  const char* what;
  std::function<Options(const TempDir&)> setup;
  Errc expected;
  const char* message_names;  // what the message must mention
};

void write_file(const std::string& path, std::string_view content) {
  std::ofstream(path, std::ios::binary) << content;
}

const OpenCase open_cases[] = {
    {"a data directory under a regular file",
     [](const TempDir& d) {
       write_file(d / "file", "x");
       return Options{.dir = d / "file/data"};
     },
     Errc::Unwritable, "file/data"},
    {"a file that is not a database",
     [](const TempDir& d) {
       write_file(d / "switchboard.db", std::string(8192, 'j'));
       return Options{.dir = d.path()};
     },
     Errc::Corrupt, "switchboard.db"},
    {"a database from a newer program",
     [](const TempDir& d) {
       sqlite3* db = nullptr;
       sqlite3_open((d / "switchboard.db").c_str(), &db);
       sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr);
       sqlite3_close(db);
       return Options{.dir = d.path()};
     },
     Errc::UnsupportedSchema, "99"},
    {"a full disk (a size cap of one page)",
     [](const TempDir& d) { return Options{.dir = d.path(), .max_db_bytes = 1}; }, Errc::DiskFull,
     "full"},
};

TEST(MessageStoreOpen, FailsWithAClearError) {
  for (const auto& c : open_cases) {
    TempDir dir;
    auto store = MessageStore::open(c.setup(dir));
    ASSERT_FALSE(store) << c.what;
    EXPECT_EQ(store.error().code, c.expected) << c.what << ": " << store.error().message;
    EXPECT_NE(store.error().message.find(c.message_names), std::string::npos)
        << c.what << ": " << store.error().message;
  }
}

TEST(MessageStoreOpen, FailsOnAReadOnlyDirectory) {
  if (geteuid() == 0) GTEST_SKIP() << "root writes anywhere";
  TempDir dir;
  std::filesystem::create_directory(dir / "ro");
  std::filesystem::permissions(
      dir / "ro", std::filesystem::perms::owner_read | std::filesystem::perms::owner_exec);
  auto store = MessageStore::open({.dir = dir / "ro"});
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().code, Errc::Unwritable) << store.error().message;
}

}  // namespace
}  // namespace switchboard::store
