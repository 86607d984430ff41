#pragma once
// A scripted WebSocket server on 127.0.0.1 port 0 for the client's shell tests, and a loop
// runner that waits for a condition with a deadline.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/ws/handshake.hpp"
#include "switchboard/ws/message_encoder.hpp"

namespace switchboard::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

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
                             // No std::regex: GCC 12 warns inside it at -O1 (asan).
                             std::string key;
                             constexpr std::string_view kName = "Sec-WebSocket-Key: ";
                             if (auto at = in_.find(kName); at != std::string::npos) {
                               auto begin = at + kName.size();
                               key = in_.substr(begin, in_.find("\r\n", begin) - begin);
                             }
                             out_ = handshake_.value_or(
                                 "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                 "Connection: Upgrade\r\nSec-WebSocket-Accept: " +
                                 ws::accept_key(key) + "\r\n\r\n");
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
inline bool run_until(asio::io_context& io, Predicate done,
                      std::chrono::milliseconds timeout = 5s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(20ms);
  }
  return true;
}

}  // namespace switchboard::test
