// The WebSocket connection over an in-memory stream: how received messages reach the handlers
// (a view valid for the call, or a string to keep) and how the answers sent from inside a
// handler reach the wire (in order, one write per wake-up). Real shard, no sockets.
#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <string>
#include <vector>

#include "support/background_runtime.hpp"
#include "support/memory_stream.hpp"
#include "support/upgrade_request.hpp"
#include "switchboard/ws/endpoint.hpp"
#include "ws_test_util.hpp"

using namespace std::chrono_literals;

namespace switchboard::ws {
namespace {

using test::client_frame;

// A server connection on an in-memory stream, and the client's end of it.
class ConnectionTest : public ::testing::Test {
 protected:
  void SetUp() override { rt_.start(); }
  void TearDown() override {
    switchboard::test::run_on(shard(), [this] {
      client_.reset();
      return 0;
    });
  }

  net::Shard& shard() { return rt_.runtime.shard(0); }

  void open(Handlers handlers) {
    switchboard::test::run_on(shard(), [&] {
      auto [server_end, client_end] = switchboard::test::MemoryStream::pair(shard());
      client_ = std::move(client_end);
      accept_stream(std::move(server_end), "",
                    switchboard::test::websocket_upgrade_request("/echo"),
                    {.ping_interval = 0ms, .idle_timeout = 0ms}, std::move(handlers));
      return 0;
    });
  }

  void send(const std::string& wire) {
    switchboard::test::run_on(shard(), [&] {
      client_->write(wire);
      return 0;
    });
  }

  // The payloads of the next `count` data frames the server sends (after its 101 answer).
  std::vector<std::string> receive(std::size_t count) {
    std::promise<void> done;
    auto future = done.get_future();
    std::vector<std::string> frames;
    switchboard::test::run_on(shard(), [&] {
      client_->on_receive([&] {
        reader_.add(client_->take_received());
        while (frames.size() < count) {
          auto frame = reader_.next();
          if (!frame) return;
          frames.push_back(frame->payload);
        }
        client_->on_receive(nullptr);
        done.set_value();
      });
      return 0;
    });
    if (future.wait_for(5s) != std::future_status::ready) {
      switchboard::test::run_on(shard(), [&] {
        client_->on_receive(nullptr);
        return 0;
      });
    }
    return frames;
  }

 private:
  switchboard::test::BackgroundRuntime rt_{1};
  std::unique_ptr<switchboard::test::MemoryStream> client_;
  test::ServerFrameReader reader_;
};

// Messages of every shape in one read: whole frames (handed out where they lie), a
// fragmented one (joined), one with a 16-bit length. Each handler call sees its own payload
// intact from start to end, though it answers (into the shard's scratch) meanwhile.
TEST_F(ConnectionTest, a_view_handler_sees_each_message_intact_for_the_whole_call) {
  std::vector<std::string> seen;
  std::vector<std::string> intact;
  open({.on_message_view = [&](const ConnectionPtr& c, MessageView m) {
    const std::string at_start(m.payload);
    seen.push_back(at_start);
    c->send_text(m.payload);
    c->send_binary(std::string(3000, 'b'));  // grows the scratch the answers are framed in
    c->send_text(m.payload);
    if (std::string(m.payload) == at_start) intact.push_back(at_start);
  }});
  const std::string big(200, 'x');
  send(client_frame({.payload = "first"}) + client_frame({.payload = "sec", .fin = false}) +
       client_frame({.opcode = Opcode::Continuation, .payload = "ond"}) +
       client_frame({.payload = big}) + client_frame({.opcode = Opcode::Binary, .payload = ""}));
  const auto frames = receive(12);
  const std::vector<std::string> expected = {"first", "second", big, ""};
  EXPECT_EQ(switchboard::test::run_on(shard(), [&] { return seen; }), expected);
  EXPECT_EQ(switchboard::test::run_on(shard(), [&] { return intact; }), expected);
  ASSERT_EQ(frames.size(), 12u);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(frames[3 * i], expected[i]);
    EXPECT_EQ(frames[3 * i + 1], std::string(3000, 'b'));
    EXPECT_EQ(frames[3 * i + 2], expected[i]);
  }
}

// A handler given a Message owns its payload: it still holds after later reads reuse the
// shard's read buffer.
TEST_F(ConnectionTest, a_message_handler_keeps_payloads_after_the_read_buffer_is_reused) {
  std::vector<std::string> kept;
  open({.on_message = [&](const ConnectionPtr& c, Message m) {
    kept.push_back(std::move(m.payload));
    c->send_text("ok");
  }});
  send(client_frame({.payload = "one"}));
  EXPECT_EQ(receive(1), std::vector<std::string>{"ok"});
  send(client_frame({.payload = "two"}) + client_frame({.payload = "three"}));
  EXPECT_EQ(receive(2), (std::vector<std::string>{"ok", "ok"}));
  EXPECT_EQ(switchboard::test::run_on(shard(), [&] { return kept; }),
            (std::vector<std::string>{"one", "two", "three"}));
}

// Answers framed in the scratch and a Pong queued between them leave in the order sent.
TEST_F(ConnectionTest, answers_and_pongs_leave_in_the_order_they_were_sent) {
  open({.on_message_view = [&](const ConnectionPtr& c, MessageView m) {
    c->send_text(std::string(m.payload) + "!");
  }});
  send(client_frame({.payload = "a"}) + client_frame({.opcode = Opcode::Ping, .payload = "p"}) +
       client_frame({.payload = "b"}));
  EXPECT_EQ(receive(3), (std::vector<std::string>{"a!", "p", "b!"}));
}

}  // namespace
}  // namespace switchboard::ws
