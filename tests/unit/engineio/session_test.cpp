// The session driver over in-memory WebSockets: what the core decides reaches the wire (the
// probe answer, the close codes, the queued packets after the upgrade) and the application
// (the close reason). Real shard, real WebSocket layer, no sockets.
#include "engineio/session.hpp"

#include <gtest/gtest.h>

#include <future>

#include "engineio/server_core.hpp"
#include "support/background_runtime.hpp"
#include "support/memory_stream.hpp"
#include "support/upgrade_request.hpp"
#include "switchboard/ws/endpoint.hpp"
#include "switchboard/ws/frame.hpp"

using namespace std::chrono_literals;

namespace switchboard::engineio::detail {
namespace {

std::string masked(std::string_view text, ws::Opcode opcode = ws::Opcode::Text) {
  std::string out;
  ws::append_frame(
      out, {.fin = true, .opcode = opcode, .masked = true, .mask = {0x37, 0xfa, 0x21, 0x3d}}, text);
  return out;
}

// A client's end of one WebSocket: the server's frames as "text" or "close <code> <reason>".
class WsClient {
 public:
  WsClient(net::Shard& shard, std::unique_ptr<test::MemoryStream> stream)
      : shard_(shard), stream_(std::move(stream)) {}
  ~WsClient() {
    test::run_on(shard_, [this] {
      stream_.reset();
      return 0;
    });
  }

  void send(std::string_view text, ws::Opcode opcode = ws::Opcode::Text) {
    test::run_on(shard_, [&] {
      stream_->write(masked(text, opcode));
      return 0;
    });
  }

  // The next frame the server sends (after its 101 answer), or "" on timeout.
  std::string next_frame() {
    std::promise<std::string> got;
    auto future = got.get_future();
    test::run_on(shard_, [&] {
      stream_->on_receive([&] {
        buffer_ += stream_->take_received();
        if (auto frame = take_frame()) {
          stream_->on_receive(nullptr);
          got.set_value(*frame);
        }
      });
      return 0;
    });
    if (future.wait_for(5s) != std::future_status::ready) {
      test::run_on(shard_, [&] {
        stream_->on_receive(nullptr);
        return 0;
      });
      return "";
    }
    return future.get();
  }

 private:
  std::optional<std::string> take_frame() {
    if (!upgraded_) {
      auto end = buffer_.find("\r\n\r\n");
      if (end == std::string::npos) return std::nullopt;
      EXPECT_EQ(buffer_.substr(0, 12), "HTTP/1.1 101");
      buffer_.erase(0, end + 4);
      upgraded_ = true;
    }
    if (buffer_.size() < 2) return std::nullopt;
    std::size_t length = static_cast<unsigned char>(buffer_[1]) & 0x7f;
    EXPECT_LT(length, 126u);  // these tests' frames are small
    if (buffer_.size() < 2 + length) return std::nullopt;
    auto opcode = static_cast<unsigned char>(buffer_[0]) & 0x0f;
    auto payload = buffer_.substr(2, length);
    buffer_.erase(0, 2 + length);
    if (opcode != 0x8) return payload;
    auto code = payload.size() >= 2 ? (static_cast<unsigned char>(payload[0]) << 8) |
                                          static_cast<unsigned char>(payload[1])
                                    : 0;
    return "close " + std::to_string(code) + (payload.size() > 2 ? " " + payload.substr(2) : "");
  }

  net::Shard& shard_;
  std::unique_ptr<test::MemoryStream> stream_;
  std::string buffer_;
  bool upgraded_ = false;
};

class SessionDriver : public ::testing::Test {
 protected:
  void SetUp() override { rt_.start(); }
  void TearDown() override {
    test::run_on(shard(), [this] {
      if (session_) session_->close_with("forced close", false);
      session_.reset();
      server_.reset();
      return 0;
    });
  }

  net::Shard& shard() { return rt_.runtime.shard(0); }

  // A polling session, started, with its handshake GET answered.
  void start_polling(ServerOptions options) {
    test::run_on(shard(), [&] {
      server_ = std::make_shared<ServerCore>(rt_.runtime, std::move(options));
      session_ =
          std::make_shared<Session>(server_, shard(), "s", std::make_shared<const http::Request>(),
                                    Session::Transport::Polling);
      server_->local()[session_->id()] = session_;
      session_->on_close(
          [this](std::string_view reason) { reason_.set_value(std::string(reason)); });
      session_->start(open_json(server_->options, "s", false));
      poll();
      return 0;
    });
    // The handshake GET's answer is the open packet.
    EXPECT_EQ(polls_.at(0).rfind(R"(0{"sid":"s","upgrades":["websocket"],)", 0), 0u);
  }

  // A GET (on the shard); its answer's body lands in polls_.
  void poll() {
    session_->poll({next_poll_++, [this](http::Response r) { polls_.push_back(r.body); }});
  }

