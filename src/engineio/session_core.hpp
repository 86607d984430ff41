#pragma once
// Private: the Engine.IO server session's state machine, sans-I/O (docs/decisions/023).
// What happened on the session's transports (a GET held or let go, a POST's packets, a packet
// on the WebSocket or on the upgrade probe, a transport gone), what the application sends, and
// the time go in; Actions for the driver (Session, over Asio) come out, in order. Never throws
// on the client's input; allocates nothing per packet beyond the packets themselves.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/engineio/packet.hpp"
#include "switchboard/engineio/server.hpp"

namespace switchboard::engineio::detail {

using Clock = std::chrono::steady_clock;

/// A packet on its way to the client: one of its own, or item `index` of a prepared broadcast.
struct Outgoing {
  Packet packet;
  std::shared_ptr<const PreparedPackets> prepared;
  std::size_t index = 0;
};

/// Why a probe WebSocket is closed (the driver picks the close code and reason).
enum class ProbeClose {
  MalformedFrame,    ///< 1002: not an Engine.IO packet
  UnexpectedPacket,  ///< 1002 "unexpected packet during upgrade"
  UpgradeTimeout,    ///< 1008 "upgrade timeout": no `5` within upgradeTimeout
  GoingAway,         ///< 1001: the session is closing
};

/// One thing for the driver to do.
struct Action {
  enum class Kind {
    SendWebSocket,          ///< write `out` on the live WebSocket, one frame
    AnswerPoll,             ///< answer the held GET: 200, `text` (a payload, "6" or "1")
    AnswerPollUnavailable,  ///< answer the held GET: 503 "server shutting down"
    ScheduleFlush,          ///< call flush() on a later loop turn: one turn's packets, one answer
    AnswerProbe,            ///< write "3probe" on the probe WebSocket
    CloseProbe,             ///< close the probe WebSocket (`probe_close`) and forget it
    Upgraded,               ///< the probe WebSocket is now the session's transport
    CloseWebSocket,         ///< close the live WebSocket, unless closed already; `text` is why
    OweNoop,                ///< the client closed with no GET held: a GET racing it gets "6"
    SetTimer,               ///< call on_timer() at `when` (Clock::time_point::max(): never)
    Ended,                  ///< the session is over, `text` says why: forget it, report it
  };
  Kind kind;
  Outgoing out{};
  std::string text{};
  Clock::time_point when{};
  ProbeClose probe_close = ProbeClose::GoingAway;
};

/// The open packet's JSON for a new session `sid`: `upgrades` lists "websocket" for a polling
/// session when the options allow the upgrade, nothing for a WebSocket-first one.
std::string open_json(const ServerOptions& options, std::string_view sid, bool websocket_first);

/// Where a core call appends its actions. The caller provides it (and may reuse it).
using Actions = std::vector<Action>;

/// One Engine.IO session seen from the server. Not thread-safe: one shard drives it.
class SessionCore {
 public:
  enum class Transport { Polling, WebSocket };
  /// What became of a send: on the WebSocket (see the SendWebSocket action), queued for the
  /// next poll (under or over the soft limit), or not sent.
  enum class Route { WebSocket, Queued, QueuedOverSoftLimit, Dropped };
  /// A GET is held until there is something to answer, or refused at once (400).
  enum class Poll { Held, Refused };
  /// A received packet is a message for the application, or was the core's business.
  enum class Inbound { Message, Handled };

  /// `options` outlives the core (the server's).
  SessionCore(const ServerOptions& options, Transport transport)
      : options_(options), transport_(transport) {}

  /// Begins the heartbeat; the open packet (its JSON) goes first: queued for the handshake GET
  /// on polling, sent on a WebSocket-first session's WebSocket.
  void start(std::string open_json, Clock::time_point now, Actions& out);

  /// Sends `packet` (`bytes` long in the polling form). A volatile one is dropped while the
  /// polling queue is over its soft limit; past the hard limit the session closes
  /// ("transport error").
  Route send(Outgoing packet, std::size_t bytes, bool is_volatile, Actions& out);

  /// A GET arrived, `id` names it. Refused on a closed or upgraded session, and when another
  /// is held: then the held one gets a close packet and the session ends ("transport error").
  Poll poll(std::uint64_t id, Actions& out);
  /// GET `id` went away unanswered (its client disconnected).
  void cancel_poll(std::uint64_t id);
  /// The loop turn after a ScheduleFlush: the held GET takes everything queued.
  void flush(Actions& out);

