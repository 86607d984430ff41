// The chat's Redis history against a real redis-server with `appendonly yes` and
// `appendfsync always` (the settings docs/deploy.md asks for): ids, paging, the bound, rooms,
// users, the publish made in the same step as the append, and Redis killed and restarted.
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "history.hpp"
#include "redis_server.hpp"
#include "switchboard/adapter/messages.hpp"
#include "switchboard/adapter/redis_client.hpp"

namespace app = switchboard::app;
namespace sa = switchboard::adapter;
using namespace std::chrono_literals;

namespace {

// redis-server on a fixed free port with its append-only file in a fresh directory, so that
// it can be killed (-9) and started again on the same port with the same data.
class Redis {
 public:
  Redis()
      : dir_(std::filesystem::temp_directory_path() / ("sb-redis-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    server_.add_args({"--appendonly", "yes", "--appendfsync", "always", "--dir", dir_.string(),
                      "--stream-node-max-entries", "4"});
  }
  ~Redis() {
    server_.stop();
    std::filesystem::remove_all(dir_);
  }
  std::uint16_t port() const { return server_.port(); }
  std::string url() const { return "redis://127.0.0.1:" + std::to_string(port()); }

  bool start() { return server_.start(); }
  /// SIGSTOP / SIGCONT: connections stay open, nothing answers.
  void pause() { server_.pause(); }
  void resume() { server_.resume(); }
  /// SIGKILL: a crash, nothing flushed that was not already.
  void kill() { server_.stop(); }

 private:
  std::filesystem::path dir_;
  switchboard::test::RedisServer server_;
};

// Blocking forms of the History calls (callbacks come on the history's thread).
struct Sync {
  app::History& h;

  std::pair<app::Error, app::ChatMessage> append(const std::string& room, const std::string& text,
                                                 app::Author who = {0, "ada"}) {
    std::promise<std::pair<app::Error, app::ChatMessage>> p;
    h.append(room, who, text, [&](app::Error e, app::ChatMessage m) { p.set_value({e, m}); });
    return p.get_future().get();
  }
  std::uint64_t post(const std::string& room, const std::string& text) {
    auto [error, m] = append(room, text);
    EXPECT_FALSE(error) << error->message;
    return m.id;
  }
  app::Error ensure(const std::string& room) {
    std::promise<app::Error> p;
    h.ensure_room(room, [&](app::Error e) { p.set_value(e); });
    return p.get_future().get();
  }
  app::Error find(const std::string& room) {
    std::promise<app::Error> p;
    h.find_room(room, [&](app::Error e) { p.set_value(e); });
    return p.get_future().get();
  }
  std::pair<app::Error, bool> remove(const std::string& room, bool only_if_empty) {
    std::promise<std::pair<app::Error, bool>> p;
    h.delete_room(room, only_if_empty, [&](app::Error e, bool d) { p.set_value({e, d}); });
    return p.get_future().get();
  }
  /// "deleted", "kept" or the error's message.
  std::string deleted(const std::string& room, bool only_if_empty) {
    auto [error, yes] = remove(room, only_if_empty);
    return error ? error->message : yes ? "deleted" : "kept";
  }
  std::vector<std::string> rooms() {
    std::promise<std::vector<std::string>> p;
    h.rooms([&](app::Error, std::vector<std::string> r) { p.set_value(r); });
    return p.get_future().get();
  }
  std::vector<std::string> empty_rooms(std::int64_t before) {
    std::promise<std::vector<std::string>> p;
    h.empty_rooms(before, [&](app::Error, std::vector<std::string> r) { p.set_value(r); });
    return p.get_future().get();
  }
  std::pair<app::Error, std::vector<app::ChatMessage>> read(bool forward, const std::string& room,
                                                            std::uint64_t id, std::size_t limit) {
    std::promise<std::pair<app::Error, std::vector<app::ChatMessage>>> p;
    auto cb = [&](app::Error e, std::vector<app::ChatMessage> m) { p.set_value({e, m}); };
    forward ? h.after(room, id, limit, cb) : h.recent(room, id, limit, cb);
    return p.get_future().get();
  }
  std::vector<std::uint64_t> ids(bool forward, const std::string& room, std::uint64_t id,
                                 std::size_t limit) {
    auto [error, list] = read(forward, room, id, limit);
    EXPECT_FALSE(error);
    std::vector<std::uint64_t> out;
    for (auto& m : list) out.push_back(m.id);
    return out;
  }
  std::pair<app::Error, app::Author> user(int op, std::string a, std::string b = {},
                                          std::uint64_t id = 0) {
    std::promise<std::pair<app::Error, app::Author>> p;
    auto cb = [&](app::Error e, app::Author u) { p.set_value({e, u}); };
    if (op == 0) h.create_user(a, b, cb);
    if (op == 1) h.find_user(a, cb);
    if (op == 2) h.rename_user(id, a, cb);
    return p.get_future().get();
  }
};

