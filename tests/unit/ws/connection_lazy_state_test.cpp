// The WebSocket connection over an in-memory stream: the state it allocates only when a path
// needs it (a message under way across reads, compression) works on that path, and what it
// does not need after the handshake (on_open's captures) is not kept. Real shard, no sockets.
#include <gtest/gtest.h>

#include <future>

#include "support/background_runtime.hpp"
#include "support/memory_stream.hpp"
#include "switchboard/ws/endpoint.hpp"
#include "switchboard/ws/frame.hpp"

using namespace std::chrono_literals;

namespace switchboard::ws {
namespace {

// Runs fn on the shard and returns its result.
template <class F>
auto on_shard(net::Shard& shard, F fn) {
  std::packaged_task<decltype(fn())()> task(std::move(fn));
  auto result = task.get_future();
  shard.post([&task] { task(); });
  return result.get();
}

std::string frame(Opcode opcode, std::string_view payload, bool fin = true) {
  std::string out;
  append_frame(out, {.fin = fin, .opcode = opcode, .masked = true, .mask = {1, 2, 3, 4}}, payload);
  return out;
}

http::Request upgrade_request(bool deflate) {
  http::Request r;
  r.method = "GET";
  r.target = "/ws";
  r.path = "/ws";
  r.headers.add("Host", "localhost");
  r.headers.add("Connection", "Upgrade");
  r.headers.add("Upgrade", "websocket");
  r.headers.add("Sec-WebSocket-Version", "13");
  r.headers.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  if (deflate) r.headers.add("Sec-WebSocket-Extensions", "permessage-deflate");
  return r;
}

// One server frame as the client sees it.
struct Received {
  bool rsv1 = false;
  int opcode = 0;
  std::string payload;
};

class Connection : public ::testing::Test {
 protected:
  void SetUp() override { rt_.start(); }
  void TearDown() override {
    on_shard(shard(), [this] {
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
    on_shard(shard(), [&] {
      auto [server_end, client_end] = test::MemoryStream::pair(shard());
      client_ = std::move(client_end);
      connection_ = accept_stream(std::move(server_end), "", upgrade_request(deflate), options,
                                  std::move(handlers));
      return 0;
    });
  }

  void send(const std::string& bytes) {
    on_shard(shard(), [&] {
      client_->write(bytes);
      return 0;
    });
  }

  // The next frame the server sends after its 101 answer (empty opcode 0 on timeout).
  Received next_frame() {
    std::promise<Received> got;
    auto future = got.get_future();
    on_shard(shard(), [&] {
      auto take = [this, &got] {
        buffer_ += client_->take_received();
        if (auto f = take_frame()) {
          client_->on_receive(nullptr);
          got.set_value(*f);
        }
      };
      client_->on_receive(take);
      take();
      return 0;
    });
    if (future.wait_for(5s) != std::future_status::ready) {
      on_shard(shard(), [&] {
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

  test::BackgroundRuntime rt_{1};
  std::unique_ptr<test::MemoryStream> client_;
  ConnectionPtr connection_;
  std::promise<std::string> messages_;
  std::promise<std::string> closed_;

 private:
  std::optional<Received> take_frame() {
    if (!upgraded_) {
      auto end = buffer_.find("\r\n\r\n");
      if (end == std::string::npos) return std::nullopt;
      EXPECT_EQ(buffer_.substr(0, 12), "HTTP/1.1 101");
      buffer_.erase(0, end + 4);
      upgraded_ = true;
    }
    if (buffer_.size() < 2) return std::nullopt;
    std::size_t header = 2;
    std::size_t length = static_cast<unsigned char>(buffer_[1]) & 0x7f;
    if (length == 126) {
      if (buffer_.size() < 4) return std::nullopt;
      length =
          (static_cast<unsigned char>(buffer_[2]) << 8) | static_cast<unsigned char>(buffer_[3]);
      header = 4;
    }
    EXPECT_NE(length, 127u);  // these tests' frames are under 64 KiB
    if (buffer_.size() < header + length) return std::nullopt;
    Received r{.rsv1 = (static_cast<unsigned char>(buffer_[0]) & 0x40) != 0,
               .opcode = static_cast<unsigned char>(buffer_[0]) & 0x0f,
               .payload = buffer_.substr(header, length)};
    buffer_.erase(0, header + length);
    return r;
  }

  std::string buffer_;
  bool upgraded_ = false;
};

TEST_F(Connection, on_open_runs_once_and_what_it_captured_is_not_kept) {
  auto token = std::make_shared<int>(1);
  std::weak_ptr<int> weak = token;
  int opened = 0;
  open({}, {.on_open = [token = std::move(token), &opened](const ConnectionPtr&) { ++opened; }});
  EXPECT_EQ(opened, 1);
  // Still open, yet the handler and its captures are gone.
  EXPECT_TRUE(on_shard(shard(), [this] { return connection_->is_open(); }));
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
  on_shard(shard(), [&] { return connection_->send_text(text); });
  auto f = next_frame();
  EXPECT_TRUE(f.rsv1);
  EXPECT_EQ(f.opcode, 1);
  EXPECT_LT(f.payload.size(), text.size());
  // Under the threshold: sent as it is.
  on_shard(shard(), [&] { return connection_->send_text("short"); });
  f = next_frame();
  EXPECT_FALSE(f.rsv1);
  EXPECT_EQ(f.payload, "short");
}

TEST_F(Connection, a_connection_without_deflate_never_compresses) {
  open({.permessage_deflate = {.enabled = true, .compress_threshold = 0}}, {}, false);
  const std::string text(1000, 'a');
  on_shard(shard(), [&] { return connection_->send_text(text); });
  auto f = next_frame();
  EXPECT_FALSE(f.rsv1);
  EXPECT_EQ(f.payload, text);
}

}  // namespace
}  // namespace switchboard::ws
