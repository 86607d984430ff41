#include "ws/message_deadline.hpp"

#include <gtest/gtest.h>

namespace switchboard::ws::detail {
namespace {

using namespace std::chrono_literals;
using Clock = MessageDeadline::Clock;

TEST(MessageDeadline, AMessageMustArriveWithinTheLimitOfItsFirstRead) {
  MessageDeadline deadline(1000ms);
  const auto t0 = Clock::time_point{} + 5s;
  EXPECT_FALSE(deadline.due());
  EXPECT_TRUE(deadline.update(true, t0));  // a message began
  EXPECT_EQ(deadline.due(), t0 + 1000ms);
  // More bytes of the same message (a trickle) do not move the deadline.
  EXPECT_FALSE(deadline.update(true, t0 + 400ms));
  EXPECT_FALSE(deadline.update(true, t0 + 900ms));
  EXPECT_EQ(deadline.due(), t0 + 1000ms);
  EXPECT_FALSE(deadline.passed(t0 + 999ms));
  EXPECT_TRUE(deadline.passed(t0 + 1000ms));
}

TEST(MessageDeadline, EachMessageGetsItsOwnTime) {
  MessageDeadline deadline(1000ms);
  const auto t0 = Clock::time_point{} + 5s;
  deadline.update(true, t0);
  deadline.update(false, t0 + 800ms);  // it arrived
  EXPECT_FALSE(deadline.due());
  EXPECT_FALSE(deadline.passed(t0 + 5s));
  EXPECT_TRUE(deadline.update(true, t0 + 900ms));
  EXPECT_EQ(deadline.due(), t0 + 1900ms);
}

TEST(MessageDeadline, ZeroMeansNoLimit) {
  MessageDeadline deadline(0ms);
  EXPECT_FALSE(deadline.update(true, Clock::time_point{}));
  EXPECT_FALSE(deadline.due());
  EXPECT_FALSE(deadline.passed(Clock::time_point{} + 24h));
}

}  // namespace
}  // namespace switchboard::ws::detail