std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to) {
  std::vector<std::uint64_t> out;
  for (auto i = from; i <= to; ++i) out.push_back(i);
  return out;
}

class RedisHistoryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(redis.start()); }
  std::unique_ptr<app::History> open(std::size_t max_rooms = 10, std::uint64_t bound = 100'000,
                                     std::chrono::milliseconds command_timeout = 500ms) {
    std::string error;
    auto h = app::History::open_redis({.url = redis.url(),
                                       .max_rooms = max_rooms,
                                       .max_messages_per_room = bound,
                                       .command_timeout = command_timeout},
                                      error);
    EXPECT_TRUE(h) << error;
    return h;
  }
  Redis redis;
};

}  // namespace

TEST_F(RedisHistoryTest, IdsIncreasePerRoomAcrossTwoNodes) {
  auto one = open(), two = open();
  Sync a{*one}, b{*two};
  ASSERT_FALSE(a.ensure("lobby"));
  ASSERT_FALSE(b.ensure("lobby"));  // exists already: fine
  ASSERT_FALSE(b.ensure("other"));
  std::vector<std::uint64_t> lobby, other;
  for (int i = 0; i < 5; ++i) {
    lobby.push_back(a.post("lobby", "from one"));
    lobby.push_back(b.post("lobby", "from two"));
    other.push_back(b.post("other", "elsewhere"));
  }
  EXPECT_EQ(lobby, range(1, 10));
  EXPECT_EQ(other, range(1, 5));
  EXPECT_TRUE(one->publishes_appends());
}

TEST_F(RedisHistoryTest, PagesExactlyAfterAndBeforeAnId) {
  auto h = open();
  Sync s{*h};
  ASSERT_FALSE(s.ensure("lobby"));
  for (int i = 1; i <= 10; ++i) s.post("lobby", "m" + std::to_string(i));
  EXPECT_EQ(s.ids(true, "lobby", 3, 4), range(4, 7));
  EXPECT_EQ(s.ids(true, "lobby", 0, 200), range(1, 10));
  EXPECT_EQ(s.ids(true, "lobby", 10, 50), range(1, 0));
  EXPECT_EQ(s.ids(false, "lobby", 0, 3), range(8, 10));
  EXPECT_EQ(s.ids(false, "lobby", 8, 3), range(5, 7));
  EXPECT_EQ(s.ids(false, "lobby", 2, 50), range(1, 1));
  EXPECT_EQ(s.ids(false, "lobby", 1, 50), range(1, 0));
  EXPECT_EQ(s.ids(true, "nowhere", 0, 50), range(1, 0));  // never created: empty, not an error
  auto [error, list] = s.read(true, "lobby", 4, 1);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].text, "m5");
  EXPECT_EQ(list[0].user, "ada");
  EXPECT_EQ(list[0].room, "lobby");
  EXPECT_GT(list[0].ts, 0);
}

TEST_F(RedisHistoryTest, ARoomKeepsAtLeastItsBoundOfNewestMessages) {
  auto h = open(10, 10);
  Sync s{*h};
  ASSERT_FALSE(s.ensure("lobby"));
  for (int i = 1; i <= 60; ++i) s.post("lobby", "m" + std::to_string(i));
  EXPECT_EQ(s.ids(false, "lobby", 0, 10), range(51, 60));
  auto kept = s.ids(true, "lobby", 0, 200);
  EXPECT_GE(kept.size(), 10u);
  EXPECT_LT(kept.size(), 60u);  // trimmed
  EXPECT_EQ(kept.back(), 60u);
}

