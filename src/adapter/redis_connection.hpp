#pragma once
// Private: one TCP connection to Redis on an io_context. RESP goes through hiredis' reader and
// formatter; the connection reconnects with back-off until closed. It knows nothing of
// commands or Pub/Sub: RedisClient pairs replies with callbacks.

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "switchboard/adapter/redis_client.hpp"

struct redisReader;

namespace switchboard::adapter::detail {

namespace asio = boost::asio;

class RedisConnection : public std::enable_shared_from_this<RedisConnection> {
 public:
  struct Events {
    /// The connection is up (first time or again).
    std::function<void()> on_connected;
    /// The connection is down (or an attempt failed); `why` says what happened.
    std::function<void(const std::string& why)> on_lost;
    std::function<void(RedisReply)> on_reply;
  };

  RedisConnection(asio::io_context& context, const RedisOptions& options, Events events);
  ~RedisConnection();

  void start();
  void close();
  bool connected() const { return connected_; }
  /// Drops the connection (a dead peer found by a health check); it reconnects after back-off.
  void reset(const std::string& why);
  /// Queues a command; only while connected.
  void send(const std::vector<std::string>& args);

 private:
  void connect();
  void on_connected(std::uint64_t generation);
  /// AUTH and SELECT answered: the connection is usable.
  void ready();
  void append(const std::vector<std::string>& args);
  void read(std::uint64_t generation);
  void parse(std::size_t n);
  void flush();
  void lost(const std::string& why);
  void schedule_reconnect();

  const RedisOptions options_;
  Events events_;
  asio::ip::tcp::resolver resolver_;
  asio::ip::tcp::socket socket_;
  asio::steady_timer timer_;
  redisReader* reader_ = nullptr;
  std::string pending_;
  std::string writing_;
  std::array<char, 16384> buffer_{};
  std::chrono::milliseconds backoff_;
  std::uint64_t generation_ = 0;
  /// Replies still expected to the AUTH / SELECT sent on connecting.
  int handshake_ = 0;
  bool connected_ = false;
  bool closed_ = false;
  bool started_ = false;
};

/// Converts a hiredis reply tree.
RedisReply to_reply(const void* hiredis_reply);

}  // namespace switchboard::adapter::detail
