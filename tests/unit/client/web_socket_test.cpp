// client::WebSocket against a scripted server on 127.0.0.1 port 0.
#include "switchboard/client/web_socket.hpp"

#include <gtest/gtest.h>

#include "scripted_server.hpp"
#include "switchboard/client/error.hpp"

using namespace switchboard;
using namespace std::chrono_literals;
using test::run_until;
using test::ScriptedServer;

namespace {

std::string ws_url(const ScriptedServer& server) {
  return "ws" + server.url().substr(4) + "/ws";
}

}  // namespace

TEST(WebSocket, ReceivesTextAndReportsBackpressure) {
  boost::asio::io_context io;
  ScriptedServer server(io, {"hello"});
  client::WebSocket socket(io, {.soft_queue_limit = 0, .hard_queue_limit = 1000});
  std::vector<std::string> messages;
  socket.on_message([&](std::string m, bool) { messages.push_back(std::move(m)); });
  std::optional<boost::system::error_code> closed;
  socket.on_close([&](boost::system::error_code ec, ws::CloseCode) { closed = ec; });
  socket.connect(ws_url(server));
  ASSERT_TRUE(run_until(io, [&] { return !messages.empty(); }));
  EXPECT_EQ(messages[0], "hello");
  EXPECT_TRUE(socket.is_open());
  // Over the soft limit at once (it is 0); past the hard limit the connection is dropped.
  EXPECT_EQ(socket.send_text("x"), net::SendResult::Buffered);
  EXPECT_EQ(socket.send_binary(std::string(2000, 'y')), net::SendResult::Dropped);
  ASSERT_TRUE(run_until(io, [&] { return closed.has_value(); }));
  EXPECT_TRUE(*closed);
  EXPECT_FALSE(socket.is_open());
  EXPECT_EQ(socket.send_text("late"), net::SendResult::Dropped);
}

TEST(WebSocket, BadUrlsFailTheOpen) {
  boost::asio::io_context io;
  for (const char* url : {"nonsense", "ftp://127.0.0.1:1/"}) {
    client::WebSocket socket(io);
    std::optional<boost::system::error_code> result;
    socket.on_open([&](boost::system::error_code ec) { result = ec; });
    socket.connect(url);
    ASSERT_TRUE(run_until(io, [&] { return result.has_value(); })) << url;
    EXPECT_EQ(*result, client::Error::BadUrl) << url;
  }
}

TEST(WebSocket, WrongAcceptKeyFailsTheOpen) {
  boost::asio::io_context io;
  ScriptedServer server(io, {},
                        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                        "Connection: Upgrade\r\nSec-WebSocket-Accept: bm9wZQ==\r\n\r\n");
  client::WebSocket socket(io);
  std::optional<boost::system::error_code> result;
  socket.on_open([&](boost::system::error_code ec) { result = ec; });
  socket.connect(ws_url(server));
  ASSERT_TRUE(run_until(io, [&] { return result.has_value(); }));
  EXPECT_EQ(*result, client::Error::BadAcceptKey);
}
