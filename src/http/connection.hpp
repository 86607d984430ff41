#pragma once
// Private: one HTTP/1.1 connection — reads, parses under limits, dispatches, writes in order.

#include <memory>
#include <optional>
#include <string>

#include "http/request_parser.hpp"
#include "switchboard/http/server.hpp"
#include "switchboard/log/logger.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/net/write_queue.hpp"

namespace switchboard::http::detail {

/// What the server shares with each of its connections.
struct ServerCore {
  ServerOptions options;
  Router router;
};

class Connection;

/// The state behind an Exchange handle.
struct ExchangeState {
  std::shared_ptr<Connection> connection;  // reset once the exchange is over
  net::Shard* shard = nullptr;             // the connection's, kept for after it

  Request request;
  bool head_only = false;
  bool answered = false;
  bool streaming = false;
  bool chunked = false;
  bool finished = false;
  bool closed = false;
  /// For the access log: written once, with what was sent and how long it took.
  bool logged = false;
  int status = 0;
  std::size_t bytes_sent = 0;
  std::chrono::steady_clock::time_point started;
  std::vector<std::function<void()>> on_close;
};

class Connection final : public net::Shard::StopListener,
                         private net::WriteQueue::Owner,
                         private net::Stream::Waiter,
                         public std::enable_shared_from_this<Connection> {
 public:
  Connection(std::shared_ptr<const ServerCore> core, std::unique_ptr<net::Stream> stream,
             std::string leftover);
  ~Connection();
  void start();
  void on_shard_stop() override;

  // Called through Exchange / ResponseStream.
  void respond(ExchangeState& ex, Response response);
  void start_stream(ExchangeState& ex, Response head);
  net::SendResult write_piece(ExchangeState& ex, std::string piece, bool is_volatile);
  void end_stream(ExchangeState& ex);
  Upgraded upgrade(ExchangeState& ex);
  net::Shard& shard() { return stream_->shard(); }

 private:
  enum class Phase { Idle, Head, Body, Handling, Closing };

  // net::WriteQueue::Owner
  void on_write_error() override { close_now(); }
  void on_write_overflow() override {
    log_close(log::Level::Info, "slow consumer");
    close_now();
  }
  std::shared_ptr<const void> keep_alive() override { return weak_from_this().lock(); }

  void read();
  void on_ready(boost::system::error_code ec) override;
  void on_wait_dropped() noexcept override;
  void on_read(boost::system::error_code ec, std::size_t n);
  void process();
  bool feed();
  void on_header_done();
  void dispatch();
  void fail(int status, std::string_view message);
  void finish(ExchangeState& ex, bool keep_alive);
  void next_request();
  std::string serialize_head(const ExchangeState& ex, Response& r, bool with_length);
  void set_phase(Phase phase);
  void close_gracefully();
  void close_now();
  void peer_gone();
  void log_access(ExchangeState& ex);
  void log_close(log::Level level, std::string_view reason, int status = 0);

  std::shared_ptr<const ServerCore> core_;
  std::unique_ptr<net::Stream> stream_;
  net::Shard::Activity activity_;
  net::WriteQueue queue_;
  net::Timer timer_;
  std::string in_;
  std::optional<RequestParser> parser_;
  Router::Match match_;
  std::shared_ptr<ExchangeState> current_;
  Phase phase_ = Phase::Idle;
  /// Bytes read and discarded while closing (bounded by the linger options).
  std::size_t lingered_ = 0;
  bool reading_ = false;
  /// The parked read wait's hold on the connection (what its capture was), kept across the
  /// waits that follow one another, let go when the connection stops reading.
  std::shared_ptr<Connection> held_;
  bool closed_ = false;
  bool eof_ = false;
};

}  // namespace switchboard::http::detail
