// The client's reconnection, step by step on a manual clock: when it retries, how long it
// waits, when it gives up, and what a user's close() or connect() does to it.
#include "client/reconnect_core.hpp"

#include <gtest/gtest.h>

#include "support/manual_clock.hpp"

using namespace std::chrono_literals;
using switchboard::client::detail::ReconnectCore;
using AfterClose = ReconnectCore::AfterClose;
using State = ReconnectCore::State;

namespace {

ReconnectCore::Options no_jitter(std::optional<unsigned> attempts = std::nullopt) {
  return {.reconnection = true,
          .attempts = attempts,
          .delay = 1000ms,
          .delay_max = 5000ms,
          .randomization_factor = 0};
}

// A client whose engine opened, then was lost.
struct Lost {
  explicit Lost(ReconnectCore::Options options) : core(options) {
    EXPECT_TRUE(core.want_connection());
    core.opening();
    EXPECT_EQ(core.opened(), std::nullopt);  // a first connection, not a reconnection
    core.engine_closed();
  }
  ReconnectCore core;
  switchboard::test::ManualClock clock;
};

}  // namespace

TEST(ReconnectCore, the_first_connect_opens_an_engine_once) {
  ReconnectCore core(no_jitter());
  EXPECT_TRUE(core.want_connection());
  core.opening();
  EXPECT_FALSE(core.want_connection());  // opening already
  EXPECT_EQ(core.opened(), std::nullopt);
  EXPECT_FALSE(core.want_connection());  // open
  EXPECT_EQ(core.state(), State::Open);
}

TEST(ReconnectCore, a_lost_connection_is_retried_after_growing_delays_up_to_the_maximum) {
  Lost lost(no_jitter());
  auto& core = lost.core;
  std::chrono::milliseconds expected[] = {1000ms, 2000ms, 4000ms, 5000ms, 5000ms};
  for (unsigned i = 0; i < std::size(expected); ++i) {
    ASSERT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::Wait);
    EXPECT_EQ(core.next_attempt() - lost.clock.now(), expected[i]);
    lost.clock.advance(expected[i] - 1ms);
    EXPECT_EQ(core.attempt(lost.clock.now()), std::nullopt) << "not yet due";
    lost.clock.advance(1ms);
    EXPECT_EQ(core.attempt(lost.clock.now()), i + 1);
    core.opening();
    core.engine_closed();  // the attempt failed
  }
}

TEST(ReconnectCore, a_reconnection_reports_its_attempts_and_starts_the_delays_over) {
  Lost lost(no_jitter());
  auto& core = lost.core;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::Wait);
    lost.clock.advance(core.next_attempt() - lost.clock.now());
    ASSERT_TRUE(core.attempt(lost.clock.now()));
    core.opening();
    if (i == 0) core.engine_closed();
  }
  EXPECT_EQ(core.opened(), 2u);
  core.engine_closed();
  ASSERT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::Wait);
  EXPECT_EQ(core.next_attempt() - lost.clock.now(), 1000ms);
}

TEST(ReconnectCore, after_the_allowed_attempts_it_gives_up_and_a_connect_starts_over) {
  Lost lost(no_jitter(2));
  auto& core = lost.core;
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::Wait);
    lost.clock.advance(10s);
    ASSERT_TRUE(core.attempt(lost.clock.now()));
    core.opening();
    core.engine_closed();
  }
  EXPECT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::GiveUp);
  EXPECT_EQ(core.state(), State::Idle);
  EXPECT_TRUE(core.want_connection());
  core.opening();
  core.engine_closed();
  ASSERT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::Wait);
  EXPECT_EQ(core.next_attempt() - lost.clock.now(), 1000ms);
}

TEST(ReconnectCore, jitter_moves_each_delay_by_up_to_its_fraction_either_way) {
  auto options = no_jitter();
  options.randomization_factor = 0.5;
  for (auto [random, delay] : {std::pair{0.25, 875ms}, std::pair{0.15, 1075ms}}) {
    Lost lost(options);
    ASSERT_EQ(lost.core.after_close(true, lost.clock.now(), random), AfterClose::Wait);
    EXPECT_EQ(lost.core.next_attempt() - lost.clock.now(), delay) << random;
  }
}

TEST(ReconnectCore, no_reconnection_when_disabled_or_when_no_socket_wants_it) {
  auto disabled = no_jitter();
  disabled.reconnection = false;
  Lost off(disabled);
  EXPECT_EQ(off.core.after_close(true, off.clock.now(), 0.0), AfterClose::Nothing);
  Lost unwanted(no_jitter());
  EXPECT_EQ(unwanted.core.after_close(false, unwanted.clock.now(), 0.0), AfterClose::Nothing);
  EXPECT_EQ(unwanted.core.state(), State::Idle);
}

TEST(ReconnectCore, a_close_by_the_user_cancels_the_wait_until_the_next_connect) {
  Lost lost(no_jitter());
  auto& core = lost.core;
  ASSERT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::Wait);
  core.close();
  lost.clock.advance(10s);
  EXPECT_EQ(core.attempt(lost.clock.now()), std::nullopt);
  // An engine that ends after the close starts nothing either.
  EXPECT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::Nothing);
  EXPECT_TRUE(core.want_connection());
  core.opening();
  core.engine_closed();
  EXPECT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::Wait);
}

TEST(ReconnectCore, a_socket_that_connects_again_in_its_disconnect_handler_opens_at_once) {
  Lost lost(no_jitter());
  auto& core = lost.core;
  EXPECT_TRUE(core.want_connection());  // from a disconnect handler: no engine, none awaited
  core.opening();
  EXPECT_EQ(core.after_close(true, lost.clock.now(), 0.0), AfterClose::Nothing);
  EXPECT_EQ(core.state(), State::Connecting);
}

TEST(ReconnectCore, a_connect_while_waiting_waits_for_the_attempt) {
  Lost lost(no_jitter());
  ASSERT_EQ(lost.core.after_close(true, lost.clock.now(), 0.0), AfterClose::Wait);
  EXPECT_FALSE(lost.core.want_connection());
  EXPECT_EQ(lost.core.state(), State::Waiting);
}
