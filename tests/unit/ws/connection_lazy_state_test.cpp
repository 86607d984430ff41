// The WebSocket connection over an in-memory stream: the state it allocates only when a path
// needs it (a message under way across reads, compression) works on that path, and what it
// does not need after the handshake (on_open's captures) is not kept. Real shard, no sockets.
#include <gtest/gtest.h>

#include <future>
#include <memory>
#include <string>
#include <vector>

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

// The connection keeps no buffer for control frames between them: each one is received into
// state of its own, given away (Ping, Pong) or freed (Close) at its end.
TEST_F(Connection, control_frames_one_after_another_each_arrive_whole) {
  open({}, {});
  send(frame(Opcode::Ping, "first"));
  EXPECT_EQ(next_frame().payload, "first");
  send(frame(Opcode::Pong, "unsolicited"));  // answered by nothing
  std::string ping(125, 'p');                // the longest control payload, in two reads
  auto bytes = frame(Opcode::Ping, ping);
  send(bytes.substr(0, 40));
  send(bytes.substr(40));
  EXPECT_EQ(next_frame().payload, ping);
  send(frame(Opcode::Text, "then a message"));
  EXPECT_EQ(message(), "then a message");
  std::string close_payload{'\x03', '\xe8'};
  send(frame(Opcode::Close, close_payload + "bye"));
  EXPECT_EQ(close_reason(), "1000 bye");
}

// Failing a connection (1009 here) makes it linger: its Close goes out, then it reads and
// discards what the peer still sends, within the linger bounds kept in 32 bits.
TEST_F(Connection, a_failed_connection_lingers_and_discards_what_the_peer_still_sends) {
  open({.max_message_size = 8, .linger = {.timeout = 5s, .max_bytes = 1 << 20}}, {});
  send(frame(Opcode::Binary, std::string(64, 'x')));
  EXPECT_EQ(close_reason(), "1009 message exceeds the size limit");
  auto f = next_frame();
  EXPECT_EQ(f.opcode, 8);
  send(std::string(1000, 'y'));  // the rest of what the peer was sending: discarded
  EXPECT_FALSE(switchboard::test::run_on(shard(), [this] { return connection_->is_open(); }));
}

TEST_F(Connection, a_negotiated_subprotocol_is_reported_and_none_is_empty) {
  open({}, {});
  EXPECT_EQ(switchboard::test::run_on(shard(), [this] { return connection_->protocol(); }), "");
  switchboard::test::run_on(shard(), [this] {
    connection_->close(CloseCode::NormalClosure, "");
    connection_.reset();
    return 0;
  });
  switchboard::test::run_on(shard(), [this] {
    auto [server_end, client_end] = switchboard::test::MemoryStream::pair(shard());
    client_ = std::move(client_end);
    auto request = switchboard::test::websocket_upgrade_request("/ws");
    request.headers.add("Sec-WebSocket-Protocol", "chat, superchat");
    connection_ = accept_stream(std::move(server_end), "", std::move(request),
                                {.ping_interval = 0ms,
                                 .idle_timeout = 0ms,
                                 .subprotocols = {"superchat"},
                                 .count_as_websocket = false},
                                Handlers{});
    return 0;
  });
  EXPECT_EQ(switchboard::test::run_on(shard(), [this] { return connection_->protocol(); }),
            "superchat");
}

