// The worker thread: group commit, bounded queue, draining on close, I/O errors as results.
#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "store_test_support.hpp"
#include "switchboard/store/message_store.hpp"

namespace switchboard::store {
namespace {

using test::Gate;
using test::open_store;
using test::TempDir;

TEST(GroupCommit, ConcurrentAppendsGetGaplessIdsPerRoomAndShareTransactions) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  const std::vector<std::string> rooms = {"red", "blue"};
  for (const auto& r : rooms) ASSERT_TRUE(store->ensure_room_sync(r, 10));

  constexpr int threads = 4, per_thread = 300;
  std::mutex mutex;
  std::map<std::string, std::vector<std::uint64_t>> acked;  // room -> ids, in callback order
  std::atomic<int> callbacks{0}, errors{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < threads; ++t) {
    clients.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        const std::string& room = rooms[(t + i) % rooms.size()];
        auto ec = store->append(room, "user " + std::to_string(t), std::to_string(i),
                                [&](Result<Message> m) {
                                  ++callbacks;
                                  if (!m) return void(++errors);
                                  std::lock_guard lock(mutex);
                                  acked[m->room].push_back(m->id);
                                });
        if (ec) ADD_FAILURE() << ec.message();
      }
    });
  }
  for (auto& c : clients) c.join();
  store->close();

  EXPECT_EQ(callbacks, threads * per_thread);
  EXPECT_EQ(errors, 0);
  for (const auto& r : rooms) {
    const auto& got = acked[r];
    // Callbacks come in commit order, so ids arrive already sorted: 1..N, no gap, no duplicate.
    ASSERT_EQ(got.size(), static_cast<std::size_t>(threads * per_thread / 2)) << r;
    for (std::size_t i = 0; i < got.size(); ++i) ASSERT_EQ(got[i], i + 1) << r;
  }
  const Stats stats = store->stats();
  EXPECT_EQ(stats.appended, static_cast<std::uint64_t>(threads * per_thread));
  EXPECT_LT(stats.transactions, stats.appended / 2) << "appends were not grouped";
}

TEST(GroupCommit, EverythingQueuedWhileTheWorkerIsBusyIsOneTransaction) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  ASSERT_TRUE(store->ensure_room_sync("lobby", 10));
  const auto before = store->stats().transactions;

  Gate gate;
  ASSERT_FALSE(store->rooms([&](auto) { gate.hold(); }));
  gate.wait_held();
  std::atomic<int> ok{0};
  for (int i = 0; i < 100; ++i) {
    ASSERT_FALSE(store->append("lobby", "Ada", "hi", [&](Result<Message> m) { ok += m ? 1 : 0; }));
  }
  gate.release();
  store->close();
  EXPECT_EQ(ok, 100);
  EXPECT_EQ(store->stats().transactions, before + 1);
}

TEST(GroupCommit, CallbacksRunOnTheWorkerThreadAndReadsSeePriorWrites) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  ASSERT_TRUE(store->ensure_room_sync("lobby", 10));
  std::thread::id append_thread, read_thread;
  std::vector<Message> seen;
  ASSERT_FALSE(store->append("lobby", "Ada", "first",
                             [&](auto) { append_thread = std::this_thread::get_id(); }));
  ASSERT_FALSE(store->history("lobby", 0, 10, [&](Result<std::vector<Message>> r) {
    read_thread = std::this_thread::get_id();
    seen = r.value();
  }));
  store->close();
  EXPECT_NE(append_thread, std::this_thread::get_id());
  EXPECT_EQ(append_thread, read_thread);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].text, "first");
}

// Queues `texts` (to `rooms`) while the worker is held, so that they form one batch.
std::vector<Result<Message>> append_as_one_batch(MessageStore& store,
                                                 const std::vector<std::string>& rooms,
                                                 const std::vector<std::string>& texts) {
  Gate gate;
  EXPECT_FALSE(store.rooms([&](auto) { gate.hold(); }));
  gate.wait_held();
  std::mutex mutex;
  std::vector<Result<Message>> results;
  for (std::size_t i = 0; i < rooms.size(); ++i) {
    EXPECT_FALSE(store.append(rooms[i], "Ada", texts[i], [&](Result<Message> m) {
      std::lock_guard lock(mutex);
      results.push_back(std::move(m));
    }));
  }
  gate.release();
  store.close();
  return results;
}

TEST(GroupCommit, AMissingRoomFailsOnlyItsOwnAppend) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  ASSERT_TRUE(store->ensure_room_sync("lobby", 10));
  const auto before = store->stats().transactions;
  auto results = append_as_one_batch(*store, {"lobby", "nowhere", "lobby"}, {"a", "b", "c"});
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]->id, 1u);
  EXPECT_EQ(results[1].error().code, Errc::RoomNotFound);
  EXPECT_EQ(results[2]->id, 2u);
  EXPECT_EQ(store->stats().transactions, before + 1);
}

