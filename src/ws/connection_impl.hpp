#pragma once
// Private: the WebSocket connection shell.

#include "switchboard/log/level.hpp"
#include "switchboard/metrics/cells.hpp"
#include "switchboard/net/runtime.hpp"
#include "switchboard/net/stream.hpp"
#include "switchboard/ws/connection.hpp"
#include "switchboard/ws/message_decoder.hpp"
#include "switchboard/ws/message_encoder.hpp"
#include "ws/message_budget.hpp"
#include "ws/message_deadline.hpp"

namespace switchboard::ws::detail {

class ConnectionImpl final : public Connection,
                             public net::Shard::StopListener,
                             private net::Stream::Waiter,
                             public std::enable_shared_from_this<ConnectionImpl> {
 public:
  ConnectionImpl(std::unique_ptr<net::Stream> stream, http::Request request,
                 const ServerOptions& options, Handlers handlers, std::string protocol,
                 std::optional<DeflateParams> deflate);
  ~ConnectionImpl() override;

  /// Writes the handshake answer, runs `on_open` (then lets it go: what it captured is not
  /// kept for the connection's life), feeds bytes read past the request, and starts reading.
  void start(std::string handshake_response, std::string leftover,
             std::function<void(const ConnectionPtr&)> on_open);

  net::SendResult send_text(std::string_view text, bool is_volatile) override;
  net::SendResult send_binary(std::string_view bytes, bool is_volatile) override;
  net::SendResult send(const std::shared_ptr<const PreparedMessage>& message,
                       bool is_volatile) override;
  void close(CloseCode code, std::string_view reason) override;
  bool is_open() const override { return state_ == State::Open; }
  const http::Request& request() const override { return *request_; }
  std::shared_ptr<const http::Request> shared_request() const override { return request_; }
  std::string_view protocol() const override { return protocol_; }
  std::size_t buffered_amount() const override { return queue_.queued_bytes(); }
  std::uint64_t id() const override { return id_; }
  net::Shard& shard() override { return stream_->shard(); }
  void on_shard_stop() override;

 private:
  enum class State { Open, Closing, Closed };

  void wait_readable();
  void on_ready(boost::system::error_code ec) override;
  void on_wait_dropped() noexcept override;
  void on_readable(boost::system::error_code ec);
  bool consume(std::span<std::uint8_t> bytes);
  bool handle(Event& event, ConnectionPtr& self);
  net::SendResult send_data(Opcode opcode, std::string_view payload, bool is_volatile);
  void fail(CloseCode code, std::string_view reason);
  void on_peer_close(CloseCode code, std::string_view reason);
  void finish_after_drain();
  void linger();
  void terminate();
  void log_close(log::Level level, std::string_view by, CloseCode code, std::string_view reason);
  void notify_closed(CloseCode code, std::string_view reason);
  void watch_message();
  void shed(MessageBudget& budget);
  void arm_timer();
  void on_tick();

  std::unique_ptr<net::Stream> stream_;
  net::Shard::Activity activity_;
  std::shared_ptr<const http::Request> request_;
  /// What the connection needs of its options after construction (not a copy of them all).
  struct Kept {
    std::chrono::milliseconds ping_interval;
    std::chrono::milliseconds idle_timeout;
    std::chrono::milliseconds close_timeout;
    net::LingerOptions linger;
    std::size_t message_budget;
    std::chrono::milliseconds message_timeout;
  };
  /// What a message under way across reads needs, allocated when one begins and freed when it
  /// ends (an idle connection holds none): its share of the shard's budget for partial
  /// messages, and its deadline.
  struct Partial {
    Partial(MessageBudget& budget, void* owner, std::chrono::milliseconds limit)
        : account(budget, owner), deadline(limit) {}
    MessageBudget::Account account;
    MessageDeadline deadline;
  };

  Kept options_;
  /// The application's handlers but on_open, which start() runs and lets go.
  std::function<void(const ConnectionPtr&, Message)> on_message_;
  std::function<void(const ConnectionPtr&, MessageView)> on_message_view_;
  std::function<void(const ConnectionPtr&, CloseCode, std::string_view)> on_close_;
  std::string protocol_;
  MessageDecoder decoder_;
  MessageEncoder encoder_;
  net::WriteQueue queue_;
  net::Timer timer_;
  /// When timer_ fires (when armed).
  std::chrono::steady_clock::time_point timer_due_;
  std::chrono::steady_clock::time_point last_heard_;
  /// Null between messages.
  std::unique_ptr<Partial> partial_;
  std::uint64_t id_;
  /// Bytes read and discarded while lingering.
  std::size_t lingered_ = 0;
  State state_ = State::Open;
  bool lingering_ = false;
  bool notified_ = false;
  bool waiting_ = false;
  /// The parked read wait's hold on the connection (what its capture was), taken by the first
  /// wait and kept across the waits that follow, let go when the connection stops waiting.
  /// Also the handle given to the handlers while it handles a wake-up's reads (no count).
  ConnectionPtr held_;
  /// Open in switchboard_connections{transport="websocket"} until the close is notified.
  metrics::OpenConnection counted_;
};

}  // namespace switchboard::ws::detail
