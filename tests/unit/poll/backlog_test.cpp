#include "switchboard/poll/backlog.hpp"

#include <gtest/gtest.h>

namespace switchboard::poll {
namespace {

using Ids = std::vector<std::uint64_t>;

std::shared_ptr<const std::string> text(std::string s) {
  return std::make_shared<const std::string>(std::move(s));
}

Backlog filled(std::size_t capacity, std::uint64_t last) {
  Backlog b(capacity);
  for (std::uint64_t id = 1; id <= last; ++id) b.append(id, text("e" + std::to_string(id)));
  return b;
}

Ids ids(const std::vector<Entry>& entries) {
  Ids out;
  for (auto& e : entries) out.push_back(e.id);
  return out;
}

struct AfterCase {
  std::size_t capacity;
  std::uint64_t last;
  std::uint64_t after;
  Ids ids;
};

const AfterCase after_cases[] = {
    {8, 3, 0, {1, 2, 3}}, {8, 3, 2, {3}}, {8, 3, 3, {}}, {8, 3, 9, {}},  {2, 5, 0, {4, 5}},
    {2, 5, 3, {4, 5}},    {2, 5, 4, {5}}, {8, 0, 0, {}}, {0, 3, 1, {3}},  // capacity 0 keeps one
};

class BacklogAfter : public testing::TestWithParam<AfterCase> {};

TEST_P(BacklogAfter, ReturnsTheKeptEventsNewerThanTheId) {
  const auto& c = GetParam();
  auto b = filled(c.capacity, c.last);
  EXPECT_EQ(ids(b.after(c.after)), c.ids);
  EXPECT_EQ(b.has_after(c.after), !c.ids.empty());
}

INSTANTIATE_TEST_SUITE_P(Poll, BacklogAfter, testing::ValuesIn(after_cases));

TEST(PollBacklog, IsBoundedAndRemembersTheLastId) {
  auto b = filled(3, 50);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_EQ(b.last_id(), 50u);
}

TEST(PollBacklog, IgnoresIdsThatDoNotIncrease) {
  auto b = filled(8, 2);
  b.append(2, text("again"));
  b.append(1, text("older"));
  EXPECT_EQ(ids(b.after(0)), (Ids{1, 2}));
  EXPECT_EQ(*b.after(1).at(0).data, "e2");
}

TEST(PollJsonBody, ListsEventsAndTheLastId) {
  std::vector<Entry> events{{3, text("hi")}, {4, text("a \"quoted\"\nline\\")}};
  EXPECT_EQ(json_body({events, 4}),
            R"({"events":[{"id":3,"data":"hi"},{"id":4,"data":"a \"quoted\"\nline\\"}],)"
            R"("last_id":4})");
}

TEST(PollJsonBody, IsValidWhenEmpty) {
  EXPECT_EQ(json_body({{}, 7}), R"({"events":[],"last_id":7})");
}

TEST(PollParseAfter, TakesDecimalIdsOnly) {
  EXPECT_EQ(parse_after("0"), 0u);
  EXPECT_EQ(parse_after("123"), 123u);
  EXPECT_EQ(parse_after("18446744073709551615"), UINT64_MAX);
  for (const char* bad : {"", "abc", "-1", "+1", "1x", " 1", "1.5", "18446744073709551616"}) {
    EXPECT_EQ(parse_after(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace switchboard::poll
