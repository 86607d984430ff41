#pragma once
/// A server-side WebSocket connection on a shard: the I/O shell around MessageDecoder and
/// MessageEncoder, with keep-alive pings, idle timeout, the closing handshake and a bounded,
/// corked send queue.

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/http/request.hpp"
#include "switchboard/net/send_result.hpp"
#include "switchboard/net/stream.hpp"
#include "switchboard/net/write_queue.hpp"
#include "switchboard/ws/error.hpp"
#include "switchboard/ws/frame.hpp"
#include "switchboard/ws/permessage_deflate.hpp"
#include "switchboard/ws/prepared_message.hpp"

namespace switchboard::net {
class Shard;
}

namespace switchboard::ws {

/// Options of a WebSocket endpoint; every limit has a safe default.
struct ServerOptions {
  /// Largest message accepted, after inflation (close 1009 beyond).
  std::size_t max_message_size = 16 * 1024 * 1024;
  /// Longest time one message may take to arrive in full, from the read that brought its
  /// first header to its last byte; past it the connection is closed with 1008. (A peer that
  /// trickles a message resets the idle timeout with every byte.) 0: no limit.
  std::chrono::milliseconds message_timeout{60000};
  /// Bytes that the WebSocket connections of one shard may hold in all in messages still
  /// arriving (the capacity of their buffers); past it, the connections holding the most are
  /// closed with 1009 until the rest fit. Keep it well above max_message_size. Every
  /// connection of a shard counts against one total, checked with its own endpoint's value.
  std::size_t message_budget = 64 << 20;
  /// A ping is sent after this long without hearing from the peer; 0 sends none.
  std::chrono::milliseconds ping_interval{30000};
  /// The connection is closed (1001) after this long without hearing from the peer; 0 never
  /// (with no pings either, an open connection then holds no timer).
  std::chrono::milliseconds idle_timeout{120000};
  /// How long to wait for the peer's Close after sending ours.
  std::chrono::milliseconds close_timeout{5000};
  /// After failing the connection (a Close for 1002, 1007, 1008, 1009, or 1001 on idle
  /// timeout): the connection half-closes once that Close is out and reads and discards
  /// within these bounds, so that a peer still sending (the rest of a message over the limit)
  /// finishes its send and reads the Close instead of getting a reset.
  net::LingerOptions linger{};
  /// Compression (RFC 7692), off by default; negotiated per connection when the client
  /// offers it.
  PermessageDeflateOptions permessage_deflate{};
  /// Subprotocols the endpoint speaks (the first the client offers is chosen).
  std::vector<std::string> subprotocols;
  /// Outbound limits. The hard limit is raised, when lower, to hold one message of
  /// max_message_size with its framing and compression's worst case (1/1024 more, plus
  /// 4 KiB): a message the endpoint accepts is one it can answer in kind.
  net::WriteQueueOptions write_queue{};
  /// Decides whether a browser page from `origin` may connect (no Origin header: always
  /// allowed). Null allows every origin. A refusal is answered 403.
  std::function<bool(std::string_view origin)> allow_origin;
  /// Counted under `websocket` in switchboard_connections (docs/metrics.md). Engine.IO turns
  /// it off: it counts its sessions itself.
  bool count_as_websocket = true;
};

/// One received data message.
struct Message {
  /// Text or Binary (fragments are already joined, inflated, and text checked as UTF-8).
  Opcode opcode = Opcode::Text;
  /// The whole message, the handler's to keep.
  std::string payload;
  /// True for a text message.
  bool is_text() const { return opcode == Opcode::Text; }
};

/// One received data message, seen where it lies: `payload` is valid only until the handler
/// it is given to returns (it may point into the shard's read buffer), so copy what must be
/// kept. Spares the copy of each message into a string of its own.
struct MessageView {
  /// Text or Binary (fragments are already joined, inflated, and text checked as UTF-8).
  Opcode opcode = Opcode::Text;
  /// The whole message, valid during the handler's call only.
  std::string_view payload;
  /// True for a text message.
  bool is_text() const { return opcode == Opcode::Text; }
};

namespace detail {
class ConnectionImpl;
}

/// A handle to an open connection; all calls on its shard (Connection::shard()). The handle
/// may outlive the connection: once closed, sends are Dropped and the rest still answers.
class Connection {
 public:
  /// Frees the connection's state (the socket itself closes when the connection ends).
  virtual ~Connection() = default;

