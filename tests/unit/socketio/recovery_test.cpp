#include "socketio/recovery.hpp"

#include <gtest/gtest.h>

#include "switchboard/engineio/server.hpp"

namespace switchboard::socketio::detail {
namespace {

using namespace std::chrono_literals;

const Clock::time_point t0{};

PacketsPtr packets(const std::string& text) {
  return engineio::PreparedPackets::messages({{false, text}});
}

std::shared_ptr<const Selection> to(std::set<std::string> rooms,
                                    std::set<std::string> except = {}) {
  return std::make_shared<const Selection>(Selection{std::move(rooms), std::move(except)});
}

// A log of a two-shard server (origins 0, 1 and 2 = off the shards).
struct Log {
  PacketLog log{2, 100, 120s};
  std::map<std::string, PacketsPtr> sent;

  std::uint64_t broadcast(unsigned origin, std::uint64_t n, std::set<std::string> rooms = {},
                          Clock::time_point time = t0) {
    auto key = OffsetKey{.shard = origin, .n = n};
    auto p = packets(key.text());
    sent[key.text()] = p;
    return log.append({.key = key, .packets = p, .selection = to(std::move(rooms)), .time = time});
  }
  std::uint64_t direct(unsigned shard, std::uint64_t n, std::string target) {
    auto key = OffsetKey{.direct = true, .shard = shard, .n = n};
    auto p = packets(key.text());
    sent[key.text()] = p;
    return log.append({.key = key, .packets = p, .target = std::move(target), .time = t0});
  }
  std::vector<PacketsPtr> named(std::vector<std::string> keys) {
    std::vector<PacketsPtr> out;
    for (auto& k : keys) out.push_back(sent.at(k));
    return out;
  }
};

TEST(OffsetKey, RoundTripsAndRejectsWhatIsNotOurs) {
  for (auto key : {OffsetKey{.shard = 0, .n = 1}, OffsetKey{.direct = true, .shard = 3, .n = 255},
                   OffsetKey{.shard = 2, .n = (1ull << 48) - 1}}) {
    EXPECT_EQ(OffsetKey::parse(key.text()), key) << key.text();
  }
  EXPECT_EQ((OffsetKey{.shard = 1, .n = 26}.text()), "b1.1a");
  for (auto bad : {"", "b", "b1.", "x1.1", "b.1", "b1.zz", "b1.1.1", "b-1.1", "b1.10000000000000",
                   "b99999.1", "b1.1 "}) {
    EXPECT_FALSE(OffsetKey::parse(bad)) << bad;
  }
}

TEST(StreamOffset, ReadsAnAdaptersIdsInTheirOrderAndRejectsTheRest) {
  auto a = StreamOffset::parse("1700000000000-0");
  auto b = StreamOffset::parse("1700000000000-12");
  auto c = StreamOffset::parse("1700000000001-0");
  ASSERT_TRUE(a && b && c);
  EXPECT_LT(*a, *b);
  EXPECT_LT(*b, *c);
  EXPECT_EQ(StreamOffset::parse("0-0"), StreamOffset{});
  for (auto bad :
       {"", "-", "1-", "-1", "1", "1-1-1", "a-1", "1-1 ", "b1.1", "99999999999999999-0"}) {
    EXPECT_FALSE(StreamOffset::parse(bad)) << bad;
  }
}

TEST(Selection, PicksByRoomsAndExceptions) {
  std::set<std::string> socket{"a", "sid"};
  EXPECT_TRUE(to({})->picks(socket));
  EXPECT_TRUE(to({"b", "a"})->picks(socket));
  EXPECT_FALSE(to({"b"})->picks(socket));
  EXPECT_FALSE(to({}, {"a"})->picks(socket));
}

// Shard 0 logged b0.1 b1.1 b0.2 b1.2, shard 1 the same broadcasts as b1.1 b0.1 b1.2 b0.2.
// A client on shard 0 saw up to b0.2; on shard 1 it misses exactly b1.2.
TEST(PacketLog, AnotherShardReplaysWhatTheClientDidNotSee) {
  Log shard0, shard1;
  shard0.broadcast(0, 1);
  shard0.broadcast(1, 1);
  auto seen = shard0.broadcast(0, 2);
  shard0.broadcast(1, 2);
  shard1.broadcast(1, 1);
  shard1.broadcast(0, 1);
  shard1.broadcast(1, 2);
  shard1.broadcast(0, 2);

  auto clock = shard0.log.clock_before(seen + 1);
  ASSERT_TRUE(clock);
  EXPECT_EQ(*clock, (std::vector<std::uint64_t>{2, 1, 0}));
  auto missed = shard1.log.broadcasts_after(*clock, {"sid"});
  ASSERT_TRUE(missed);
  EXPECT_EQ(*missed, shard1.named({"b1.2"}));
  // The same on its own shard.
  EXPECT_EQ(*shard0.log.broadcasts_after(*clock, {"sid"}), shard0.named({"b1.2"}));
}

TEST(PacketLog, ReplaysOnlyBroadcastsForTheSocketsRooms) {
  Log log;
  log.broadcast(0, 1);
  log.broadcast(0, 2, {"news"});
  log.broadcast(0, 3, {"other"});
  log.broadcast(2, 1, {"news"});
  auto missed = log.log.broadcasts_after({0, 0, 0}, {"sid", "news"});
  ASSERT_TRUE(missed);
  EXPECT_EQ(*missed, log.named({"b0.1", "b0.2", "b2.1"}));
}

TEST(PacketLog, DirectEmitsAreReplayedToTheirSocketOnly) {
  Log log;
  auto first = log.direct(0, 1, "A");
  log.direct(0, 2, "B");
  log.broadcast(0, 1);
  log.direct(0, 3, "A");
  EXPECT_EQ(log.log.directs_from(first, "A"), log.named({"d0.1", "d0.3"}));
  EXPECT_EQ(log.log.directs_from(first + 1, "A"), log.named({"d0.3"}));
  // Direct emits do not count in the broadcast clock.
  EXPECT_EQ(*log.log.clock_before(log.log.end()), (std::vector<std::uint64_t>{1, 0, 0}));
}

TEST(PacketLog, DropsTheOldestPastItsLimitsAndSaysWhenTooMuchIsGone) {
  Log log;
  log.log = PacketLog(2, 3, 120s);
  for (std::uint64_t n = 1; n <= 5; ++n) log.broadcast(0, n);
  EXPECT_EQ(log.log.size(), 3u);
  EXPECT_FALSE(log.log.find({.shard = 0, .n = 2}));
  EXPECT_TRUE(log.log.find({.shard = 0, .n = 3}));
  // Missed b0.2, which is gone: no recovery. Missed only b0.3 onwards: fine.
  EXPECT_FALSE(log.log.broadcasts_after({1, 0, 0}, {"sid"}));
  EXPECT_EQ(*log.log.broadcasts_after({2, 0, 0}, {"sid"}), log.named({"b0.3", "b0.4", "b0.5"}));
  // A position before the log's start cannot be described.
  EXPECT_FALSE(log.log.clock_before(1));
  EXPECT_EQ(*log.log.clock_before(log.log.end()), (std::vector<std::uint64_t>{5, 0, 0}));

  Log aged;
  aged.broadcast(0, 1, {}, t0);
  aged.broadcast(0, 2, {}, t0 + 200s);
  EXPECT_EQ(aged.log.size(), 1u);
}

TEST(Session, KnowsWhereTheClientsCopyEnds) {
  Log log;
  auto p1 = log.broadcast(0, 1);
  auto p2 = log.broadcast(0, 2);
  log.broadcast(0, 3, {"elsewhere"});
  Session session{.end = log.log.end(), .first_sent = p1, .last_sent = OffsetKey{.n = 2}};
  // It saw the last packet sent to it: nothing missed here.
  EXPECT_EQ(session.received_until(log.log, OffsetKey{.n = 2}), log.log.end());
  EXPECT_EQ(session.received_until(log.log, OffsetKey{.n = 1}), p2);
  // It saw nothing: everything from the first packet sent to it.
  EXPECT_EQ(session.received_until(log.log, std::nullopt), p1);
  EXPECT_FALSE(session.received_until(log.log, OffsetKey{.n = 9}));
  Session quiet{.end = log.log.end()};
  EXPECT_EQ(quiet.received_until(log.log, std::nullopt), log.log.end());
}

TEST(SessionStore, GivesASessionBackOnceAndForgetsItAfterItsTime) {
  SessionStore store(120s);
  store.save("p1", Session{.sid = "a", .left = t0});
  store.save("p2", Session{.sid = "b", .left = t0 + 100s});
  auto found = store.take("p1", t0 + 10s);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->sid, "a");
  EXPECT_FALSE(store.take("p1", t0 + 10s));
  EXPECT_FALSE(store.take("p2", t0 + 221s));
  EXPECT_EQ(store.size(), 0u);
}

}  // namespace
}  // namespace switchboard::socketio::detail