  /// A POST's body. False (answer 400) on a closed or upgraded session and for a malformed
  /// body or one over maxPayload (then the session ends: "parse error"); else `packets` holds
  /// what to pass to receive(), one by one while the session is not closed().
  bool post(std::string_view body, std::vector<Packet>& packets, Actions& out);
  /// One packet from the client on the live transport.
  Inbound receive(Packet& packet, Clock::time_point now, Actions& out);
  /// A message on the live WebSocket; `packet` null when it was no Engine.IO packet (the
  /// session ends: "parse error").
  Inbound websocket_message(Packet* packet, Clock::time_point now, Actions& out);
  /// The live WebSocket closed (the client left, or the network failed).
  void websocket_closed(Actions& out);

  /// A WebSocket opened with this session's sid: true when it becomes the upgrade probe;
  /// false when it must be closed at once (1008 "already upgraded": the session is closed,
  /// closing, upgraded, or probing already).
  bool probe_opened(Clock::time_point now, Actions& out);
  /// A message on the probe; `packet` null when it was no Engine.IO packet.
  void probe_message(const Packet* packet, Actions& out);
  /// The probe closed before the upgrade completed: polling goes on.
  void probe_closed(Actions& out);

  /// The timer armed by the last SetTimer action fired.
  void on_timer(Clock::time_point now, Actions& out);

  /// Ends the session with `reason`. `notify_client`: on polling, the queued packets and then
  /// a close packet leave in the next polls (or the session ends pingTimeout later); on a
  /// WebSocket it is closed either way. Without it the session ends at once, even one closing
  /// already.
  void close(std::string_view reason, bool notify_client, Clock::time_point now, Actions& out);

  Transport transport() const { return transport_; }
  /// Neither closed nor closing.
  bool is_open() const { return !closed_ && !closing_; }
  bool closed() const { return closed_; }
  /// True when send() would route a packet to the WebSocket (Route::WebSocket) with nothing
  /// else to do: the driver may then send it itself, without an action list.
  bool sends_on_websocket() const {
    return !closed_ && !closing_ && transport_ == Transport::WebSocket;
  }
  /// True when websocket_message() would answer a MESSAGE packet with Inbound::Message and
  /// nothing else: the driver may then give it to the application itself.
  bool takes_websocket_messages() const { return !closed_ && transport_ == Transport::WebSocket; }
  /// A probe WebSocket is open (an upgrade is under way).
  bool probing() const { return probe_; }
  /// Bytes queued for the next poll.
  std::size_t queued_bytes() const { return polling_ ? polling_->queued_bytes : 0; }

 private:
  enum class Heartbeat { Idle, Ping, Pong, Closing };

  void schedule_ping(Clock::time_point now);
  void flush_polling(Actions& out);
  void drain_for_close(Actions& out);
  void answer_poll(std::string text, Actions& out);
  void drop_probe(ProbeClose why, Actions& out);
  void finish_upgrade(Actions& out);
  void finish(std::string_view reason, Actions& out);
  /// Appends SetTimer when the earliest deadline moved.
  void sync_timer(Actions& out);

  const ServerOptions& options_;
  Transport transport_;
  Heartbeat heartbeat_ = Heartbeat::Idle;
  bool poll_held_ = false;
  bool flush_scheduled_ = false;
  bool probe_ = false;
  /// The probe sent `2probe` and was answered: polls get a noop.
  bool probed_ = false;
  bool closed_ = false;
  /// Closed by the server on polling: the next polls take what is queued, then the close
  /// packet, and the session ends with its closing reason.
  bool closing_ = false;
  Clock::time_point heartbeat_at_ = Clock::time_point::max();
  Clock::time_point upgrade_at_ = Clock::time_point::max();
  Clock::time_point timer_at_ = Clock::time_point::max();
  /// What only the polling transport needs, allocated at the first packet queued for a poll
  /// (a WebSocket-first session never has it) and let go at the upgrade.
  struct Polling {
    std::vector<Outgoing> queue;
    std::size_t queued_bytes = 0;
    /// The held GET.
    std::uint64_t poll_id = 0;
    /// Why a graceful close on polling ends the session, once its last poll took the close.
    std::string closing_reason;
  };
  Polling& polling() {
    if (!polling_) polling_ = std::make_unique<Polling>();
    return *polling_;
  }
  std::unique_ptr<Polling> polling_;
};

}  // namespace switchboard::engineio::detail
