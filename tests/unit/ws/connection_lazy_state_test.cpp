// The WebSocket connection over an in-memory stream: the state it allocates only when a path
// needs it (a message under way across reads, compression) works on that path, and what it
// does not need after the handshake (on_open's captures) is not kept. Real shard, no sockets.
#include <gtest/gtest.h>

#include <future>

#include "support/background_runtime.hpp"
#include "support/memory_stream.hpp"
#include "support/upgrade_request.hpp"
#include "switchboard/ws/endpoint.hpp"
#include "switchboard/ws/frame.hpp"
#include "ws_test_util.hpp"

using namespace std::chrono_literals;

namespace switchboard::ws {
namespace {

std::string frame(Opcode opcode, std::string_view payload, bool fin = true) {
  std::string out;
  append_frame(out, {.fin = fin, .opcode = opcode, .masked = true, .mask = {1, 2, 3, 4}}, payload);
  return out;
}

using Received = test::ServerFrameReader::Frame;

class Connection : public ::testing::Test {
 protected:
  void SetUp() override { rt_.start(); }
  void TearDown() override {
    switchboard::test::run_on(shard(), [this] {
      if (connection_) connection_->close(CloseCode::NormalClosure, "");
      connection_.reset();
      client_.reset();
      return 0;
    });
  }

  net::Shard& shard() { return rt_.runtime.shard(0); }

  void open(ServerOptions options, Handlers handlers, bool deflate = false) {
    options.ping_interval = 0ms;
    options.idle_timeout = 0ms;
    options.count_as_websocket = false;
    handlers.on_message = [this](const ConnectionPtr&, Message m) {
      messages_.set_value(std::move(m.payload));
    };
    handlers.on_close = [this](const ConnectionPtr&, CloseCode code, std::string_view reason) {
      closed_.set_value(std::to_string(static_cast<int>(code)) + " " + std::string(reason));
    };
    switchboard::test::run_on(shard(), [&] {
      auto [server_end, client_end] = switchboard::test::MemoryStream::pair(shard());
      client_ = std::move(client_end);
      connection_ = accept_stream(
          std::move(server_end), "",
          switchboard::test::websocket_upgrade_request("/ws", deflate ? "permessage-deflate" : ""),
          options, std::move(handlers));
      return 0;
    });
  }

  void send(const std::string& bytes) {
    switchboard::test::run_on(shard(), [&] {
      client_->write(bytes);
      return 0;
    });
  }

  // The next frame the server sends after its 101 answer (empty opcode 0 on timeout).
  Received next_frame() {
    std::promise<Received> got;
    auto future = got.get_future();
    switchboard::test::run_on(shard(), [&] {
      auto take = [this, &got] {
        reader_.add(client_->take_received());
        if (auto f = reader_.next()) {
          client_->on_receive(nullptr);
          got.set_value(*f);
        }
      };
      client_->on_receive(take);
      take();
      return 0;
    });
    if (future.wait_for(5s) != std::future_status::ready) {
      switchboard::test::run_on(shard(), [&] {
        client_->on_receive(nullptr);
        return 0;
      });
      return {};
    }
    return future.get();
  }

  std::string message() {
    auto future = messages_.get_future();
    return future.wait_for(5s) == std::future_status::ready ? future.get() : "(none)";
  }

  std::string close_reason() {
    auto future = closed_.get_future();
    return future.wait_for(5s) == std::future_status::ready ? future.get() : "(not closed)";
  }

  switchboard::test::BackgroundRuntime rt_{1};
  std::unique_ptr<switchboard::test::MemoryStream> client_;
  ConnectionPtr connection_;
  std::promise<std::string> messages_;
  std::promise<std::string> closed_;

 private:
  test::ServerFrameReader reader_;
};

TEST_F(Connection, on_open_runs_once_and_what_it_captured_is_not_kept) {
  auto token = std::make_shared<int>(1);
  std::weak_ptr<int> weak = token;
  int opened = 0;
  open({}, {.on_open = [token = std::move(token), &opened](const ConnectionPtr&) { ++opened; }});
  EXPECT_EQ(opened, 1);
  // Still open, yet the handler and its captures are gone.
  EXPECT_TRUE(switchboard::test::run_on(shard(), [this] { return connection_->is_open(); }));
  EXPECT_TRUE(weak.expired());
}

TEST_F(Connection, a_message_fragmented_across_reads_arrives_whole) {
  open({}, {});
  send(frame(Opcode::Text, "hel", false));
  send(frame(Opcode::Continuation, "lo, ", false));
  send(frame(Opcode::Ping, "between"));  // a control frame in the middle of the message
  EXPECT_EQ(next_frame().payload, "between");
  send(frame(Opcode::Continuation, "world"));
  EXPECT_EQ(message(), "hello, world");
}

TEST_F(Connection, a_message_not_finished_in_time_is_failed_with_1008) {
  open({.message_timeout = 50ms}, {});
  send(frame(Opcode::Text, "never ", false));
  EXPECT_EQ(close_reason(), "1008 message not received in time");
}

TEST_F(Connection, a_partial_message_over_the_shards_budget_is_failed_with_1009) {
  open({.message_budget = 16}, {});
  send(frame(Opcode::Binary, std::string(100, 'x'), false));
  EXPECT_EQ(close_reason(), "1009 too many bytes of unfinished messages on the server");
}

TEST_F(Connection, after_a_fragmented_message_a_whole_one_still_arrives) {
  open({.message_timeout = 60s}, {});
  send(frame(Opcode::Text, "a", false));
  send(frame(Opcode::Continuation, "b"));
  EXPECT_EQ(message(), "ab");
  messages_ = {};
  send(frame(Opcode::Text, "whole"));
  EXPECT_EQ(message(), "whole");
}

TEST_F(Connection, a_connection_that_negotiated_deflate_compresses_what_it_sends) {
  ServerOptions options{.permessage_deflate = {.enabled = true, .compress_threshold = 64}};
  open(options, {}, true);
  const std::string text(1000, 'a');
  switchboard::test::run_on(shard(), [&] { return connection_->send_text(text); });
  auto f = next_frame();
  EXPECT_TRUE(f.rsv1);
  EXPECT_EQ(f.opcode, 1);
  EXPECT_LT(f.payload.size(), text.size());
  // Under the threshold: sent as it is.
  switchboard::test::run_on(shard(), [&] { return connection_->send_text("short"); });
  f = next_frame();
  EXPECT_FALSE(f.rsv1);
  EXPECT_EQ(f.payload, "short");
}

TEST_F(Connection, a_connection_without_deflate_never_compresses) {
  open({.permessage_deflate = {.enabled = true, .compress_threshold = 0}}, {}, false);
  const std::string text(1000, 'a');
  switchboard::test::run_on(shard(), [&] { return connection_->send_text(text); });
  auto f = next_frame();
  EXPECT_FALSE(f.rsv1);
  EXPECT_EQ(f.payload, text);
}

}  // namespace
}  // namespace switchboard::ws
