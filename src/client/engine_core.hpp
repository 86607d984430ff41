#pragma once
// The Engine.IO v4 client state machine, sans-I/O: packets and time in, what to do out.
// The shell feeds every packet received on the live transport to `receive`, sends what
// `take_outbox` returns, and calls `check_timeout` when `deadline()` passes.

#include <switchboard/engineio/packet.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

namespace switchboard::client::detail {

using Clock = std::chrono::steady_clock;

/// What the server's open packet announced.
struct OpenParams {
  std::string sid;
  std::vector<std::string> upgrades;
  std::chrono::milliseconds ping_interval{25'000};
  std::chrono::milliseconds ping_timeout{20'000};
  std::uint64_t max_payload = 1'000'000;
};

/// Parses the JSON of an open packet. nullopt when it is not an object with a string `sid`
/// and numeric `pingInterval`/`pingTimeout` (`upgrades` and `maxPayload` are optional).
std::optional<OpenParams> parse_open(std::string_view json);

/// What one received packet caused.
struct EngineStep {
  bool opened = false;                     ///< the open packet arrived: `params()` is valid
  std::vector<engineio::Packet> messages;  ///< `Message` packets (text or binary), in order
  std::optional<std::string> closed;       ///< the session ended, with the reason
};

/// One Engine.IO session seen from the client. Not thread-safe.
class EngineCore {
 public:
  enum class State { Opening, Open, Closed };

  /// Handles one packet received on the live transport at `now`.
  EngineStep receive(const engineio::Packet& packet, Clock::time_point now);

  /// Queues a message (text, or raw bytes when `binary`).
  void send_message(std::string data, bool binary);

  /// Takes every queued packet (for the WebSocket transport, one frame each).
  std::vector<engineio::Packet> take_outbox();

  /// Takes queued packets as one polling payload of at most `params().max_payload` bytes
  /// (at least one packet); empty when nothing is queued.
  std::string take_polling_payload();

  /// True when packets wait to be sent.
  bool has_outbox() const { return !outbox_.empty(); }

  /// When the server is considered dead unless a ping arrives: pingInterval + pingTimeout
  /// after the last ping (or the open packet). Meaningful once open.
  Clock::time_point deadline() const { return deadline_; }

  /// Closes the session with "ping timeout" when `now` is past the deadline; returns true
  /// then.
  bool check_timeout(Clock::time_point now);

  /// Closes the session on our side: queues a close packet (for a clean goodbye) and enters
  /// Closed.
  void close();

  /// Marks the session closed after the transport failed (nothing is sent).
  void transport_closed() { state_ = State::Closed; }

  /// True when the server offered `websocket` as an upgrade.
  bool can_upgrade() const;

  State state() const { return state_; }
  const OpenParams& params() const { return params_; }

 private:
  State state_ = State::Opening;
  OpenParams params_;
  Clock::time_point deadline_{};
  std::deque<engineio::Packet> outbox_;
};

}  // namespace switchboard::client::detail
