// The WebSocket connection over TCP, where its read wait parks the connection itself in the
// shard's poller (no callback per message): whatever ends the wait without a message (a close
// while it is parked, the peer leaving, the runtime destroyed mid-shutdown as past its grace)
// lets the connection go. A connection kept alive by nothing but its own wait would be reported by
// LeakSanitizer.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>

#include "support/upgrade_request.hpp"
#include "switchboard/net/listener.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/ws/endpoint.hpp"

using namespace std::chrono_literals;

namespace switchboard::ws {
namespace {

namespace asio = boost::asio;

// A one-shard runtime run on the test's thread, a TCP client, and the server connection it
// reached, of which the test keeps only a weak pointer.
struct TcpConnection {
  explicit TcpConnection(ServerOptions options, std::chrono::milliseconds grace = 100ms)
      : runtime(std::make_unique<net::Runtime>(
            net::RuntimeOptions{.shards = 1, .shutdown_grace = grace, .handle_signals = false})),
        client(std::make_unique<asio::ip::tcp::socket>(context())) {
    std::unique_ptr<net::Stream> accepted;
    auto listener =
        net::Listener::start(*runtime, {.address = "127.0.0.1"},
                             [&](std::unique_ptr<net::Stream> s) { accepted = std::move(s); });
    client->connect({asio::ip::make_address("127.0.0.1"), listener->port()});
    run_until([&] { return accepted != nullptr; });
    listener->close();
    options.ping_interval = 0ms;
    options.idle_timeout = 0ms;
    options.count_as_websocket = false;
    Handlers handlers;
    handlers.on_close = [this](const ConnectionPtr&, CloseCode, std::string_view) { ++closes; };
    connection = accept_stream(std::move(accepted), "", test::websocket_upgrade_request("/ws"),
                               options, handlers);
    // The 101 answer, read whole before the connection waits for the client.
    std::string answer;
    run_until([&] {
      while (client->available() > 0) {
        char c;
        asio::read(*client, asio::buffer(&c, 1));
        answer += c;
      }
      return answer.find("\r\n\r\n") != std::string::npos;
    });
    EXPECT_NE(answer.find(" 101 "), std::string::npos) << answer;
    context().poll();  // the connection's wait is parked now: nothing came from the client
  }

  // The listener's stop hook holds it until a shutdown runs the hooks: it must go while the
  // shard's context still exists.
  ~TcpConnection() {
    client.reset();
    if (!runtime) return;
    stop();
  }

  // Begins a shutdown and runs what is due (the stop hooks, the connections' on_shard_stop),
  // on this thread without Runtime::run() (which would leave this thread its shard's).
  void stop() {
    runtime->shutdown();
    for (int i = 0; i < 100 && context().poll() > 0; ++i) {
    }
  }

  asio::io_context& context() { return runtime->shard(0).context(); }

  template <class Done>
  void run_until(Done done) {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!done() && std::chrono::steady_clock::now() < deadline) context().run_one_for(20ms);
  }

  std::unique_ptr<net::Runtime> runtime;
  std::unique_ptr<asio::ip::tcp::socket> client;  // of the runtime: goes before it
  std::weak_ptr<Connection> connection;
  int closes = 0;
};

// Each test on a thread of its own: a runtime driven by hand leaves the thread's per-shard
// state (the write queues' flush list) to that runtime.
template <class F>
void on_fresh_thread(F f) {
  std::thread(f).join();
}

TEST(ConnectionWait, AConnectionIdleInItsWaitIsKeptByItAlone) {
  on_fresh_thread([] {
    TcpConnection t({});
    EXPECT_FALSE(t.connection.expired());  // nothing but its parked wait holds it
    t.context().poll();
    EXPECT_FALSE(t.connection.expired());
  });
}

TEST(ConnectionWait, AConnectionClosedWhileItsWaitIsParkedIsDestroyed) {
  on_fresh_thread([] {
    ServerOptions options;
    options.close_timeout = 20ms;  // the client never answers the Close
    TcpConnection t(options);
    t.connection.lock()->close(CloseCode::NormalClosure, "");
    t.run_until([&] { return t.connection.expired(); });
    EXPECT_TRUE(t.connection.expired());
    EXPECT_EQ(t.closes, 1);
  });
}

TEST(ConnectionWait, AConnectionWhosePeerLeavesWhileItWaitsIsDestroyed) {
  on_fresh_thread([] {
    TcpConnection t({});
    t.client->close();
    t.run_until([&] { return t.connection.expired(); });
    EXPECT_TRUE(t.connection.expired());
    EXPECT_EQ(t.closes, 1);
  });
}

// A shutdown begun, the connection closing (its Close unanswered), then the runtime destroyed
// (as a shard stopped past its grace is): that drops the parked wait, and the connection with
// it.
TEST(ConnectionWait, TheRuntimeGoingMidShutdownDestroysTheWaitingConnection) {
  on_fresh_thread([] {
    ServerOptions options;
    options.close_timeout = 60s;
    TcpConnection t(options);
    t.stop();
    EXPECT_FALSE(t.connection.expired());  // closing, not closed
    t.client.reset();
    t.runtime.reset();
    EXPECT_TRUE(t.connection.expired());
  });
}

}  // namespace
}  // namespace switchboard::ws
