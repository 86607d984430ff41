// The HTTP server over real loopback sockets: limits, keep-alive, pipelining, routing.
#include "switchboard/http/server.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "support/background_runtime.hpp"
#include "support/raw_client.hpp"

namespace switchboard::http {
namespace {

using namespace std::chrono_literals;
using test::body_of;
using test::header_of;
using test::RawClient;
using test::status_of;

class ServerTest : public ::testing::Test {
 protected:
  void start(ServerOptions options = {}, unsigned shards = 1) {
    rt_ = std::make_unique<test::BackgroundRuntime>(shards);
    server_ = std::make_unique<Server>(rt_->runtime, options);
    auto& r = server_->router();
    r.get("/hello", [](Exchange ex) { ex.respond(Response::text(200, "hello")); });
    r.post("/echo", [](Exchange ex) { ex.respond(Response::text(200, ex.request().body)); },
           {.max_body = 1024});
    r.get("/rooms/:room", [](Exchange ex) {
      ex.respond(Response::text(200, std::string(ex.request().param("room"))));
    });
    r.get("/later", [](Exchange ex) {
      // Answers from a timer-like post, after the handler returned.
      ex.shard().post([ex]() mutable { ex.respond(Response::text(200, "later")); });
    });
    r.get("/hold", [this](Exchange ex) { ex.on_close([this] { closed_ = true; }); });
    r.get("/shard-after", [this](Exchange ex) {
      ex.respond(Response::text(200, "answered"));
      shard_after_ = ex.shard().index() == 0 && ex.answered();
    });
    r.get("/throw", [](Exchange) -> void { throw std::runtime_error("boom"); });
    server_->listen({.address = "127.0.0.1", .port = 0});
    rt_->start();
  }
  std::uint16_t port() const { return server_->port(); }

