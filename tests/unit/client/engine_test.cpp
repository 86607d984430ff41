// The Engine.IO shell against a scripted server on 127.0.0.1 port 0: what the client does when
// the server stops pinging, or answers the handshake with garbage.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "scripted_server.hpp"
#include "switchboard/client/client.hpp"

using namespace switchboard;
using namespace std::chrono_literals;
using test::run_until;
using test::ScriptedServer;
namespace asio = boost::asio;

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

TEST(Engine, EmitReportsAFullWriteQueue) {
  asio::io_context io;
  ScriptedServer server(
      io, {R"(0{"sid":"s","upgrades":[],"pingInterval":5000,"pingTimeout":5000,"maxPayload":100})",
           R"(40{"sid":"socket"})"});
  client::Client manager(io, server.url(),
                         {.transports = {client::Transport::WebSocket}, .reconnection = false});
  auto socket = manager.socket("/");
  socket->connect();
  ASSERT_TRUE(run_until(io, [&] { return socket->connected(); }));
  EXPECT_EQ(socket->emit("small", 1), net::SendResult::Sent);
  // 2 MiB cannot have left yet: the write queue is over its 1 MiB soft limit.
  EXPECT_EQ(socket->emit("big", std::string(2 << 20, 'x')), net::SendResult::Buffered);
  EXPECT_EQ(socket->emit("small", 2), net::SendResult::Buffered);
}
