#include "switchboard/sse/event_log.hpp"

#include <gtest/gtest.h>

namespace switchboard::sse {
namespace {

std::shared_ptr<const std::string> bytes(std::uint64_t id) {
  return std::make_shared<const std::string>("id: " + std::to_string(id) + "\n\n");
}

EventLog filled(std::size_t capacity, std::uint64_t last) {
  EventLog log(capacity);
  for (std::uint64_t id = 1; id <= last; ++id) log.append(id, bytes(id));
  return log;
}

std::vector<std::uint64_t> ids(const EventLog::Replay& r) {
  std::vector<std::uint64_t> out;
  for (auto& e : r.entries) out.push_back(e.id);
  return out;
}

using Resume = EventLog::Resume;
using Ids = std::vector<std::uint64_t>;

struct ReplayCase {
  std::size_t capacity;
  std::uint64_t last;
  std::uint64_t after;
  Resume resume;
  Ids ids;
};

const ReplayCase replay_cases[] = {
    {4, 3, 0, Resume::Complete, {1, 2, 3}},  // nothing evicted yet
    {4, 3, 1, Resume::Complete, {2, 3}},
    {4, 3, 3, Resume::Complete, {}},           // up to date
    {4, 3, 4, Resume::Unknown, {}},            // never issued (a previous run)
    {3, 10, 7, Resume::Complete, {8, 9, 10}},  // exactly the oldest gap kept
    {3, 10, 8, Resume::Complete, {9, 10}},
    {3, 10, 6, Resume::Gap, {8, 9, 10}},  // 7 was evicted
    {3, 10, 0, Resume::Gap, {8, 9, 10}},
    {0, 5, 5, Resume::Complete, {}},  // keeps nothing, still knows the last id
    {0, 5, 4, Resume::Gap, {}},
    {0, 0, 0, Resume::Complete, {}},  // empty
};

class EventLogReplay : public testing::TestWithParam<ReplayCase> {};

TEST_P(EventLogReplay, ReturnsWhatFollowsTheId) {
  const auto& c = GetParam();
  auto log = filled(c.capacity, c.last);
  auto replay = log.after(c.after);
  EXPECT_EQ(replay.resume, c.resume);
  EXPECT_EQ(ids(replay), c.ids);
}

INSTANTIATE_TEST_SUITE_P(Sse, EventLogReplay, testing::ValuesIn(replay_cases));

TEST(SseEventLog, KeepsAtMostItsCapacity) {
  auto log = filled(3, 100);
  EXPECT_EQ(log.size(), 3u);
  EXPECT_EQ(log.capacity(), 3u);
  EXPECT_EQ(log.last_id(), 100u);
}

TEST(SseEventLog, SharesTheBytesItWasGiven) {
  EventLog log(2);
  auto b = bytes(1);
  log.append(1, b);
  EXPECT_EQ(log.after(0).entries.at(0).bytes, b);
}

TEST(SseEventLog, IgnoresIdsThatDoNotIncrease) {
  auto log = filled(4, 3);
  log.append(3, bytes(3));
  log.append(2, bytes(2));
  EXPECT_EQ(ids(log.after(0)), (Ids{1, 2, 3}));
}

TEST(SseEventLog, AcceptsIdsWithHolesWithoutReportingAGap) {
  EventLog log(4);
  log.append(5, bytes(5));
  log.append(9, bytes(9));
  auto replay = log.after(0);
  EXPECT_EQ(replay.resume, Resume::Complete);
  EXPECT_EQ(ids(replay), (Ids{5, 9}));
  EXPECT_EQ(ids(log.after(6)), (Ids{9}));
}

TEST(SseEventLog, ReadsLastEventIdText) {
  auto log = filled(4, 3);
  EXPECT_EQ(ids(log.after("1")), (Ids{2, 3}));
  for (const char* bad : {"", "x", "-1", "+1", "1.0", " 1", "1 ", "99999999999999999999999"}) {
    EXPECT_EQ(log.after(bad).resume, Resume::Unknown) << bad;
  }
}

TEST(SseParseId, TakesDecimalDigitsOnly) {
  EXPECT_EQ(parse_id("0"), 0u);
  EXPECT_EQ(parse_id("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parse_id("18446744073709551616"), std::nullopt);
  EXPECT_EQ(parse_id("0x10"), std::nullopt);
}

}  // namespace
}  // namespace switchboard::sse