TEST_F(RedisHistoryTest, RoomsAreCreatedCountedListedAndDeleted) {
  auto h = open(3);
  Sync s{*h};
  using Kind = app::Failure::Kind;
  ASSERT_EQ(s.find("b")->kind, Kind::NotFound);
  ASSERT_FALSE(s.ensure("b"));
  ASSERT_FALSE(s.ensure("a"));
  ASSERT_FALSE(s.ensure("c"));
  EXPECT_EQ(s.ensure("d")->kind, Kind::Full);
  EXPECT_FALSE(s.find("b"));
  EXPECT_EQ((s.rooms()), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s.append("zz", "hi").first->kind, Kind::NotFound);
  EXPECT_EQ(s.append("Bad Name", "hi").first->kind, Kind::Invalid);
  EXPECT_EQ(s.append("a", "   ").first->kind, Kind::Invalid);
  s.post("a", "one");
  s.post("a", "two");
  // Only rooms without messages created before the time count as empty.
  EXPECT_EQ((s.empty_rooms(INT64_MAX)), (std::vector<std::string>{"b", "c"}));
  EXPECT_TRUE(s.empty_rooms(0).empty());
  EXPECT_EQ(s.deleted("a", true), "kept");
  EXPECT_EQ(s.deleted("a", false), "deleted");
  EXPECT_EQ(s.deleted("a", false), "kept");
  EXPECT_EQ(s.deleted("b", true), "deleted");
  EXPECT_EQ((s.rooms()), (std::vector<std::string>{"c"}));
  // Created again, a room goes on with higher ids: a client resuming from id 2 misses nothing.
  ASSERT_FALSE(s.ensure("a"));
  EXPECT_TRUE(s.ids(true, "a", 0, 50).empty());
  EXPECT_EQ(s.post("a", "three"), 3u);
}

TEST_F(RedisHistoryTest, UsersAreCreatedFoundAndRenamedFromAnyNode) {
  auto one = open(), two = open();
  Sync a{*one}, b{*two};
  auto [e1, ada] = a.user(0, "Ada", "hash-1");
  ASSERT_FALSE(e1);
  EXPECT_EQ(ada.id, 1u);
  auto [e2, bob] = b.user(0, "Bob", "hash-2");
  EXPECT_EQ(bob.id, 2u);
  auto [e3, found] = b.user(1, "hash-1");
  ASSERT_FALSE(e3);
  EXPECT_EQ(found.id, 1u);
  EXPECT_EQ(found.name, "Ada");
  EXPECT_FALSE(a.user(2, "Ada L", {}, 1).first);
  EXPECT_EQ(b.user(1, "hash-1").second.name, "Ada L");
  EXPECT_EQ(b.user(1, "nope").first->kind, app::Failure::Kind::NotFound);
  EXPECT_EQ(b.user(2, "X", {}, 99).first->kind, app::Failure::Kind::NotFound);
}

