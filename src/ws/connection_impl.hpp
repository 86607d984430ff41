#pragma once
// Private: the WebSocket connection shell.

#include <variant>

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

/// Where a connection's messages and close go: handlers (shared by an endpoint's
/// connections, or the connection's own) or a listener held weakly.
using Sink = std::variant<std::shared_ptr<const Handlers>, std::weak_ptr<Listener>>;

class ConnectionImpl final : public Connection,
                             public net::Shard::StopListener,
                             private net::WriteQueue::Owner,
                             private net::Stream::Waiter,
                             public std::enable_shared_from_this<ConnectionImpl> {
 public:
  /// `handlers` may be shared by every connection of an endpoint (their on_open is not used:
  /// start() is given it).
  ConnectionImpl(std::unique_ptr<net::Stream> stream, http::Request request,
                 const ServerOptions& options, Sink handlers, std::string protocol,
                 std::optional<DeflateParams> deflate);
  ~ConnectionImpl() override;

  /// Writes the handshake answer, runs `on_open` (then lets it go: what it captured is not
  /// kept for the connection's life), feeds bytes read past the request, and starts reading.
  void start(std::string handshake_response, std::string leftover,
             const std::function<void(const ConnectionPtr&)>& on_open);

  net::SendResult send_text(std::string_view text, bool is_volatile) override;
  net::SendResult send_binary(std::string_view bytes, bool is_volatile) override;
  net::SendResult send(const std::shared_ptr<const PreparedMessage>& message,
                       bool is_volatile) override;
  void close(CloseCode code, std::string_view reason) override;
  bool is_open() const override { return state_ == State::Open; }
  const http::Request& request() const override { return *request_; }
  std::shared_ptr<const http::Request> shared_request() const override { return request_; }
  std::string_view protocol() const override {
    return protocol_ ? std::string_view(*protocol_) : std::string_view();
  }
  std::size_t buffered_amount() const override { return queue_.queued_bytes(); }
  std::uint64_t id() const override { return id_; }
  net::Shard& shard() override { return stream_->shard(); }
  void on_shard_stop() override;

 private:
  // net::WriteQueue::Owner
  void on_write_error() override { terminate(); }
  void on_write_overflow() override { fail(CloseCode::PolicyViolation, "slow consumer"); }
  std::shared_ptr<const void> keep_alive() override { return weak_from_this().lock(); }

 private:
  enum class State : std::uint8_t { Open, Closing, Closed };

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
  /// What the connection needs of its options after construction (not a copy of them all),
  /// durations in 32-bit milliseconds (clamped at 49 days) and the linger bound in 32 bits
  /// (clamped at 4 GiB).
  struct Kept {
    explicit Kept(const ServerOptions& o);
    std::uint32_t ping_interval_ms;
    std::uint32_t idle_timeout_ms;
    std::uint32_t close_timeout_ms;
    std::uint32_t linger_timeout_ms;
    std::uint32_t linger_max_bytes;
    std::uint32_t message_timeout_ms;
    std::size_t message_budget;
    std::chrono::milliseconds ping_interval() const { return ms(ping_interval_ms); }
    std::chrono::milliseconds idle_timeout() const { return ms(idle_timeout_ms); }
    static std::chrono::milliseconds ms(std::uint32_t n) { return std::chrono::milliseconds(n); }
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
  /// The application's handlers (their on_open aside, which start() runs), shared by every
  /// connection of an endpoint, or else its listener (two members, not a variant: the
  /// message path tests one pointer); both null once the close is notified.
  std::shared_ptr<const Handlers> handlers_;
  std::weak_ptr<Listener> listener_;
  /// The negotiated subprotocol; null when none (most connections).
  std::unique_ptr<const std::string> protocol_;
  MessageDecoder decoder_;
  MessageEncoder encoder_;
  net::WriteQueue queue_;
  net::Timer timer_;
  std::chrono::steady_clock::time_point last_heard_;
  /// Null between messages.
  std::unique_ptr<Partial> partial_;
  std::uint64_t id_;
  /// Bytes read and discarded while lingering (saturating).
  std::uint32_t lingered_ = 0;
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