  std::unique_ptr<test::BackgroundRuntime> rt_;
  std::unique_ptr<Server> server_;
  std::atomic<bool> closed_{false};
  std::atomic<bool> shard_after_{false};
};

std::string get(std::string_view path, std::string_view extra = "") {
  return "GET " + std::string(path) + " HTTP/1.1\r\nHost: t\r\n" + std::string(extra) + "\r\n";
}

TEST_F(ServerTest, AnswersARouteWithLengthDateAndServer) {
  start();
  RawClient c(port());
  c.send(get("/hello"));
  auto r = c.read_response();
  EXPECT_EQ(status_of(r), 200);
  EXPECT_EQ(header_of(r, "Content-Length"), "5");
  EXPECT_FALSE(header_of(r, "Date").empty());
  EXPECT_EQ(body_of(r), "hello");
}

TEST_F(ServerTest, AnExchangeStillNamesItsShardOnceAnswered) {
  start();
  RawClient c(port());
  c.send(get("/shard-after"));
  EXPECT_EQ(body_of(c.read_response()), "answered");
  EXPECT_TRUE(shard_after_);
}

TEST_F(ServerTest, AnswersPipelinedRequestsInOrder) {
  start();
  RawClient c(port());
  c.send(get("/later") + get("/rooms/a") + get("/hello"));
  EXPECT_EQ(body_of(c.read_response()), "later");
  EXPECT_EQ(body_of(c.read_response()), "a");
  EXPECT_EQ(body_of(c.read_response()), "hello");
}

TEST_F(ServerTest, UnknownPathIs404AndWrongMethodIs405WithAllow) {
  start();
  RawClient c(port());
  c.send(get("/nope"));
  EXPECT_EQ(status_of(c.read_response()), 404);
  c.send("DELETE /hello HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read_response();
  EXPECT_EQ(status_of(r), 405);
  EXPECT_EQ(header_of(r, "Allow"), "GET, HEAD");
}

TEST_F(ServerTest, HeadSendsTheHeadersWithoutTheBody) {
  start();
  RawClient c(port());
  c.send("HEAD /hello HTTP/1.1\r\nHost: t\r\n\r\n" + get("/rooms/b"));
  auto head = c.read_until("\r\n\r\n");
  EXPECT_EQ(status_of(head), 200);
  EXPECT_EQ(header_of(head, "Content-Length"), "5");
  EXPECT_EQ(body_of(c.read_response()), "b");
}

TEST_F(ServerTest, OversizedHeaderIs431AndCloses) {
  start({.max_header_bytes = 1024});
  RawClient c(port());
  c.send(get("/hello", "X-Big: " + std::string(2000, 'a') + "\r\n"));
  EXPECT_EQ(status_of(c.read_response()), 431);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, OversizedBodyIs413BeforeTheBodyArrives) {
  start();
  RawClient c(port());
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 5000\r\n\r\n");
  EXPECT_EQ(status_of(c.read_response()), 413);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, AClientStillSendingItsBodyAfterA413ReadsTheAnswerInsteadOfAReset) {
  start({.linger = {.timeout = 10s, .max_bytes = 64 << 20}});
  RawClient c(port());
  const std::string body(8 << 20, 'x');
  EXPECT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n"));
  EXPECT_TRUE(c.send(body));  // the server reads and discards it
  EXPECT_EQ(status_of(c.read_response()), 413);
  c.shutdown_send();
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, LingeringAfterAnErrorEndsAtItsByteBound) {
  start({.linger = {.timeout = 30s, .max_bytes = 256 << 10}});
  RawClient c(port());
  EXPECT_TRUE(c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 1000000000\r\n\r\n"));
  EXPECT_EQ(status_of(c.read_response()), 413);
  const std::string piece(64 << 10, 'x');
  std::size_t sent = 0;
  while (sent < (64u << 20) && c.send(piece)) sent += piece.size();
  EXPECT_LT(sent, 64u << 20) << "the server should have stopped reading after 256 KiB";
}

TEST_F(ServerTest, ChunkedBodiesAreDecodedAndBounded) {
  start();
  RawClient c(port());
  c.send(
      "POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(body_of(c.read_response()), "abc");
  RawClient big(port());
  big.send("POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" +
           std::string(0x800, 'x') + "\r\n0\r\n\r\n");
  EXPECT_EQ(status_of(big.read_response()), 413);
}

TEST_F(ServerTest, ExpectContinueGets100ThenTheAnswer) {
  start();
  RawClient c(port());
  c.send("POST /echo HTTP/1.1\r\nHost: t\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n");
  EXPECT_EQ(status_of(c.read_until("\r\n\r\n")), 100);
  c.send("hi");
  EXPECT_EQ(body_of(c.read_response()), "hi");
}

TEST_F(ServerTest, MalformedRequestsAre400) {
  start();
  for (std::string bad :
       {"GARBAGE\r\n\r\n", "GET /hello HTTP/1.1\r\n\r\n", "GET /hello HTTP/9.9\r\nHost: t\r\n\r\n",
        "GET /a%zz HTTP/1.1\r\nHost: t\r\n\r\n"}) {
    RawClient c(port());
    c.send(bad);
    EXPECT_EQ(status_of(c.read_response()), 400) << bad;
    EXPECT_TRUE(c.closed_by_peer());
  }
}

TEST_F(ServerTest, TrickledHeadIs408AfterTheHeaderTimeout) {
  start({.header_timeout = 300ms});
  RawClient c(port());
  c.send("GET /hel");
  auto r = c.read_response(3s);
  EXPECT_EQ(status_of(r), 408);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(ServerTest, IdleKeepAliveConnectionsAreClosed) {
  start({.idle_timeout = 200ms});
  RawClient c(port());
  c.send(get("/hello"));
  EXPECT_EQ(status_of(c.read_response()), 200);
  EXPECT_TRUE(c.closed_by_peer(3s));
}

TEST_F(ServerTest, ConnectionCloseIsHonoured) {
  start();
  RawClient c(port());
  c.send(get("/hello", "Connection: close\r\n"));
  auto r = c.read_to_eof();
  EXPECT_EQ(status_of(r), 200);
  EXPECT_EQ(header_of(r, "Connection"), "close");
}

TEST_F(ServerTest, HeldRequestNoticesTheClientLeaving) {
  start();
  {
    RawClient c(port());
    c.send(get("/hold"));
    RawClient probe(port());  // the request reached the handler once a later one is answered
    probe.send(get("/hello"));
    probe.read_response();
  }
  for (int i = 0; i < 200 && !closed_; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(closed_);
}

TEST_F(ServerTest, ARequestCompletedOnceTheShardStopsGets503WithRetryAfter) {
  start();
  RawClient c(port());
  // Half a head: the connection is reading a request, so the shutdown leaves it open.
  c.send("GET /hello HTTP/1.1\r\n");
  RawClient probe(port());  // the half head was read once a later request is answered
  probe.send(get("/hello"));
  probe.read_response();
  rt_->runtime.shutdown();
  // Posted after the shutdown's own post to the shard: its stop hooks have run by then.
  std::promise<void> stopped;
  rt_->runtime.shard(0).post([&stopped] { stopped.set_value(); });
  stopped.get_future().wait();
  c.send("Host: t\r\n\r\n");
  auto r = c.read_response();
  EXPECT_EQ(status_of(r), 503);
  EXPECT_EQ(header_of(r, "Retry-After"), "1");
  EXPECT_EQ(header_of(r, "Connection"), "close");
}

TEST_F(ServerTest, AHandlerThatThrowsGets500AndTheServerCarriesOn) {
  start();
  RawClient c(port());
  c.send(get("/throw"));
  EXPECT_EQ(status_of(c.read_response()), 500);
  RawClient d(port());
  d.send(get("/hello"));
  EXPECT_EQ(status_of(d.read_response()), 200);
}

TEST_F(ServerTest, CorsHeadersOnlyForAllowedOrigins) {
  start({.cors = {.allowed_origins = {"http://ok.example"}}});
  RawClient c(port());
  c.send(get("/hello", "Origin: http://ok.example\r\n"));
  EXPECT_EQ(header_of(c.read_response(), "Access-Control-Allow-Origin"), "http://ok.example");
  c.send(get("/hello", "Origin: http://evil.example\r\n"));
  EXPECT_EQ(header_of(c.read_response(), "Access-Control-Allow-Origin"), "");
}

TEST_F(ServerTest, TwoShardsServeOnOnePort) {
  start({}, 2);
  for (int i = 0; i < 20; ++i) {
    RawClient c(port());
    c.send(get("/hello"));
    EXPECT_EQ(status_of(c.read_response()), 200);
  }
}

}  // namespace
}  // namespace switchboard::http