  // A WebSocket opened with the session's sid: the probe.
  std::unique_ptr<WsClient> open_websocket() {
    return test::run_on(shard(), [&] {
      auto [server_end, client_end] = test::MemoryStream::pair(shard());
      ws::accept_stream(
          std::move(server_end), "",
          test::websocket_upgrade_request("/engine.io/?EIO=4&transport=websocket&sid=s"),
          {.ping_interval = 0ms, .idle_timeout = 0ms, .count_as_websocket = false},
          session_->websocket_listener(),
          [weak = std::weak_ptr(session_)](const ws::ConnectionPtr& c) {
            if (auto s = weak.lock()) s->probe(c);
          });
      return std::make_unique<WsClient>(shard(), std::move(client_end));
    });
  }

  std::string close_reason() {
    auto future = reason_.get_future();
    if (future.wait_for(5s) != std::future_status::ready) return "(not closed)";
    return future.get();
  }

  test::BackgroundRuntime rt_{1};
  std::shared_ptr<ServerCore> server_;
  std::shared_ptr<Session> session_;
  std::vector<std::string> polls_;
  std::uint64_t next_poll_ = 1;
  std::promise<std::string> reason_;
};

TEST_F(SessionDriver, an_upgrade_answers_the_probe_and_sends_what_polling_had_queued) {
  start_polling({});
  auto ws = open_websocket();
  ws->send("2probe");
  EXPECT_EQ(ws->next_frame(), "3probe");
  test::run_on(shard(), [&] {
    poll();  // paused: a noop
    session_->send("queued", false);
    return 0;
  });
  ws->send("5");
  EXPECT_EQ(ws->next_frame(), "4queued");
  test::run_on(shard(), [&] {
    EXPECT_EQ(polls_.at(1), "6");
    EXPECT_EQ(session_->transport(), "websocket");
    session_->send("after", false);
    return 0;
  });
  EXPECT_EQ(ws->next_frame(), "4after");
}

TEST_F(SessionDriver, a_second_websocket_after_the_upgrade_is_closed_with_1008) {
  start_polling({});
  auto ws = open_websocket();
  ws->send("2probe");
  EXPECT_EQ(ws->next_frame(), "3probe");
  ws->send("5");
  auto second = open_websocket();
  EXPECT_EQ(second->next_frame(), "close 1008 already upgraded");
  test::run_on(shard(), [&] {
    EXPECT_TRUE(session_->is_open());
    return 0;
  });
}

TEST_F(SessionDriver, an_unexpected_packet_on_the_probe_closes_it_with_1002) {
  start_polling({});
  auto ws = open_websocket();
  ws->send("4hello");
  EXPECT_EQ(ws->next_frame(), "close 1002 unexpected packet during upgrade");
  test::run_on(shard(), [&] {
    EXPECT_EQ(session_->transport(), "polling");
    EXPECT_TRUE(session_->is_open());
    return 0;
  });
}

TEST_F(SessionDriver, no_upgrade_in_time_closes_the_probe_with_1008) {
  start_polling({.upgrade_timeout = 300ms});
  auto ws = open_websocket();
  ws->send("2probe");
  EXPECT_EQ(ws->next_frame(), "3probe");
  EXPECT_EQ(ws->next_frame(), "close 1008 upgrade timeout");
}

TEST_F(SessionDriver, a_ping_timeout_on_the_websocket_reports_ping_timeout) {
  start_polling({.ping_interval = 200ms, .ping_timeout = 50ms});
  auto ws = open_websocket();
  ws->send("2probe");
  EXPECT_EQ(ws->next_frame(), "3probe");
  ws->send("5");
  EXPECT_EQ(ws->next_frame(), "2");
  EXPECT_EQ(ws->next_frame(), "close 1000");
  EXPECT_EQ(close_reason(), "ping timeout");
}

// on_message_view: messages from polling and from the WebSocket (text read in place, binary)
// reach the handler as views, and an answer sent from it leaves on the WebSocket.
TEST_F(SessionDriver, a_view_handler_gets_the_messages_of_either_transport) {
  start_polling({});
  std::vector<std::string> got;
  test::run_on(shard(), [&] {
    session_->on_message_view([&](std::string_view data, bool binary) {
      got.push_back((binary ? "binary " : "text ") + std::string(data));
      if (!binary && data.starts_with("echo")) session_->send(data, false);
    });
    auto answer = session_->post(
        "4polled\x1e"
        "bAQI=");
    EXPECT_EQ(answer.body, "ok");
    return 0;
  });
  auto ws = open_websocket();
  ws->send("2probe");
  EXPECT_EQ(ws->next_frame(), "3probe");
  ws->send("5");
  ws->send("4echo me");
  EXPECT_EQ(ws->next_frame(), "4echo me");
  ws->send("4");
  ws->send(std::string("\x01\x02", 2), ws::Opcode::Binary);
  ws->send("4echo last");
  EXPECT_EQ(ws->next_frame(), "4echo last");
  test::run_on(shard(), [&] {
    EXPECT_EQ(got, (std::vector<std::string>{"text polled", "binary \x01\x02", "text echo me",
                                             "text ", "binary \x01\x02", "text echo last"}));
    return 0;
  });
}

// Either kind of handler replaces the other.
TEST_F(SessionDriver, on_message_and_on_message_view_replace_each_other) {
  start_polling({});
  std::vector<std::string> got;
  test::run_on(shard(), [&] {
    session_->on_message_view(
        [&](std::string_view data, bool) { got.push_back("view " + std::string(data)); });
    session_->on_message([&](Packet p) { got.push_back("packet " + p.data); });
    session_->post("4a");
    session_->on_message_view(
        [&](std::string_view data, bool) { got.push_back("view " + std::string(data)); });
    session_->post("4b");
    EXPECT_EQ(got, (std::vector<std::string>{"packet a", "view b"}));
    return 0;
  });
}

// A SocketListener: what it got, in order; it may close its session from inside a message.
class Recorder final : public SocketListener {
 public:
  explicit Recorder(std::vector<std::string>& got) : got_(got) {}
  ~Recorder() override { got_.push_back("destroyed"); }
  void on_engine_message(std::string_view data, bool binary) override {
    got_.push_back((binary ? "binary " : "text ") + std::string(data));
    if (data == "close" && session) {
      session->close();
      // Still here (the session lets it go after this call): ASan would see a use after free.
      got_.push_back("after close");
    }
  }
  void on_engine_close(std::string_view reason) override {
    got_.push_back("close " + std::string(reason));
  }
  Session* session = nullptr;