TEST(GroupCommit, ALostTransactionFailsEveryWriteInIt) {
  TempDir dir;
  auto store = open_store({.dir = dir.path(), .max_db_bytes = 64 * 1024});
  ASSERT_TRUE(store->ensure_room_sync("lobby", 10));
  const std::string big(4000, 'x');
  std::vector<std::string> rooms(40, "lobby"), texts(40, big);
  rooms.push_back("nowhere"), texts.push_back("hi");
  auto results = append_as_one_batch(*store, rooms, texts);
  ASSERT_EQ(results.size(), 41u);
  for (std::size_t i = 0; i < 40; ++i) {
    ASSERT_FALSE(results[i]) << i;
    EXPECT_EQ(results[i].error().code, Errc::DiskFull) << results[i].error().message;
  }
  // Not reached when the batch failed: it gets the transaction's error.
  EXPECT_EQ(results[40].error().code, Errc::DiskFull);

  auto reopened = open_store({.dir = dir.path()});
  EXPECT_TRUE(reopened->history_sync("lobby", 0, 10)->empty());  // all or nothing
}

TEST(Backpressure, AFullQueueRefusesAtOnceAsOverloaded) {
  TempDir dir;
  auto store = open_store({.dir = dir.path(), .max_queue = 4});
  ASSERT_TRUE(store->ensure_room_sync("lobby", 10));
  Gate gate;
  ASSERT_FALSE(store->rooms([&](auto) { gate.hold(); }));
  gate.wait_held();

  std::atomic<int> answered{0};
  auto count = [&](auto) { ++answered; };
  for (int i = 0; i < 4; ++i) ASSERT_FALSE(store->append("lobby", "Ada", "hi", count)) << i;
  EXPECT_EQ(store->append("lobby", "Ada", "one too many", count), Errc::Overloaded);
  EXPECT_EQ(store->history("lobby", 0, 10, count), Errc::Overloaded);
  gate.release();
  store->close();

  EXPECT_EQ(answered, 4);  // refused requests never get a callback
  EXPECT_EQ(store->stats().overloaded, 2u);
  EXPECT_EQ(store->stats().appended, 4u);
}

TEST(Close, AnswersEveryAcceptedRequestThenRefusesNewOnes) {
  TempDir dir;
  auto store = open_store({.dir = dir.path()});
  ASSERT_TRUE(store->ensure_room_sync("lobby", 10));
  std::atomic<int> stored{0};
  for (int i = 0; i < 500; ++i) {
    ASSERT_FALSE(store->append("lobby", "Ada", std::to_string(i),
                               [&](Result<Message> m) { stored += m ? 1 : 0; }));
  }
  store->close();
  EXPECT_EQ(stored, 500);
  EXPECT_EQ(store->append("lobby", "Ada", "late", [](auto) {}), Errc::Closed);
  EXPECT_EQ(store->append_sync("lobby", "Ada", "late").error().code, Errc::Closed);
  store->close();  // idempotent

  auto reopened = open_store({.dir = dir.path()});
  auto last = reopened->history_sync("lobby", 0, 1);
  ASSERT_TRUE(last);
  EXPECT_EQ(last->front().id, 500u);
  EXPECT_EQ(last->front().text, "499");
}

TEST(DiskFull, AppendsFailAsResultsAndEarlierMessagesStayReadable) {
  TempDir dir;
  auto store = open_store({.dir = dir.path(), .max_db_bytes = 64 * 1024});
  ASSERT_TRUE(store->ensure_room_sync("lobby", 10));
  const std::string big(4000, 'x');
  std::uint64_t stored = 0;
  std::optional<Error> error;
  for (int i = 0; i < 100 && !error; ++i) {
    auto m = store->append_sync("lobby", "Ada", big);
    if (m) {
      ASSERT_EQ(m->id, ++stored);
    } else {
      error = m.error();
    }
  }
  ASSERT_TRUE(error) << "the size cap was never reached";
  EXPECT_EQ(error->code, Errc::DiskFull) << error->message;
  EXPECT_GT(stored, 0u);
  auto all = store->after_sync("lobby", 0, 200);
  ASSERT_TRUE(all) << all.error().message;
  EXPECT_EQ(all->size(), stored);  // the failed transaction left nothing behind
  EXPECT_GE(store->stats().failed, 1u);
  // Ids are not burnt by the failure: a short message that still fits takes the next id.
  auto small = store->append_sync("lobby", "Ada", "x");
  if (small) {
    EXPECT_EQ(small->id, stored + 1);
  }
}

}  // namespace
}  // namespace switchboard::store