TEST_F(RedisHistoryTest, AnAppendIsPublishedAsAClassicAdapterBroadcastInTheSameStep) {
  auto h = open();
  Sync s{*h};
  ASSERT_FALSE(s.ensure("lobby"));
  boost::asio::io_context io;
  sa::RedisClient sub(io, {.port = redis.port()});
  std::vector<std::pair<std::string, std::string>> got;
  bool subscribed = false;
  sub.on_subscribed([&] { subscribed = true; });
  sub.on_message([&](std::string_view channel, std::string_view payload, std::string_view) {
    got.emplace_back(channel, payload);
  });
  sub.subscribe(sa::Subscription::Pattern, "socket.io#/chat#*");
  sub.start();
  auto until = [&](auto done) {
    for (int i = 0; i < 500 && !done(); ++i) io.run_one_for(10ms);
    return done();
  };
  ASSERT_TRUE(until([&] { return subscribed; }));
  auto [error, m] = s.append("lobby", "héllo", {7, "Ada"});
  ASSERT_FALSE(error);
  ASSERT_TRUE(until([&] { return got.size() == 1; }));
  EXPECT_EQ(got[0].first, "socket.io#/chat#lobby#");
  auto decoded = sa::decode_broadcast(got[0].second);
  ASSERT_TRUE(decoded) << decoded.error().message();
  EXPECT_EQ(decoded->uid, app::kHistoryPublisherUid);
  EXPECT_EQ(decoded->packet.type, switchboard::socketio::PacketType::Event);
  EXPECT_EQ(decoded->packet.nsp, "/chat");
  EXPECT_EQ(decoded->packet.data,
            (boost::json::array{"message", boost::json::object{{"id", m.id},
                                                               {"room", "lobby"},
                                                               {"user", "Ada"},
                                                               {"user_id", 7},
                                                               {"text", "héllo"},
                                                               {"ts", m.ts}}}));
  EXPECT_EQ(decoded->opts.rooms, std::vector<std::string>{"lobby"});
  EXPECT_TRUE(decoded->opts.except.empty());
  // A refused append publishes nothing.
  EXPECT_TRUE(s.append("missing", "x").first);
  s.post("lobby", "second");
  ASSERT_TRUE(until([&] { return got.size() == 2; }));
  EXPECT_EQ(sa::decode_broadcast(got[1].second)->packet.data.as_array()[1].at("id"), 2);
  sub.close();
}

TEST_F(RedisHistoryTest, NothingIsAcknowledgedWhileRedisIsAwayAndAllAcknowledgedSurviveKill9) {
  auto h = open();
  Sync s{*h};
  ASSERT_FALSE(s.ensure("lobby"));
  for (int i = 1; i <= 20; ++i) s.post("lobby", "before " + std::to_string(i));
  redis.kill();
  auto [error, m] = s.append("lobby", "while away");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, app::Failure::Kind::Unavailable);
  EXPECT_GE(error->retry_after, 1s);
  auto [read_error, list] = s.read(true, "lobby", 0, 50);
  ASSERT_TRUE(read_error);
  EXPECT_EQ(read_error->kind, app::Failure::Kind::Unavailable);

  ASSERT_TRUE(redis.start());  // same port, same append-only file
  const auto back = std::chrono::steady_clock::now();
  std::uint64_t id = 0;
  while (std::chrono::steady_clock::now() - back < 10s) {
    auto [e, again] = s.append("lobby", "after");
    if (!e) {
      id = again.id;
      break;
    }
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(id, 21u) << "not accepting within 10 s of Redis' return";
  EXPECT_EQ(s.ids(true, "lobby", 0, 200), range(1, 21));
}

TEST_F(RedisHistoryTest, AFrozenRedisIsAnsweredUnavailableInTimeAndUsedAgainWhenItThaws) {
  auto h = open();
  Sync s{*h};
  ASSERT_FALSE(s.ensure("lobby"));
  s.post("lobby", "one");
  redis.pause();
  const auto start = std::chrono::steady_clock::now();
  auto [error, m] = s.append("lobby", "frozen");
  ASSERT_TRUE(error);
  EXPECT_EQ(error->kind, app::Failure::Kind::Unavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  redis.resume();
  // The late answer to "frozen" is dropped; it was stored (id 2) but never acknowledged.
  EXPECT_EQ(s.post("lobby", "three"), 3u);
  EXPECT_EQ(s.ids(true, "lobby", 0, 50), range(1, 3));
}

// The service closes the history after its shards stopped and before they are destroyed:
// whatever still waits for Redis is answered inside close(), never later (a later callback
// would post to a destroyed shard).
TEST_F(RedisHistoryTest, CloseAnswersWhatWaitsForRedisBeforeItReturns) {
  auto h = open(10, 100'000, 30s);
  Sync s{*h};
  ASSERT_FALSE(s.ensure("lobby"));
  s.post("lobby", "one");
  redis.pause();
  std::atomic<bool> answered{false};
  std::atomic<bool> acknowledged{false};
  h->append("lobby", {0, "ada"}, "in flight", [&](app::Error e, app::ChatMessage) {
    acknowledged = !e;
    answered = true;
  });
  h->close();
  EXPECT_TRUE(answered);
  EXPECT_FALSE(acknowledged);
  redis.resume();
  h.reset();  // closing again (the destructor) is harmless
}