 private:
  std::vector<std::string>& got_;
};

// listen(): the session, holding its listener alone, gives it the messages of either transport
// and then its end, once, and lets it go.
TEST_F(SessionDriver, a_listener_held_by_the_session_alone_gets_messages_then_the_end) {
  start_polling({});
  std::vector<std::string> got;
  std::weak_ptr<Recorder> weak;
  test::run_on(shard(), [&] {
    auto recorder = std::make_shared<Recorder>(got);
    weak = recorder;
    session_->listen(std::move(recorder));
    session_->post(
        "4polled\x1e"
        "bAQI=");
    return 0;
  });
  auto ws = open_websocket();
  ws->send("2probe");
  EXPECT_EQ(ws->next_frame(), "3probe");
  ws->send("5");
  ws->send("4on the websocket");
  ws->send(std::string("\x01\x02", 2), ws::Opcode::Binary);
  ws->send("1");  // the client closes
  EXPECT_EQ(ws->next_frame(), "close 1000");
  test::run_on(shard(), [&] {
    EXPECT_TRUE(weak.expired());
    EXPECT_EQ(got,
              (std::vector<std::string>{"text polled", "binary \x01\x02", "text on the websocket",
                                        "binary \x01\x02", "close transport close", "destroyed"}));
    return 0;
  });
}

// A listener that ends its session from inside a message is told of the end and kept until
// that call returns (the session calls it by plain reference, with no lock of its own).
TEST_F(SessionDriver, a_listener_that_closes_its_session_from_a_message_outlives_the_call) {
  start_polling({});
  std::vector<std::string> got;
  auto ws = open_websocket();
  ws->send("2probe");
  EXPECT_EQ(ws->next_frame(), "3probe");
  ws->send("5");
  std::weak_ptr<Recorder> weak;
  test::run_on(shard(), [&] {
    auto recorder = std::make_shared<Recorder>(got);
    recorder->session = session_.get();
    weak = recorder;
    session_->listen(std::move(recorder));
    return 0;
  });
  ws->send("4close");
  EXPECT_EQ(ws->next_frame(), "close 1000");
  test::run_on(shard(), [&] {
    EXPECT_TRUE(weak.expired());
    EXPECT_EQ(got, (std::vector<std::string>{"text close", "close forced close", "after close",
                                             "destroyed"}));
    return 0;
  });
}

// A handler set after listen() replaces the listener (which is let go), and listen() replaces
// the handlers.
TEST_F(SessionDriver, listen_and_the_handlers_replace_each_other) {
  start_polling({});
  std::vector<std::string> got;
  test::run_on(shard(), [&] {
    session_->listen(std::make_shared<Recorder>(got));
    session_->post("4a");
    session_->on_message_view(
        [&](std::string_view data, bool) { got.push_back("view " + std::string(data)); });
    session_->post("4b");
    session_->listen(std::make_shared<Recorder>(got));
    session_->post("4c");
    session_->close_with("forced close", false);
    EXPECT_EQ(got, (std::vector<std::string>{"text a", "destroyed", "view b", "text c",
                                             "close forced close", "destroyed"}));
    return 0;
  });
}

}  // namespace
}  // namespace switchboard::engineio::detail
