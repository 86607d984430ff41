#include "switchboard/metrics/registry.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <future>
#include <stdexcept>
#include <thread>

#include "switchboard/metrics/cells.hpp"

namespace switchboard::metrics {
namespace {

// The value of the sample of `name` with `labels` in `families`, or NaN.
double sample(const std::vector<Family>& families, const std::string& name, const Labels& labels) {
  for (const auto& f : families) {
    for (const auto& s : f.samples) {
      if (s.name == name && s.labels == labels) return s.value;
    }
  }
  return std::nan("");
}

TEST(Registry, GivesTheSameCounterForTheSameNameAndLabels) {
  Registry registry({.builtin = false});
  auto& a = registry.counter("app_jobs_total", "Jobs.", {{"kind", "x"}});
  auto& b = registry.counter("app_jobs_total", "Jobs.", {{"kind", "x"}});
  auto& c = registry.counter("app_jobs_total", "Jobs.", {{"kind", "y"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  a.inc();
  b.inc(2);
  auto families = registry.collect_now();
  EXPECT_EQ(sample(families, "app_jobs_total", {{"kind", "x"}}), 3);
  EXPECT_EQ(sample(families, "app_jobs_total", {{"kind", "y"}}), 0);
}

TEST(Registry, RefusesInvalidNamesAndATypeClash) {
  Registry registry({.builtin = false});
  EXPECT_THROW(registry.counter("bad-name", ""), std::invalid_argument);
  EXPECT_THROW(registry.gauge("ok", "", {{"bad-label", "v"}}), std::invalid_argument);
  registry.counter("taken_total", "");
  EXPECT_THROW(registry.gauge("taken_total", ""), std::invalid_argument);
}

TEST(Registry, ReadsGaugesAndCallbackGaugesWhenScraped) {
  Registry registry({.builtin = false});
  registry.gauge("app_level", "Level.").set(4);
  registry.gauge("app_level", "Level.").add(-1.5);
  int calls = 0;
  registry.gauge("app_read", "Read.", {}, [&] { return ++calls; });
  std::string text;
  registry.scrape([&](std::string t) { text = std::move(t); });
  EXPECT_NE(text.find("# TYPE app_level gauge\napp_level 2.5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("app_read 1\n"), std::string::npos) << text;
}

TEST(Registry, ScrapeWaitsForEveryCollectorEvenOneAnsweringFromAnotherThread) {
  Registry registry({.builtin = false});
  std::thread later;
  registry.add_collector([&](CollectDone done) {
    later = std::thread([done] { done({{"late", "Late.", Type::Gauge, {{"late", {}, 7}}}}); });
  });
  registry.add_collector([](CollectDone done) { done({}); });
  std::promise<std::string> text;
  registry.scrape([&](std::string t) { text.set_value(std::move(t)); });
  auto got = text.get_future().get();
  later.join();
  EXPECT_EQ(got, "# HELP late Late.\n# TYPE late gauge\nlate 7\n");
}

TEST(Builtin, SumsTheCellsOfEveryThreadThoseThatEndedIncluded) {
  auto before = sample(builtin_families(), "switchboard_socketio_packets_received_total", {});
  add(Stat::SocketioPacketsReceived, 2);
  std::thread([] { add(Stat::SocketioPacketsReceived, 3); }).join();
  EXPECT_EQ(sample(builtin_families(), "switchboard_socketio_packets_received_total", {}),
            before + 5);
}

TEST(Builtin, CountsOpenConnectionsByTransportAsAGauge) {
  Labels sse{{"transport", "sse"}};
  Labels eio_ws{{"transport", "engineio_websocket"}};
  Labels eio_polling{{"transport", "engineio_polling"}};
  auto open = [](const Labels& l) {
    return sample(builtin_families(), "switchboard_connections", l);
  };
  auto sse0 = open(sse), ws0 = open(eio_ws), polling0 = open(eio_polling);
  {
    OpenConnection stream(Transport::Sse);
    OpenConnection session(Transport::EngineioPolling);
    EXPECT_EQ(open(sse), sse0 + 1);
    EXPECT_EQ(open(eio_polling), polling0 + 1);
    session.move_to(Transport::EngineioWebSocket);
    EXPECT_EQ(open(eio_polling), polling0);
    EXPECT_EQ(open(eio_ws), ws0 + 1);
    // Closed on another thread: the sum is still right.
    std::thread([&] { stream.close(); }).join();
    stream.close();
    EXPECT_EQ(open(sse), sse0);
  }
  EXPECT_EQ(open(eio_ws), ws0);
  EXPECT_EQ(sample(builtin_families(), "switchboard_connections_opened_total", eio_ws) >= 1, true);
}

TEST(Builtin, KeepsAHistogramWithCumulativeBuckets) {
  auto bucket = [](const char* le) {
    return sample(builtin_families(), "switchboard_redis_round_trip_seconds_bucket", {{"le", le}});
  };
  auto count0 = sample(builtin_families(), "switchboard_redis_round_trip_seconds_count", {});
  auto small0 = bucket("0.001"), inf0 = bucket("+Inf");
  observe(Histogram::RedisRoundTrip, std::chrono::microseconds(300));
  observe(Histogram::RedisRoundTrip, std::chrono::seconds(3));
  EXPECT_EQ(bucket("0.001"), small0 + 1);
  EXPECT_EQ(bucket("+Inf"), inf0 + 2);
  EXPECT_EQ(sample(builtin_families(), "switchboard_redis_round_trip_seconds_count", {}),
            count0 + 2);
}

TEST(Builtin, NamesFollowTheConventions) {
  for (const auto& f : builtin_families()) {
    EXPECT_TRUE(f.name.starts_with("switchboard_")) << f.name;
    EXPECT_EQ(f.type == Type::Counter, f.name.ends_with("_total")) << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
  }
}

}  // namespace
}  // namespace switchboard::metrics