// Handlers shared by an endpoint's connections: each connection holds a reference, not a copy,
// and lets it go once closed.
TEST_F(Connection, connections_share_one_handlers_object_and_let_it_go_when_closed) {
  std::promise<std::string> got;
  auto handlers = std::make_shared<const Handlers>(Handlers{
      .on_message = [&got](const ConnectionPtr&, Message m) { got.set_value(m.payload); }});
  std::unique_ptr<switchboard::test::MemoryStream> a_client, b_client;
  ConnectionPtr a, b;
  switchboard::test::run_on(shard(), [&] {
    ServerOptions options{.ping_interval = 0ms, .idle_timeout = 0ms, .count_as_websocket = false};
    auto [a_server, a_end] = switchboard::test::MemoryStream::pair(shard());
    auto [b_server, b_end] = switchboard::test::MemoryStream::pair(shard());
    a_client = std::move(a_end);
    b_client = std::move(b_end);
    a = accept_stream(std::move(a_server), "", switchboard::test::websocket_upgrade_request("/ws"),
                      options, handlers);
    b = accept_stream(std::move(b_server), "", switchboard::test::websocket_upgrade_request("/ws"),
                      options, handlers);
    return 0;
  });
  EXPECT_EQ(handlers.use_count(), 3);
  switchboard::test::run_on(shard(), [&] {
    a->close(CloseCode::NormalClosure, "");
    b_client->write(frame(Opcode::Text, "to b"));
    return 0;
  });
  auto future = got.get_future();
  ASSERT_EQ(future.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(future.get(), "to b");
  EXPECT_EQ(handlers.use_count(), 2);  // a's reference went at its close
  switchboard::test::run_on(shard(), [&] {
    b->close(CloseCode::NormalClosure, "");
    a.reset();
    b.reset();
    a_client.reset();
    b_client.reset();
    return 0;
  });
  EXPECT_EQ(handlers.use_count(), 1);
}

// A listener receives the messages and the close; held weakly, so once it is gone what
// arrives is dropped.
class RecordingListener : public Listener {
 public:
  void on_ws_message(const ConnectionPtr&, MessageView m) override {
    messages.emplace_back(m.payload);
  }
  void on_ws_close(const ConnectionPtr&, CloseCode code, std::string_view reason) override {
    closes.push_back(std::to_string(static_cast<int>(code)) + " " + std::string(reason));
  }
  std::vector<std::string> messages;
  std::vector<std::string> closes;
};

TEST_F(Connection, a_listener_receives_messages_and_the_close_and_is_held_weakly) {
  auto listener = std::make_shared<RecordingListener>();
  int opened = 0;
  switchboard::test::run_on(shard(), [&] {
    auto [server_end, client_end] = switchboard::test::MemoryStream::pair(shard());
    client_ = std::move(client_end);
    connection_ = accept_stream(
        std::move(server_end), "", switchboard::test::websocket_upgrade_request("/ws"),
        {.ping_interval = 0ms, .idle_timeout = 0ms, .count_as_websocket = false},
        std::weak_ptr<Listener>(listener), [&opened](const ConnectionPtr&) { ++opened; });
    return 0;
  });
  EXPECT_EQ(opened, 1);
  EXPECT_EQ(listener.use_count(), 1);
  send(frame(Opcode::Text, "one"));
  send(frame(Opcode::Ping, "sync"));
  EXPECT_EQ(next_frame().payload, "sync");
  switchboard::test::run_on(shard(), [&] {
    EXPECT_EQ(listener->messages, std::vector<std::string>{"one"});
    connection_->close(CloseCode::NormalClosure, "done");
    EXPECT_EQ(listener->closes, std::vector<std::string>{"1000 done"});
    return 0;
  });
}

TEST_F(Connection, messages_for_a_listener_that_is_gone_are_dropped) {
  auto listener = std::make_shared<RecordingListener>();
  switchboard::test::run_on(shard(), [&] {
    auto [server_end, client_end] = switchboard::test::MemoryStream::pair(shard());
    client_ = std::move(client_end);
    connection_ = accept_stream(
        std::move(server_end), "", switchboard::test::websocket_upgrade_request("/ws"),
        {.ping_interval = 0ms, .idle_timeout = 0ms, .count_as_websocket = false},
        std::weak_ptr<Listener>(listener), nullptr);
    return 0;
  });
  std::weak_ptr<RecordingListener> weak = listener;
  listener.reset();
  EXPECT_TRUE(weak.expired());
  send(frame(Opcode::Text, "nobody"));
  send(frame(Opcode::Ping, "still served"));
  EXPECT_EQ(next_frame().payload, "still served");
}

}  // namespace
}  // namespace switchboard::ws