  /// Sends a text message; the text is not checked, and invalid UTF-8 makes the peer fail
  /// the connection. Dropped once the closing handshake has started (see net::SendResult).
  virtual net::SendResult send_text(std::string_view text, bool is_volatile = false) = 0;
  /// Sends a binary message; Dropped once the closing handshake has started.
  virtual net::SendResult send_binary(std::string_view bytes, bool is_volatile = false) = 0;
  /// Sends a message framed once for many connections (see PreparedMessage).
  virtual net::SendResult send(const std::shared_ptr<const PreparedMessage>& message,
                               bool is_volatile = false) = 0;
  /// Starts the closing handshake: sends Close, and on_close runs at once (inside this call)
  /// with `code` and `reason`; TCP closes when the peer answers or close_timeout passes.
  /// Nothing when not open.
  virtual void close(CloseCode code = CloseCode::NormalClosure, std::string_view reason = {}) = 0;
  /// True until the closing handshake starts or the connection fails.
  virtual bool is_open() const = 0;
  /// The upgrade request (path, query, headers, remote address).
  virtual const http::Request& request() const = 0;
  /// The same request, shared (layers above keep it without a copy).
  virtual std::shared_ptr<const http::Request> shared_request() const = 0;
  /// The negotiated subprotocol, or empty.
  virtual std::string_view protocol() const = 0;
  /// Bytes queued and not yet written.
  virtual std::size_t buffered_amount() const = 0;
  /// A process-unique id.
  virtual std::uint64_t id() const = 0;
  /// The shard the connection lives on; every call and callback happens there.
  virtual net::Shard& shard() = 0;
  /// Application data attached to the connection (on its shard, like every call).
  std::any data;
};

/// How handlers and applications hold a connection.
using ConnectionPtr = std::shared_ptr<Connection>;

/// Receives a connection's messages and its close in place of Handlers, for an object that
/// lives longer than one connection and serves it (an Engine.IO session): the connection
/// holds it weakly (no copy of handlers, no cycle) and, once it is gone, drops what arrives.
/// Its callbacks run on the connection's shard and must not throw.
class Listener {
 public:
  /// Nothing of the connections it served.
  virtual ~Listener() = default;
  /// As Handlers::on_message_view: a data message, valid during the call only.
  virtual void on_ws_message(const ConnectionPtr& connection, MessageView message) = 0;
  /// As Handlers::on_close: once, when the connection stops being open.
  virtual void on_ws_close(const ConnectionPtr& connection, CloseCode code,
                           std::string_view reason) = 0;
};

/// What an endpoint does with its connections. Each callback runs on the connection's shard
/// and must not throw (an exception would escape the shard's event loop). The connection
/// drops its Handlers once on_close has run, so they may capture what holds the connection.
struct Handlers {
  /// Runs once the 101 answer is queued, before any message (inside accept()); the
  /// connection lets it go then (what it captured is not kept for the connection's life).
  std::function<void(const ConnectionPtr&)> on_open;
  /// Runs for each data message while the connection is open (none after close()).
  std::function<void(const ConnectionPtr&, Message)> on_message;
  /// When set, runs for each data message instead of on_message, with a view of it that is
  /// valid only during the call: a handler that answers or parses at once (an echo) then
  /// costs no copy and no allocation per message.
  std::function<void(const ConnectionPtr&, MessageView)> on_message_view;
  /// Runs once, when the connection stops being open: with the peer's close code (NoStatus
  /// when its Close had none), with the code this side sent (close(), or a failure such as
  /// 1002, 1007, 1008 "slow consumer", 1009, 1001 on idle timeout or shutdown), or with
  /// Abnormal (1006) when the connection dropped without a closing handshake.
  std::function<void(const ConnectionPtr&, CloseCode, std::string_view reason)> on_close;
};

}  // namespace switchboard::ws
