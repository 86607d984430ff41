// The Engine.IO shell against a scripted server on 127.0.0.1 port 0: what the client does when
// the server stops pinging, or answers the handshake with garbage.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "switchboard/client/client.hpp"
#include "switchboard/ws/handshake.hpp"
#include "switchboard/ws/message_encoder.hpp"

using namespace switchboard;
using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// Accepts one connection, completes the WebSocket handshake and sends `frames` as text frames
// (or, when `handshake` is set, that raw answer instead); then reads and ignores everything.
class ScriptedServer {
 public:
  ScriptedServer(asio::io_context& io, std::vector<std::string> frames,
                 std::optional<std::string> handshake = std::nullopt)
      : acceptor_(io, {asio::ip::make_address("127.0.0.1"), 0}),
        socket_(io),
        frames_(std::move(frames)),
        handshake_(std::move(handshake)) {
    acceptor_.async_accept(socket_, [this](boost::system::error_code ec) {
      if (!ec) read_request();
    });
  }
  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
  }

 private:
  void read_request() {
    asio::async_read_until(socket_, asio::dynamic_buffer(in_), "\r\n\r\n",
                           [this](boost::system::error_code ec, std::size_t) {
                             if (ec) return;
                             std::smatch m;
                             std::regex key("Sec-WebSocket-Key: (\\S+)");
                             std::regex_search(in_, m, key);
                             out_ = handshake_.value_or(
                                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                 ws::accept_key(m[1].str()) + "\r\n\r\n");
                             if (!handshake_)
                               for (const auto& f : frames_)
                                 ws::append_server_frame(out_, ws::Opcode::Text, f);
                             asio::async_write(
                                 socket_, asio::buffer(out_),
                                 [this](boost::system::error_code, std::size_t) { drain(); });
                           });
  }
  void drain() {
    buf_.resize(4096);
    socket_.async_read_some(asio::buffer(buf_), [this](boost::system::error_code ec, std::size_t) {
      if (!ec) drain();
    });
  }

  tcp::acceptor acceptor_;
  tcp::socket socket_;
  std::vector<std::string> frames_;
  std::optional<std::string> handshake_;
  std::string in_, out_, buf_;
};

template <class Predicate>
bool run_until(asio::io_context& io, Predicate done, std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(20ms);
  }
  return true;
}

}  // namespace

TEST(Engine, ServerThatStopsPingingIsAPingTimeout) {
  asio::io_context io;
  ScriptedServer server(
      io, {R"(0{"sid":"s","upgrades":[],"pingInterval":50,"pingTimeout":50,"maxPayload":100})",
           R"(40{"sid":"socket"})"});
  client::Client manager(io, server.url(),
                         {.transports = {client::Transport::WebSocket}, .reconnection = false});
  auto socket = manager.socket("/");
  std::string reason;
  socket->on_disconnect([&](const std::string& r) { reason = r; });
  socket->connect();
  ASSERT_TRUE(run_until(io, [&] { return socket->connected(); }));
  EXPECT_EQ(socket->id(), "socket");
  auto since = std::chrono::steady_clock::now();
  ASSERT_TRUE(run_until(io, [&] { return !reason.empty(); }));
  EXPECT_EQ(reason, "ping timeout");
  EXPECT_GE(std::chrono::steady_clock::now() - since, 50ms);
}

TEST(Engine, RefusedUpgradeIsAConnectError) {
  asio::io_context io;
  ScriptedServer server(io, {}, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
  client::Client manager(io, server.url(),
                         {.transports = {client::Transport::WebSocket}, .reconnection = false});
  auto socket = manager.socket("/");
  std::optional<client::ConnectError> error;
  socket->on_connect_error([&](const client::ConnectError& e) { error = e; });
  socket->connect();
  ASSERT_TRUE(run_until(io, [&] { return error.has_value(); }));
  EXPECT_TRUE(error->transport);
  EXPECT_EQ(error->message, "transport error");
}

TEST(Engine, GarbageOpenPacketIsAParseError) {
  asio::io_context io;
  ScriptedServer server(io, {"0not json"});
  client::Client manager(io, server.url(),
                         {.transports = {client::Transport::WebSocket}, .reconnection = false});
  auto socket = manager.socket("/");
  std::optional<client::ConnectError> error;
  socket->on_connect_error([&](const client::ConnectError& e) { error = e; });
  socket->connect();
  ASSERT_TRUE(run_until(io, [&] { return error.has_value(); }));
  EXPECT_EQ(error->message, "parse error");
}
