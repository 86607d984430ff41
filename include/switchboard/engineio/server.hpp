#pragma once
/// The Engine.IO v4 server: HTTP long-polling and WebSocket transports, the upgrade from one
/// to the other, the server-sent heartbeat, maxPayload, and the reference server's error
/// answers. Usable on its own (raw Engine.IO, path /engine.io/) or under Socket.IO.

#include <any>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "switchboard/engineio/packet.hpp"
#include "switchboard/http/cors.hpp"
#include "switchboard/http/request.hpp"
#include "switchboard/http/router.hpp"
#include "switchboard/net/send_result.hpp"
#include "switchboard/net/write_queue.hpp"
#include "switchboard/ws/permessage_deflate.hpp"

namespace switchboard::net {
class Runtime;
class Shard;
}  // namespace switchboard::net

namespace switchboard::ws {
class PreparedMessage;
}

namespace switchboard::engineio {

/// Where the sessions of the other nodes of a cluster are, so that a balancer need not be
/// sticky (docs/decisions/013-no-sticky-sessions.md): every sid names the node that owns it,
/// and a request for another node's session is relayed to that node. Shared by every shard of
/// the server: implementations are thread-safe.
class NodeDirectory {
 public:
  /// Destroyed with the last server (or test) that holds it.
  virtual ~NodeDirectory() = default;
  /// This node's id, 1 to 32 characters of A-Z a-z 0-9 - _: every sid it makes is
  /// "<id>.<20 characters>".
  virtual const std::string& node_id() const = 0;
  /// Looks up the address ("host:port", plain HTTP) of node `id`; `done` runs on the calling
  /// shard, with nothing when the node is unknown or dead.
  virtual void locate(const std::string& id,
                      std::function<void(std::optional<std::string> address)> done) = 0;
};

/// Options, with the reference server's defaults.
struct ServerOptions {
  /// Mount path; the trailing slash is optional for clients.
  std::string path = "/engine.io/";
  /// How often the server pings each session (announced in the open packet as pingInterval).
  std::chrono::milliseconds ping_interval{25000};
  /// How long after a ping the pong may come before the session ends ("ping timeout").
  std::chrono::milliseconds ping_timeout{20000};
  /// Time for a client to finish an upgrade (send "5") after its probe.
  std::chrono::milliseconds upgrade_timeout{10000};
  /// Largest HTTP body and WebSocket message, in bytes; announced in the open packet.
  std::size_t max_payload = 1'000'000;
  /// Accept the HTTP long-polling transport (off: its requests get "Transport unknown").
  bool allow_polling = true;
  /// Accept the WebSocket transport, for new sessions and upgrades.
  bool allow_websocket = true;
  /// Whether a polling session may upgrade to WebSocket.
  bool allow_upgrades = true;
  /// Cross-origin policy for polling, and the origins allowed to open WebSockets. With no
  /// allowed origin listed, only same-origin pages (Origin matching Host) and clients that
  /// send no Origin (non-browser clients) are accepted.
  http::CorsOptions cors{};
  /// Checks each handshake request; a returned message refuses it with 403 (code 4,
  /// "Forbidden") and that message in the log.
  std::function<std::optional<std::string>(const http::Request&)> allow_request;
  /// permessage-deflate on the WebSocket transport (off by default, as in the reference).
  ws::PermessageDeflateOptions per_message_deflate{};
  /// Outbound queue limits of each session.
  net::WriteQueueOptions write_queue{};
  /// Called on the session's shard when a handler (on_connection, on_message, on_close)
  /// throws: the session id, which handler, and the exception's message. The exception goes
  /// no further and that session is closed ("server error"); the server carries on. Default:
  /// a warn record in the log ("engine.io handler threw", docs/logging.md).
  std::function<void(std::string_view sid, std::string_view handler, std::string_view what)>
      on_handler_error;
  /// A cluster without sticky sessions: sids carry this node's id, and a polling request or
  /// WebSocket upgrade for another node's session is relayed to its owner (the request
  /// goes on with `Connection: close`, the answer or the WebSocket's bytes come back). An
  /// owner unknown or unreachable gets "Session ID unknown", as without it. Null: one node.
  std::shared_ptr<NodeDirectory> nodes;
  /// Relaying: the longest wait for the owner's TCP connection, and for a byte either way
  /// once connected (0: ping_interval + ping_timeout + 5 s, which a live session never
  /// reaches).
  std::chrono::milliseconds forward_connect_timeout{2000};
  /// (The byte-either-way bound of the comment above.)
  std::chrono::milliseconds forward_idle_timeout{0};
};

/// Messages prepared once and sent to many sockets: each message's WebSocket frame and its
/// polling text are built up front. Immutable, shareable across shards.
class PreparedPackets {
 public:
  /// One message in both forms.
  struct Item {
    /// The WebSocket form (text "4<text>" or a binary frame), framed once.
    std::shared_ptr<const ws::PreparedMessage> frame;
    /// The polling form: "4<text>" or "b<base64>".
    std::string polling;
  };
  /// Prepares Engine.IO messages; each pair is (binary?, data).
  /// `compress` also builds each frame's permessage-deflate form.
  static std::shared_ptr<const PreparedPackets> messages(
      const std::vector<std::pair<bool, std::string>>& messages, bool compress = false);
  /// The messages, in order.
  const std::vector<Item>& items() const { return items_; }

