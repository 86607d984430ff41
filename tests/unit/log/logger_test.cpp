#include "switchboard/log/logger.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace switchboard::log {
namespace {

// Captures every record while alive, and restores the defaults afterwards.
class Captured {
 public:
  explicit Captured(Level threshold, Format f = Format::Text) {
    set_level(threshold);
    set_format(f);
    set_sink([this](Level level, std::string_view line) {
      std::lock_guard lock(mutex_);
      records_.push_back({level, std::string(line)});
    });
  }
  ~Captured() {
    set_sink(nullptr);
    set_level(Level::Warn);
    set_format(Format::Text);
  }
  std::vector<std::pair<Level, std::string>> records() {
    std::lock_guard lock(mutex_);
    return records_;
  }

 private:
  std::mutex mutex_;
  std::vector<std::pair<Level, std::string>> records_;
};

TEST(Logger, DefaultsToWarnAndText) {
  EXPECT_EQ(level(), Level::Warn);
  EXPECT_EQ(format(), Format::Text);
  EXPECT_FALSE(enabled(Level::Info));
  EXPECT_TRUE(enabled(Level::Warn));
}

TEST(Logger, WritesOnlyRecordsAtOrAboveTheThreshold) {
  Captured log(Level::Info);
  trace("t");
  debug("d");
  info("i", {{"n", 1}});
  warn("w");
  error("e");
  auto records = log.records();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].first, Level::Info);
  EXPECT_NE(records[0].second.find(" INFO  i n=1\n"), std::string::npos);
  EXPECT_EQ(records[1].first, Level::Warn);
  EXPECT_EQ(records[2].first, Level::Error);
}

TEST(Logger, OffWritesNothingAndTraceWritesEverything) {
  {
    Captured log(Level::Off);
    error("e");
    write(Level::Off, "never");
    EXPECT_TRUE(log.records().empty());
    EXPECT_FALSE(enabled(Level::Error));
  }
  {
    Captured log(Level::Trace);
    trace("t");
    write(Level::Off, "never");
    EXPECT_EQ(log.records().size(), 1u);
  }
}

TEST(Logger, TheSinkGetsTheFormatInForce) {
  Captured log(Level::Info, Format::Json);
  info("hello", {{"who", "world"}});
  auto records = log.records();
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].second.rfind("{\"ts\":\"", 0), 0u);
  EXPECT_NE(records[0].second.find("\"msg\":\"hello\",\"who\":\"world\"}\n"), std::string::npos);
}

TEST(Logger, RecordsFromManyThreadsArriveWhole) {
  Captured log(Level::Info);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < 200; ++i) info("tick", {{"thread", t}, {"i", i}});
    });
  }
  for (auto& th : threads) th.join();
  auto records = log.records();
  ASSERT_EQ(records.size(), 800u);
  for (const auto& [lvl, line] : records) {
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    EXPECT_NE(line.find(" INFO  tick thread="), std::string::npos) << line;
  }
}

TEST(Logger, ParsesLevelAndFormatNames) {
  EXPECT_EQ(parse_level("debug"), Level::Debug);
  EXPECT_EQ(parse_level("warning"), Level::Warn);
  EXPECT_EQ(parse_level("off"), Level::Off);
  EXPECT_EQ(parse_level("loud"), std::nullopt);
  EXPECT_EQ(parse_format("json"), Format::Json);
  EXPECT_EQ(parse_format("xml"), std::nullopt);
  EXPECT_EQ(to_string(Level::Error), "error");
  EXPECT_EQ(to_string(Format::Text), "text");
}

TEST(Logger, WithoutASinkRecordsGoToStderrOneLineEach) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  int saved = dup(STDERR_FILENO);
  dup2(fds[1], STDERR_FILENO);
  set_level(Level::Info);
  info("to stderr", {{"n", 7}});
  set_level(Level::Warn);
  dup2(saved, STDERR_FILENO);
  close(saved);
  close(fds[1]);
  char buf[256];
  auto n = read(fds[0], buf, sizeof buf);
  close(fds[0]);
  ASSERT_GT(n, 0);
  std::string line(buf, static_cast<std::size_t>(n));
  EXPECT_NE(line.find(" INFO  to stderr n=7\n"), std::string::npos) << line;
}

}  // namespace
}  // namespace switchboard::log
