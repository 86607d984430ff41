// The acks a client socket waits for, on a manual clock: answered in time, timed out, answered
// too late, taken by a disconnection; and when the one timer must fire.
#include "client/pending_acks.hpp"

#include <gtest/gtest.h>

#include "support/manual_clock.hpp"

using namespace std::chrono_literals;
using switchboard::client::AckResult;
using switchboard::client::detail::PendingAcks;

namespace {

// Records what each ack's callback received: its first argument, or the error's message.
struct Results {
  PendingAcks::Callback expect(std::string name) {
    return [this, name](AckResult r) {
      got.push_back(name + ": " + (r ? r->values.at(0).as_string().c_str() : r.error().message()));
    };
  }
  std::vector<std::string> got;
};

switchboard::socketio::Args args(const char* value) {
  switchboard::socketio::Args a;
  a.values.emplace_back(value);
  return a;
}

// Calls each expired callback as the socket does.
void time_out(std::vector<PendingAcks::Callback> callbacks) {
  for (auto& c : callbacks) c(make_error_code(switchboard::client::Error::Timeout));
}

std::string timeout_message() {
  return make_error_code(switchboard::client::Error::Timeout).message();
}

}  // namespace

TEST(PendingAcks, an_answer_in_time_reaches_its_callback_once) {
  switchboard::test::ManualClock clock;
  PendingAcks acks;
  Results results;
  acks.add(0, results.expect("a"), 1000ms, clock.now());
  clock.advance(999ms);
  EXPECT_TRUE(acks.expire(clock.now()).empty());
  auto callback = acks.answer(0);
  ASSERT_TRUE(callback);
  callback(args("hi"));
  EXPECT_FALSE(acks.answer(0)) << "a second answer finds nothing";
  EXPECT_EQ(acks.next_deadline(), std::nullopt);
  EXPECT_EQ(results.got, (std::vector<std::string>{"a: hi"}));
}

TEST(PendingAcks, deadlines_expire_in_order_and_a_late_answer_finds_nothing) {
  switchboard::test::ManualClock clock;
  auto t0 = clock.now();
  PendingAcks acks;
  Results results;
  acks.add(0, results.expect("slow"), 3000ms, clock.now());
  acks.add(1, results.expect("fast"), 1000ms, clock.now());
  acks.add(2, results.expect("patient"), 0ms, clock.now());  // no deadline
  EXPECT_EQ(acks.next_deadline(), t0 + 1000ms);
  clock.advance(1000ms);
  time_out(acks.expire(clock.now()));
  EXPECT_EQ(results.got, (std::vector<std::string>{"fast: " + timeout_message()}));
  EXPECT_EQ(acks.next_deadline(), t0 + 3000ms);
  EXPECT_FALSE(acks.answer(1)) << "too late";
  clock.advance(1h);
  EXPECT_EQ(acks.expire(clock.now()).size(), 1u);  // "slow"; "patient" has no deadline
  EXPECT_EQ(acks.next_deadline(), std::nullopt);
  EXPECT_EQ(acks.size(), 1u);
  EXPECT_TRUE(acks.answer(2));
}

TEST(PendingAcks, a_disconnection_takes_every_ack_in_id_order) {
  switchboard::test::ManualClock clock;
  PendingAcks acks;
  Results results;
  acks.add(5, results.expect("b"), 1000ms, clock.now());
  acks.add(4, results.expect("a"), 0ms, clock.now());
  auto all = acks.take_all();
  ASSERT_EQ(all.size(), 2u);
  all[0](args("first"));
  all[1](args("second"));
  EXPECT_EQ(results.got, (std::vector<std::string>{"a: first", "b: second"}));
  EXPECT_EQ(acks.size(), 0u);
  EXPECT_EQ(acks.next_deadline(), std::nullopt);
  clock.advance(1h);
  EXPECT_TRUE(acks.expire(clock.now()).empty());
}

TEST(PendingAcks, acks_with_the_same_deadline_all_expire) {
  switchboard::test::ManualClock clock;
  PendingAcks acks;
  Results results;
  for (std::uint64_t id = 0; id < 3; ++id) acks.add(id, results.expect("x"), 10ms, clock.now());
  clock.advance(10ms);
  EXPECT_EQ(acks.expire(clock.now()).size(), 3u);
  EXPECT_EQ(acks.size(), 0u);
}