 private:
  std::vector<Item> items_;
};

/// Receives one session's messages and its end in place of the handlers of Socket::on_message
/// and Socket::on_close: one object per connection, no handler objects (Socket.IO's client is
/// one). Its calls run on the session's shard; one that throws is reported and closes the
/// session, as a handler's does.
class SocketListener {
 public:
  /// Destroyed when the session lets it go (after on_engine_close) and nothing else holds it.
  virtual ~SocketListener() = default;
  /// One message from the client, in order: a view of its data, valid during the call.
  virtual void on_engine_message(std::string_view data, bool binary) = 0;
  /// The session ended (the reasons of Socket::CloseHandler); the last call it gets.
  virtual void on_engine_close(std::string_view reason) = 0;
};

/// One Engine.IO session (the reference's `Socket`). Lives on its owner shard; every call
/// must be made there (Socket::shard()). The handle may outlive the session: once it has
/// ended, sends are Dropped. When it ends, it drops its handlers (after running on_close), so
/// a handler may capture the SocketPtr.
class Socket {
 public:
  /// Why a session ended, as the reference words it ("transport close", "ping timeout",
  /// "parse error", "transport error", "forced close", "server shutting down", ...).
  using CloseHandler = std::function<void(std::string_view reason)>;
  /// Takes one message from the client (type Message, text or binary).
  using MessageHandler = std::function<void(Packet message)>;
  /// Takes one message from the client as a view of its data, valid during the call only.
  using MessageViewHandler = std::function<void(std::string_view data, bool binary)>;

  /// Frees the session's handle (the session itself ends by close() or its transport).
  virtual ~Socket() = default;
  /// The session id (20 URL-safe characters, unguessable).
  virtual const std::string& id() const = 0;
  /// "polling" or "websocket".
  virtual std::string_view transport() const = 0;
  /// The handshake request (headers, query, remote address).
  virtual const http::Request& request() const = 0;
  /// The same request, shared (Socket.IO keeps it in each socket's handshake).
  virtual std::shared_ptr<const http::Request> shared_request() const = 0;
  /// The session's owner shard, where every call and handler runs.
  virtual net::Shard& shard() = 0;

  /// Sends a text message (see net::SendResult for what the result means).
  virtual net::SendResult send(std::string_view text, bool is_volatile = false) = 0;
  /// Sends a binary message.
  virtual net::SendResult send_binary(std::string_view bytes, bool is_volatile = false) = 0;
  /// Sends prepared messages (a broadcast), in order.
  virtual net::SendResult send(const std::shared_ptr<const PreparedPackets>& packets,
                               bool is_volatile = false) = 0;
  /// Closes the session ("forced close"), after flushing what is queued; on_close runs when
  /// it has ended. Nothing when already closing.
  virtual void close() = 0;
  /// True until the session ends or close() is called.
  virtual bool is_open() const = 0;

  /// Sets what receives the client's messages (each in order, on the shard), replacing the
  /// previous one. A handler that throws is reported (ServerOptions::on_handler_error) and
  /// its session closed.
  virtual void on_message(MessageHandler handler) = 0;
  /// The same as on_message, but the handler gets a view of each message's data (valid
  /// during the call): a WebSocket text message is then read where it lies in the
  /// transport's buffer, with no copy. Replaces the previous handler of either kind.
  virtual void on_message_view(MessageViewHandler handler) {
    if (!handler) return on_message(nullptr);
    on_message([h = std::move(handler)](Packet message) { h(message.data, message.binary); });
  }
  /// Sets what runs once when the session ends, replacing the previous one.
  virtual void on_close(CloseHandler handler) = 0;
  /// Sets what receives the client's messages and the session's end, replacing the handlers
  /// of on_message and on_close (and a handler set after it replaces it). The session holds
  /// it until it has ended, and (unless replaced) not let go during one of its calls.
  virtual void listen(std::shared_ptr<SocketListener> listener) = 0;

  /// Application data attached to the session (on its shard).
  std::any data;
};

/// How handlers and applications hold a session.
using SocketPtr = std::shared_ptr<Socket>;

namespace detail {
class ServerCore;
}

/// Serves Engine.IO on an HTTP router, on every shard of a runtime.
///
///     engineio::Server eio(runtime, {.path = "/engine.io/"});
///     eio.on_connection([](const engineio::SocketPtr& s) {
///       s->on_message([s](engineio::Packet p) { s->send(p.data); });
///     });
///     eio.attach(http_server.router());
class Server {
 public:
  /// A server with no route yet; the runtime must outlive it.
  Server(net::Runtime& runtime, ServerOptions options = {});
  /// The routes attach() added keep serving (they share the server's state).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Runs for each new session on its shard, before any of its messages is delivered. Set
  /// it before the runtime runs (it is read by every shard without a lock).
  void on_connection(std::function<void(const SocketPtr&)> handler);
  /// Adds the routes (GET, POST, OPTIONS on the path). Call before the HTTP server listens.
  void attach(http::Router& router);
  /// Sessions open on the calling shard; 0 when called off every shard.
  std::size_t local_sessions() const;
  /// Exceptions thrown by handlers so far, on every shard (each closed its session).
  /// Thread-safe.
  std::uint64_t handler_errors() const;
  /// The options it was made with.
  const ServerOptions& options() const;

 private:
  std::shared_ptr<detail::ServerCore> core_;
};

}  // namespace switchboard::engineio
