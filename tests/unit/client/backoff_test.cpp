#include "client/backoff.hpp"

#include <gtest/gtest.h>

using namespace std::chrono_literals;
using switchboard::client::detail::Backoff;

TEST(Backoff, DoublesUpToTheCapWithoutJitter) {
  Backoff backoff(1000ms, 5000ms, 0.0);
  EXPECT_EQ(backoff.next(0.3), 1000ms);
  EXPECT_EQ(backoff.next(0.3), 2000ms);
  EXPECT_EQ(backoff.next(0.3), 4000ms);
  EXPECT_EQ(backoff.next(0.3), 5000ms);
  EXPECT_EQ(backoff.next(0.3), 5000ms);
  EXPECT_EQ(backoff.attempts(), 5u);
  backoff.reset();
  EXPECT_EQ(backoff.next(0.3), 1000ms);
}

TEST(Backoff, JitterMovesEachDelayWithinTheFactor) {
  Backoff backoff(1000ms, 60'000ms, 0.5);
  // floor(0.2 * 10) = 2 is even: subtract 0.2 * 0.5 * 1000.
  EXPECT_EQ(backoff.next(0.2), 900ms);
  // floor(0.34 * 10) = 3 is odd: add 0.34 * 0.5 * 2000.
  EXPECT_EQ(backoff.next(0.34), 2340ms);
  for (double r : {0.0, 0.15, 0.5, 0.99}) {
    Backoff b(1000ms, 60'000ms, 0.5);
    auto d = b.next(r);
    EXPECT_GE(d, 500ms);
    EXPECT_LE(d, 1500ms);
  }
}
