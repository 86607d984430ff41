// The access log and the close reasons of the HTTP server, read from a log sink.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>

#include "support/background_runtime.hpp"
#include "support/raw_client.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/log/logger.hpp"

namespace switchboard::http {
namespace {

using namespace std::chrono_literals;
using test::RawClient;
using test::status_of;

// The records written while alive (text format), awaited as they come.
class Records {
 public:
  Records() {
    log::set_level(log::Level::Info);
    log::set_sink([this](log::Level, std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
      arrived_.notify_all();
    });
  }
  ~Records() {
    log::set_sink(nullptr);
    log::set_level(log::Level::Warn);
  }
  /// The first record containing `text`, waiting up to 5 s; empty when none came.
  std::string wait_for(std::string_view text) {
    std::unique_lock lock(mutex_);
    std::string found;
    arrived_.wait_for(lock, 5s, [&] {
      for (const auto& line : lines_) {
        if (line.find(text) != std::string::npos) return found = line, true;
      }
      return false;
    });
    return found;
  }
  std::size_t count(std::string_view text) {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& line : lines_) n += line.find(text) != std::string::npos;
    return n;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<std::string> lines_;
};

class AccessLogTest : public ::testing::Test {
 protected:
  void start(ServerOptions options) {
    rt_ = std::make_unique<test::BackgroundRuntime>(1);
    server_ = std::make_unique<Server>(rt_->runtime, std::move(options));
    auto& r = server_->router();
    r.get("/hello", [](Exchange ex) { ex.respond(Response::text(200, "hello")); });
    r.get("/hold", [](Exchange) {});  // never answered
    r.post("/echo", [](Exchange ex) { ex.respond(Response::text(200, ex.request().body)); },
           {.max_body = 1024});
    server_->listen({.address = "127.0.0.1", .port = 0});
    rt_->start();
  }
  std::uint16_t port() const { return server_->port(); }

  Records records_;
  std::unique_ptr<test::BackgroundRuntime> rt_;
  std::unique_ptr<Server> server_;
};

TEST_F(AccessLogTest, OneRecordPerRequestWithItsPathButNotItsQuery) {
  start({.access_log = true});
  RawClient c(port());
  c.send("GET /hello?token=secret HTTP/1.1\r\nHost: t\r\nUser-Agent: unit test/1\r\n\r\n");
  auto response = c.read_response();
  ASSERT_EQ(status_of(response), 200);
  auto line = records_.wait_for("http access");
  EXPECT_NE(line.find(" INFO  http access method=GET path=/hello status=200 bytes=" +
                      std::to_string(response.size()) + " duration_ms="),
            std::string::npos)
      << line;
  EXPECT_NE(line.find(" remote=127.0.0.1 user_agent=\"unit test/1\"\n"), std::string::npos) << line;
  EXPECT_EQ(line.find("secret"), std::string::npos);
}

TEST_F(AccessLogTest, IsOffUnlessAsked) {
  start({});
  RawClient c(port());
  // The second answer leaves after the first exchange is over, record and all.
  c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\nGET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 200);
  EXPECT_EQ(status_of(c.read_response()), 200);
  EXPECT_EQ(records_.count("http access"), 0u);
}

TEST_F(AccessLogTest, NamesTheClientTheProgramSays) {
  start({.access_log = true, .client_address = [](const Request&) { return "203.0.113.9"; }});
  RawClient c(port());
  c.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 200);
  EXPECT_NE(records_.wait_for("http access").find(" remote=203.0.113.9 "), std::string::npos);
}

TEST_F(AccessLogTest, ARequestTheClientLeftUnansweredIs499) {
  start({.access_log = true});
  {
    RawClient c(port());
    c.send("GET /hold HTTP/1.1\r\nHost: t\r\n\r\n");
    RawClient probe(port());  // the request reached its handler once a later one is answered
    probe.send("GET /hello HTTP/1.1\r\nHost: t\r\n\r\n");
    probe.read_response();
  }
  auto line = records_.wait_for("path=/hold");
  EXPECT_NE(line.find(" status=499 bytes=0 "), std::string::npos) << line;
}

TEST_F(AccessLogTest, ErrorAnswersAndTimeoutsSayWhyTheConnectionClosed) {
  start({.header_timeout = 200ms});
  RawClient big(port());
  big.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n");
  EXPECT_EQ(status_of(big.read_response()), 413);
  auto line = records_.wait_for("status=413");
  EXPECT_NE(line.find(" INFO  http connection closed reason=\"request body too large\" "
                      "status=413 remote=127.0.0.1 shard=0\n"),
            std::string::npos)
      << line;

  RawClient slow(port());
  slow.send("GET /hel");
  EXPECT_EQ(status_of(slow.read_response(3s)), 408);
  line = records_.wait_for("status=408");
  EXPECT_NE(line.find("reason=\"request head not received in time\""), std::string::npos) << line;
}

}  // namespace
}  // namespace switchboard::http
