// What net counts into the metrics: bytes, the write queues, slow consumers, event-loop lag.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <cmath>
#include <thread>

#include "loopback_pair.hpp"
#include "net/asio_stream.hpp"
#include "switchboard/metrics/registry.hpp"
#include "switchboard/net/loop_lag.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/net/write_queue.hpp"

namespace switchboard::net {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

double sample(const std::string& name, const metrics::Labels& labels = {}) {
  for (const auto& f : metrics::builtin_families()) {
    for (const auto& s : f.samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
  }
  return std::nan("");
}

using Pair = test::LoopbackPair;

TEST(WriteQueueMetrics, QueuedBytesAreAGaugeAndWrittenOnesAreCountedAsSent) {
  Pair pair;
  auto queued0 = sample("switchboard_write_queue_bytes");
  auto sent0 = sample("switchboard_sent_bytes_total");
  WriteQueue queue(*pair.server, {}, nullptr, nullptr);
  queue.push(std::string("hello "));
  queue.push(std::string("world"));
  EXPECT_EQ(sample("switchboard_write_queue_bytes"), queued0 + 11);
  bool drained = false;
  queue.when_drained([&] { drained = true; });
  pair.run_until(drained);
  EXPECT_EQ(sample("switchboard_write_queue_bytes"), queued0);
  EXPECT_EQ(sample("switchboard_sent_bytes_total"), sent0 + 11);
  std::string got(11, '\0');
  asio::read(pair.client, asio::buffer(got));
  EXPECT_EQ(got, "hello world");
}

TEST(WriteQueueMetrics, ASlowConsumerIsCountedWithWhatWasDropped) {
  Pair pair;
  auto disconnects0 = sample("switchboard_slow_consumer_disconnects_total");
  auto dropped0 = sample("switchboard_write_queue_dropped_total");
  auto queued0 = sample("switchboard_write_queue_bytes");
  {
    WriteQueue queue(*pair.server, {.soft_limit = 4, .hard_limit = 8}, nullptr, nullptr);
    queue.push(std::string("12345"));
    EXPECT_EQ(queue.push(std::string("x"), true), SendResult::Dropped);    // volatile, over soft
    EXPECT_EQ(queue.push(std::string("123456789")), SendResult::Dropped);  // over hard
    EXPECT_EQ(sample("switchboard_slow_consumer_disconnects_total"), disconnects0 + 1);
    // The volatile one, the one waiting and the one over the limit.
    EXPECT_EQ(sample("switchboard_write_queue_dropped_total"), dropped0 + 3);
    EXPECT_EQ(sample("switchboard_write_queue_bytes"), queued0);
    queue.push_last(std::string("bye"));
  }
  // A queue destroyed with bytes still queued takes them out of the gauge.
  EXPECT_EQ(sample("switchboard_write_queue_bytes"), queued0);
}

TEST(LoopLag, RecordsHowLateTheShardRanItsProbe) {
  Runtime rt({.shards = 1, .handle_signals = false});
  auto& context = rt.shard(0).context();
  watch_loop_lag(rt, 10ms);
  context.run_one_for(50ms);  // starts the probe: due in 10 ms
  // The loop is busy for 50 ms: the probe fires about 40 ms late.
  rt.shard(0).post([] { std::this_thread::sleep_for(50ms); });
  double worst = 0;
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (worst < 0.03 && std::chrono::steady_clock::now() < deadline) {
    context.run_one_for(20ms);
    worst = std::max(worst, sample("switchboard_event_loop_lag_seconds", {{"shard", "0"}}));
  }
  EXPECT_GE(worst, 0.03);
}

}  // namespace
}  // namespace switchboard::net
