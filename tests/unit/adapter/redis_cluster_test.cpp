// RedisCluster: two links of one namespace on a real redis-server, and a link without Redis.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "redis_server.hpp"
#include "switchboard/adapter/error.hpp"
#include "switchboard/adapter/redis_cluster.hpp"

namespace sa = switchboard::adapter;
namespace json = boost::json;
using namespace std::chrono_literals;

namespace {

class RedisClusterTest : public ::testing::TestWithParam<sa::ClusterMode> {
 protected:
  template <class F>
  bool run_until(F done, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) context.run_one_for(10ms);
    return done();
  }
  std::unique_ptr<sa::RedisCluster> link(std::uint16_t port, std::vector<sa::Inbound>& inbound) {
    return std::make_unique<sa::RedisCluster>(
        context,
        sa::RedisClusterOptions{
            .redis = {.port = port, .reconnect_min = 50ms, .reconnect_max = 200ms},
            .cluster = {.mode = GetParam(), .requests_timeout = 300ms}},
        [&inbound](sa::Inbound in) { inbound.push_back(std::move(in)); },
        [](std::string_view) { return true; });
  }
  boost::asio::io_context context;
};

}  // namespace

TEST_P(RedisClusterTest, TwoNodesCountEachOtherAndAnswerEachOther) {
  switchboard::test::RedisServer redis;
  ASSERT_TRUE(redis.start());
  std::vector<sa::Inbound> in_a, in_b;
  auto a = link(redis.port(), in_a);
  auto b = link(redis.port(), in_b);
  a->start();
  b->start();
  ASSERT_TRUE(run_until([&] { return a->health().ok() && b->health().ok(); }));
  std::optional<std::size_t> count;
  a->server_count([&](auto n) { count = n.value(); });
  ASSERT_TRUE(run_until([&] { return count.has_value(); }));
  EXPECT_EQ(*count, 2u);

  std::optional<std::vector<sa::WireValue>> answers;
  a->server_side_emit_with_ack({json::array{"ping-server"}, {}}, [&](auto ec, auto items) {
    EXPECT_FALSE(ec);
    answers = std::move(items);
  });
  ASSERT_TRUE(run_until([&] { return !in_b.empty(); }));
  auto& ask = std::get<sa::inbound::ServerSideEmit>(in_b[0]);
  b->core().reply_server_side_emit(*ask.requester, {json::value("node-b"), {}});
  ASSERT_TRUE(run_until([&] { return answers.has_value(); }));
  ASSERT_EQ(answers->size(), 1u);
  EXPECT_EQ((*answers)[0].json, json::value("node-b"));
  EXPECT_TRUE(in_a.empty());
}

TEST_P(RedisClusterTest, AServerSideEmitWithAckWaitsItsOwnTimeout) {
  switchboard::test::RedisServer redis;
  ASSERT_TRUE(redis.start());
  std::vector<sa::Inbound> in_a, in_b;
  auto a = link(redis.port(), in_a);  // requests timeout: 300 ms
  auto b = link(redis.port(), in_b);
  a->start();
  b->start();
  ASSERT_TRUE(run_until([&] { return a->health().ok() && b->health().ok(); }));
  // Longer than the requests timeout: an answer after 600 ms still counts.
  std::optional<boost::system::error_code> error;
  std::vector<sa::WireValue> answers;
  a->server_side_emit_with_ack(
      {json::array{"slow"}, {}},
      [&](auto ec, auto items) {
        error = ec;
        answers = std::move(items);
      },
      2000ms);
  ASSERT_TRUE(run_until([&] { return !in_b.empty(); }));
  const auto asked = std::chrono::steady_clock::now();
  boost::asio::steady_timer later(context, 600ms);
  later.async_wait([&](auto) {
    auto& ask = std::get<sa::inbound::ServerSideEmit>(in_b.at(0));
    b->core().reply_server_side_emit(*ask.requester, {json::value("late"), {}});
  });
  ASSERT_TRUE(run_until([&] { return error.has_value(); }));
  EXPECT_FALSE(*error) << error->message();
  EXPECT_GE(std::chrono::steady_clock::now() - asked, 600ms);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].json, json::value("late"));
  // Shorter: no answer, the request gives up after 100 ms.
  error.reset();
  const auto start = std::chrono::steady_clock::now();
  a->server_side_emit_with_ack(
      {json::array{"slow"}, {}}, [&](auto ec, auto) { error = ec; }, 100ms);
  ASSERT_TRUE(run_until([&] { return error.has_value(); }));
  EXPECT_EQ(*error, sa::make_error_code(sa::Error::RequestTimeout));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 290ms);
}

TEST_P(RedisClusterTest, WithoutRedisARequestFailsWithRedisUnavailableAfterItsTimeout) {
  switchboard::test::RedisServer redis;  // never started
  std::vector<sa::Inbound> inbound;
  auto a = link(redis.port(), inbound);
  a->start();
  std::optional<boost::system::error_code> error;
  const auto start = std::chrono::steady_clock::now();
  a->fetch_sockets({}, [&](auto ec, auto) { error = ec; });
  ASSERT_TRUE(run_until([&] { return error.has_value(); }));
  EXPECT_EQ(*error, sa::make_error_code(sa::Error::RedisUnavailable));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 300ms);
}

INSTANTIATE_TEST_SUITE_P(BothFormats, RedisClusterTest,
                         ::testing::Values(sa::ClusterMode::Classic, sa::ClusterMode::Sharded),
                         [](const auto& info) {
                           return info.param == sa::ClusterMode::Classic ? "Classic" : "Sharded";
                         });
